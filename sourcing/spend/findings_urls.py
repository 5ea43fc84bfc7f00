"""Findings and baselines pages, under /t/<tenant_slug>/spend/."""

from django.urls import URLPattern, path

from sourcing.spend import findings_views as views

page_patterns: list[URLPattern] = [
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<uuid:finding_id>/", views.finding_detail, name="finding_detail"),
    path("findings/<uuid:finding_id>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<uuid:finding_id>/assign/", views.finding_assign, name="finding_assign"),
    path("findings/<uuid:finding_id>/status/", views.finding_set_status, name="finding_set_status"),
    path("findings/<uuid:finding_id>/note/", views.finding_note, name="finding_note"),
    path("baselines/", views.baseline_list, name="baseline_list"),
    path("baselines/new/", views.baseline_freeze, name="baseline_freeze"),
    path("baselines/<uuid:baseline_id>/", views.baseline_detail, name="baseline_detail"),
    path("baselines/<uuid:baseline_id>/delete/", views.baseline_delete, name="baseline_delete"),
]
