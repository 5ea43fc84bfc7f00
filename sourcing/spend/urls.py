"""Spend pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern

page_patterns: list[URLPattern] = []
