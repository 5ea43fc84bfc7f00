"""RFQ pages, under /t/<tenant_slug>/rfq/."""

from django.urls import URLPattern, path

from rfq.views import landed_cost as landed_cost_views
from rfq.views import tables as table_views

# Landed cost: the calculator
page_patterns: list[URLPattern] = [
    path("landed-cost/", landed_cost_views.landed_cost_calculator, name="landed_cost_calculator"),
]

# Set-up: duty rates, lane rates, landed-cost settings
page_patterns += [
    path("setup/duty-rates/", table_views.duty_rate_list, name="duty_rate_list"),
    path("setup/duty-rates/new/", table_views.duty_rate_create, name="duty_rate_create"),
    path("setup/duty-rates/<uuid:duty_rate_id>/", table_views.duty_rate_edit, name="duty_rate_edit"),
    path("setup/duty-rates/<uuid:duty_rate_id>/delete/", table_views.duty_rate_delete, name="duty_rate_delete"),
    path("setup/lane-rates/", table_views.lane_rate_list, name="lane_rate_list"),
    path("setup/lane-rates/new/", table_views.lane_rate_create, name="lane_rate_create"),
    path("setup/lane-rates/<uuid:lane_rate_id>/", table_views.lane_rate_edit, name="lane_rate_edit"),
    path("setup/lane-rates/<uuid:lane_rate_id>/delete/", table_views.lane_rate_delete, name="lane_rate_delete"),
    path("setup/settings/", table_views.landed_cost_settings, name="landed_cost_settings"),
]
