"""Category pages, under /t/<tenant_slug>/categories/ (the Kraljic matrix, categories/kraljic/, is in the
project's URLs: it shows spend, so it is a cross-app page)."""

from django.urls import URLPattern, path

from sourcing.categories.views import categories as views

page_patterns: list[URLPattern] = [
    path("", views.category_list, name="category_list"),
    path("export.csv", views.category_export, name="category_export"),
    path("new/", views.category_create, name="category_create"),
    path("import/", views.category_import, name="category_import"),
    path("<uuid:category_id>/", views.category_detail, name="category_detail"),
    path("<uuid:category_id>/edit/", views.category_edit, name="category_edit"),
    path("<uuid:category_id>/delete/", views.category_delete, name="category_delete"),
    path("<uuid:category_id>/specs/", views.category_spec_upload, name="category_spec_upload"),
    path("specs/<uuid:spec_id>/download/", views.category_spec_download, name="category_spec_download"),
]
