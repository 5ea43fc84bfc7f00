"""Spend pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern, path

from sourcing.spend.views import analysis as analysis_views
from sourcing.spend.views import findings as findings_views
from sourcing.spend.views import imports as import_views
from sourcing.spend.views import setup as setup_views
from sourcing.spend.views import vendors as vendor_views

page_patterns: list[URLPattern] = [
    path("", analysis_views.spend_overview, name="spend_overview"),
    path("cube/", analysis_views.spend_cube, name="spend_cube"),
    path("suppliers/", analysis_views.spend_pareto, name="spend_pareto"),
    path("concentration/", analysis_views.spend_concentration, name="spend_concentration"),
    path("prices/", analysis_views.spend_price_variance, name="spend_price_variance"),
    path("prices/sku/", analysis_views.spend_sku_prices, name="spend_sku_prices"),
    path("maverick/", analysis_views.spend_maverick, name="spend_maverick"),
    path("lines/", analysis_views.spend_lines, name="spend_lines"),
    path("lines/export/", analysis_views.spend_lines_export, name="spend_lines_export"),
    path("findings/raise/", findings_views.findings_raise, name="findings_raise"),
    path("vendors/", vendor_views.vendor_list, name="vendor_list"),
    path("vendors/duplicates/", vendor_views.vendor_duplicates, name="vendor_duplicates"),
    path("vendors/merge/", vendor_views.vendor_merge, name="vendor_merge"),
    path("vendors/rematch/", vendor_views.vendors_rematch, name="vendors_rematch"),
    path("vendors/<uuid:vendor_id>/link/", vendor_views.vendor_link, name="vendor_link"),
    path(
        "vendors/<uuid:vendor_id>/create-supplier/", vendor_views.vendor_create_supplier, name="vendor_create_supplier"
    ),
    path("vendors/<uuid:vendor_id>/unmerge/", vendor_views.vendor_unmerge, name="vendor_unmerge"),
    path("imports/", import_views.spend_import_list, name="spend_import_list"),
    path("imports/upload/", import_views.spend_import_upload, name="spend_import_upload"),
    path("imports/template.csv", import_views.spend_import_template, name="spend_import_template"),
    path("imports/<uuid:import_id>/", import_views.spend_import_detail, name="spend_import_detail"),
    path("imports/<uuid:import_id>/errors.csv", import_views.spend_import_errors, name="spend_import_errors"),
]

# Set-up: FX rates, category rules, column mappings, settings
page_patterns += [
    path("setup/fx-rates/", setup_views.fx_rate_list, name="fx_rate_list"),
    path("setup/fx-rates/new/", setup_views.fx_rate_create, name="fx_rate_create"),
    path("setup/fx-rates/import/", setup_views.fx_rate_import, name="fx_rate_import"),
    path("setup/fx-rates/export/", setup_views.fx_rate_export, name="fx_rate_export"),
    path("setup/fx-rates/<uuid:fx_rate_id>/", setup_views.fx_rate_edit, name="fx_rate_edit"),
    path("setup/fx-rates/<uuid:fx_rate_id>/delete/", setup_views.fx_rate_delete, name="fx_rate_delete"),
    path("setup/category-rules/", setup_views.category_rule_list, name="category_rule_list"),
    path("setup/category-rules/new/", setup_views.category_rule_create, name="category_rule_create"),
    path("setup/category-rules/<uuid:rule_id>/", setup_views.category_rule_edit, name="category_rule_edit"),
    path("setup/category-rules/<uuid:rule_id>/delete/", setup_views.category_rule_delete, name="category_rule_delete"),
    path("setup/column-mappings/", setup_views.column_mapping_list, name="column_mapping_list"),
    path("setup/column-mappings/new/", setup_views.column_mapping_create, name="column_mapping_create"),
    path("setup/column-mappings/<uuid:mapping_id>/", setup_views.column_mapping_edit, name="column_mapping_edit"),
    path(
        "setup/column-mappings/<uuid:mapping_id>/delete/",
        setup_views.column_mapping_delete,
        name="column_mapping_delete",
    ),
    path("setup/settings/", setup_views.spend_settings, name="spend_settings"),
]

# Findings and baselines
page_patterns += [
    path("findings/", findings_views.finding_list, name="finding_list"),
    path("findings/new/", findings_views.finding_create, name="finding_create"),
    path("findings/<uuid:finding_id>/", findings_views.finding_detail, name="finding_detail"),
    path("findings/<uuid:finding_id>/edit/", findings_views.finding_edit, name="finding_edit"),
    path("findings/<uuid:finding_id>/assign/", findings_views.finding_assign, name="finding_assign"),
    path("findings/<uuid:finding_id>/status/", findings_views.finding_set_status, name="finding_set_status"),
    path("findings/<uuid:finding_id>/note/", findings_views.finding_note, name="finding_note"),
    path("baselines/", findings_views.baseline_list, name="baseline_list"),
    path("baselines/new/", findings_views.baseline_freeze, name="baseline_freeze"),
    path("baselines/<uuid:baseline_id>/", findings_views.baseline_detail, name="baseline_detail"),
    path("baselines/<uuid:baseline_id>/delete/", findings_views.baseline_delete, name="baseline_delete"),
]
