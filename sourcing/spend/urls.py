"""Spend pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern, path

from sourcing.spend import setup_urls, views

page_patterns: list[URLPattern] = [
    path("imports/", views.spend_import_list, name="spend_import_list"),
    path("imports/upload/", views.spend_import_upload, name="spend_import_upload"),
    path("imports/template.csv", views.spend_import_template, name="spend_import_template"),
    path("imports/<uuid:import_id>/", views.spend_import_detail, name="spend_import_detail"),
    path("imports/<uuid:import_id>/errors.csv", views.spend_import_errors, name="spend_import_errors"),
    *setup_urls.page_patterns,
]
