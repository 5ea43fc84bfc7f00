"""Supplier pages under /t/<tenant_slug>/suppliers/ and partner pages under /t/<tenant_slug>/portal/.
One section per subdomain."""

from django.urls import URLPattern, path

from suppliers.views import portal

page_patterns: list[URLPattern] = []

portal_patterns: list[URLPattern] = [
    path("suppliers/<uuid:supplier_id>/", portal.portal_supplier_detail, name="portal_supplier_detail"),
]
