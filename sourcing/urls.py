from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from rfq import urls as rfq_urls
from rfq.api import landed_cost as rfq_landed_cost_api
from rfq.api import tables as rfq_tables_api
from sourcing import accounts, export_job_views, partner_token_views, views
from sourcing.api import views as api_views
from sourcing.api.errors import json_not_found as api_not_found
from sourcing.categories import urls as category_urls
from sourcing.categories.api import categories as category_api
from sourcing.forms import EmailLoginForm
from sourcing.spend import urls as spend_urls
from sourcing.spend.api import analysis as spend_analysis_api
from sourcing.spend.api import findings as spend_findings_api
from sourcing.spend.api import imports as spend_imports_api
from sourcing.spend.api import lines as spend_lines_api
from sourcing.spend.api import setup as spend_setup_api
from sourcing.spend.api import vendors as spend_vendors_api
from sourcing.webhooks import urls as webhook_urls
from sourcing.webhooks.api import webhooks as webhook_api
from sourcing.workspace import portal
from sourcing.workspace import views as workspace_views
from suppliers import urls as supplier_urls
from suppliers.api import audits as supplier_audits_api
from suppliers.api import evidence as supplier_evidence_api
from suppliers.api import master as supplier_api
from suppliers.api import onboarding as supplier_onboarding_api
from suppliers.api import partner as supplier_partner_api

router = SimpleRouter()
router.register("memberships", api_views.MembershipViewSet, basename="membership")
router.register("audit-events", api_views.AuditEventViewSet, basename="auditevent")
for _module in (
    category_api,
    spend_setup_api,
    spend_imports_api,
    spend_lines_api,
    spend_vendors_api,
    spend_findings_api,
    supplier_api,
    supplier_evidence_api,
    supplier_onboarding_api,
    supplier_audits_api,
    rfq_tables_api,
    webhook_api,
):
    for _prefix, _viewset, _basename in _module.routes:
        router.register(_prefix, _viewset, basename=_basename)

public_api = {"authentication_classes": [], "permission_classes": [AllowAny]}

# The ERP's endpoints; its schema documents these and nothing else (the partner API has its own).
erp_api_routes: list[URLPattern | URLResolver] = [
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("tenant/", api_views.TenantSettingsView.as_view(), name="api-tenant"),
    *category_api.api_patterns,
    *spend_setup_api.api_patterns,
    *spend_imports_api.api_patterns,
    *spend_findings_api.api_patterns,
    *spend_analysis_api.api_patterns,
    *rfq_tables_api.api_patterns,
    *rfq_landed_cost_api.api_patterns,
    *router.urls,
]
api_patterns: list[URLPattern | URLResolver] = [
    path(
        "schema/",
        SpectacularAPIView.as_view(urlconf=[path("api/v1/", include(erp_api_routes))], **public_api),
        name="api-schema",
    ),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", **public_api), name="api-docs"),
    *erp_api_routes,
    # Anything else under /api/ answers the API's own JSON 404, in debug mode too.
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]

# The partner API: sourcing agents' own routes, with their own credential (partner tokens) and schema.
partner_router = SimpleRouter()
for _prefix, _viewset, _basename in supplier_partner_api.routes:
    partner_router.register(_prefix, _viewset, basename=_basename)
PARTNER_SCHEMA = {
    "TITLE": "Sourcewise partner API",
    "DESCRIPTION": (
        "For sourcing agents: the suppliers and audits assigned to you. "
        "Authenticate with `Authorization: Partner-Token <token>` (create tokens on the portal's API access page)."
    ),
    "SCHEMA_PATH_PREFIX": "/api/partner/v1",
}
partner_api_patterns: list[URLPattern | URLResolver] = [
    path(
        "schema/",
        SpectacularAPIView.as_view(
            urlconf=[path("api/partner/v1/", include(partner_router.urls))],
            custom_settings=PARTNER_SCHEMA,
            **public_api,
        ),
        name="partner-api-schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="partner-api-schema", **public_api),
        name="partner-api-docs",
    ),
    *partner_router.urls,
    re_path(r"^.*$", api_not_found, name="partner-api-not-found"),
]

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailLoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", accounts.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("preferences/", views.preferences, name="preferences"),
]

tenant_patterns: list[URLPattern | URLResolver] = [
    path("", views.tenant_home, name="tenant_home"),
    path("dashboard/", workspace_views.dashboard, name="dashboard"),
    path("settings/", views.tenant_settings, name="tenant_settings"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("exports/<uuid:export_job_id>/", export_job_views.export_job_detail, name="export_job_detail"),
    path("exports/<uuid:export_job_id>/download/", export_job_views.export_job_download, name="export_job_download"),
    path("admin/members/", views.member_list, name="member_list"),
    path("admin/members/invite/", views.member_invite, name="member_invite"),
    path("admin/members/<uuid:membership_id>/", views.member_edit, name="member_edit"),
    path("admin/members/<uuid:membership_id>/active/", views.member_set_active, name="member_set_active"),
    path("admin/agencies/", workspace_views.agency_list, name="agency_list"),
    path("admin/agencies/new/", views.agency_create, name="agency_create"),
    path("admin/agencies/<uuid:agency_id>/active/", views.agency_set_active, name="agency_set_active"),
    path("admin/assignments/", workspace_views.agent_assignment, name="agent_assignment"),
    path("admin/api-keys/", views.api_key_list, name="api_key_list"),
    path("admin/api-keys/<uuid:api_key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("admin/api-keys/partner-tokens/", partner_token_views.partner_token_list, name="partner_token_list"),
    path(
        "admin/api-keys/partner-tokens/<uuid:partner_token_id>/revoke/",
        partner_token_views.partner_token_revoke,
        name="partner_token_revoke",
    ),
    path("admin/webhooks/", include(webhook_urls.page_patterns)),
    path("categories/kraljic/", workspace_views.category_kraljic, name="category_kraljic"),
    path("categories/", include(category_urls.page_patterns)),
    path("spend/", include(spend_urls.page_patterns)),
    path("suppliers/", include(supplier_urls.page_patterns)),
    path("rfq/", include(rfq_urls.page_patterns)),
    path("portal/", portal.portal_home, name="portal_home"),
    path("portal/", include(supplier_urls.portal_patterns)),
    path("portal/api-access/", partner_token_views.portal_api_access, name="portal_api_access"),
    path(
        "portal/api-access/<uuid:partner_token_id>/revoke/",
        partner_token_views.portal_partner_token_revoke,
        name="portal_partner_token_revoke",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include(account_patterns)),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
    path("api/v1/", include(api_patterns)),
    path("api/partner/v1/", include(partner_api_patterns)),
]

handler400 = "sourcing.errorpages.bad_request"
handler404 = "sourcing.errorpages.page_not_found"
handler500 = "sourcing.errorpages.server_error"
handler403 = "sourcing.errorpages.permission_denied"
