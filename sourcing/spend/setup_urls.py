"""Spend set-up pages (FX rates, category rules, column mappings, settings), under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern

page_patterns: list[URLPattern] = []
