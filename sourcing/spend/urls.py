"""Spend pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern

from sourcing.spend import setup_urls

page_patterns: list[URLPattern] = [*setup_urls.page_patterns]
