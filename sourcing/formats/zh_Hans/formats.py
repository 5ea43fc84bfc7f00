"""Number formats for 简体中文: Django's own leave the thousands separator empty (and group by four), so a
spend of 96,218,129 would read 96218129. Business documents in China group by three with commas."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - everything else as Django has it

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
