"""Spend pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern, path

from sourcing.spend import analysis_views as av
from sourcing.spend import findings_urls, setup_urls, views

page_patterns: list[URLPattern] = [
    path("", av.spend_overview, name="spend_overview"),
    path("cube/", av.spend_cube, name="spend_cube"),
    path("suppliers/", av.spend_pareto, name="spend_pareto"),
    path("concentration/", av.spend_concentration, name="spend_concentration"),
    path("prices/", av.spend_price_variance, name="spend_price_variance"),
    path("prices/sku/", av.spend_sku_prices, name="spend_sku_prices"),
    path("maverick/", av.spend_maverick, name="spend_maverick"),
    path("lines/", av.spend_lines, name="spend_lines"),
    path("findings/raise/", av.findings_raise, name="findings_raise"),
    path("vendors/", av.vendor_list, name="vendor_list"),
    path("vendors/duplicates/", av.vendor_duplicates, name="vendor_duplicates"),
    path("vendors/merge/", av.vendor_merge, name="vendor_merge"),
    path("vendors/rematch/", av.vendors_rematch, name="vendors_rematch"),
    path("vendors/<uuid:vendor_id>/link/", av.vendor_link, name="vendor_link"),
    path("vendors/<uuid:vendor_id>/create-supplier/", av.vendor_create_supplier, name="vendor_create_supplier"),
    path("vendors/<uuid:vendor_id>/unmerge/", av.vendor_unmerge, name="vendor_unmerge"),
    path("imports/", views.spend_import_list, name="spend_import_list"),
    path("imports/upload/", views.spend_import_upload, name="spend_import_upload"),
    path("imports/template.csv", views.spend_import_template, name="spend_import_template"),
    path("imports/<uuid:import_id>/", views.spend_import_detail, name="spend_import_detail"),
    path("imports/<uuid:import_id>/errors.csv", views.spend_import_errors, name="spend_import_errors"),
    *setup_urls.page_patterns,
    *findings_urls.page_patterns,
]
