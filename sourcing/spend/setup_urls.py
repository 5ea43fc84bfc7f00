"""Spend set-up pages (FX rates, category rules, column mappings, settings), under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern, path

from sourcing.spend import setup_views as views

page_patterns: list[URLPattern] = [
    path("setup/fx-rates/", views.fx_rate_list, name="fx_rate_list"),
    path("setup/fx-rates/new/", views.fx_rate_create, name="fx_rate_create"),
    path("setup/fx-rates/import/", views.fx_rate_import, name="fx_rate_import"),
    path("setup/fx-rates/export/", views.fx_rate_export, name="fx_rate_export"),
    path("setup/fx-rates/<uuid:fx_rate_id>/", views.fx_rate_edit, name="fx_rate_edit"),
    path("setup/fx-rates/<uuid:fx_rate_id>/delete/", views.fx_rate_delete, name="fx_rate_delete"),
    path("setup/category-rules/", views.category_rule_list, name="category_rule_list"),
    path("setup/category-rules/new/", views.category_rule_create, name="category_rule_create"),
    path("setup/category-rules/<uuid:rule_id>/", views.category_rule_edit, name="category_rule_edit"),
    path("setup/category-rules/<uuid:rule_id>/delete/", views.category_rule_delete, name="category_rule_delete"),
    path("setup/column-mappings/", views.column_mapping_list, name="column_mapping_list"),
    path("setup/column-mappings/new/", views.column_mapping_create, name="column_mapping_create"),
    path("setup/column-mappings/<uuid:mapping_id>/", views.column_mapping_edit, name="column_mapping_edit"),
    path("setup/column-mappings/<uuid:mapping_id>/delete/", views.column_mapping_delete, name="column_mapping_delete"),
    path("setup/settings/", views.spend_settings, name="spend_settings"),
]
