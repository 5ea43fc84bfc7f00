"""Category pages, under /t/<tenant_slug>/categories/."""

from django.urls import URLPattern

page_patterns: list[URLPattern] = []
