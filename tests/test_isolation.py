"""The isolation harness: every route, every principal.

It walks the URL resolver and runs each page and API route against acme's objects as: anonymous, each acme
role, an assigned and an unassigned agent, globex's admin, and acme and globex API keys (read and write).
Expectations come from the routes' own declarations (a page's ``required_scope``, an endpoint's
``required_scopes``) and the role → scope table. A route it cannot classify fails the test, so every
future route must be covered here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from sourcing.api.base import TenantAPIMixin
from sourcing.api.partner import PartnerAPIMixin
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import API_KEY_SCOPES, INTERNAL_ROLES, ROLE_SCOPES, Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import SYSTEM
from tests.suppliers import harness_partner, harness_parts

# Each supplier subdomain describes its routes for this harness in a module of tests/suppliers/ (harness_*.py):
#   POST_ONLY, BODY_ID_ROUTES: sets of url names, as below;  API_PK_OBJECT: basename -> object key;
#   post_data(name, objects) -> the form a POST-only or body-id route is sent, or None when it is not theirs;
#   make_objects(tenant, supplier, members) -> {object key: id} of objects of ``tenant`` under ``supplier``
#   (for acme, the supplier the assigned agent holds), with ``members`` the tenant's memberships by role
#   (acme: every role, the agent being the assigned one; globex: admin, buyer and agent).
PARTS = harness_parts.PARTS

# Routes outside any tenant, open to everyone.
PUBLIC = {
    "healthz",
    "set_language",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "api-schema",
    "api-docs",
    "api-not-found",
    "partner-api-schema",
    "partner-api-docs",
    "partner-api-not-found",
}
# Routes outside any tenant that need a signed-in person (and show only that person's own data).
SIGNED_IN = {"home", "preferences", "password_change", "password_change_done"}
# POST-only pages (every other page is exercised with GET), with the form each one is sent.
POST_ONLY = {"member_set_active", "agency_set_active", "agent_assignment", "api_key_revoke"}
POST_ONLY |= {"fx_rate_delete", "category_rule_delete", "column_mapping_delete"}  # spend set-up
POST_ONLY |= {"category_delete", "category_spec_upload"}  # categories
POST_ONLY |= {"finding_assign", "finding_set_status", "finding_note", "baseline_delete"}  # findings, baselines
POST_ONLY |= {"vendor_link", "vendor_create_supplier", "vendor_unmerge", "vendor_merge", "vendors_rematch"}  # spend
POST_ONLY |= {"findings_raise"}
for _part in PARTS:
    POST_ONLY |= _part.POST_ONLY


def _post_data(name: str, objects: dict[str, str]) -> dict[str, Any]:
    forms: dict[str, dict[str, Any]] = {
        "vendor_link": {"supplier": objects["supplier_id"]},
        "vendor_merge": {"target": objects["vendor_id"], "vendors": [objects["vendor_id"], objects["other_vendor_id"]]},
        "member_set_active": {"active": "1"},
        "agency_set_active": {"active": "1"},
        "agent_assignment": {"supplier": objects["supplier_id"], "agent": objects["agent_id"]},
        "member_invite": {"email": "new.agent@bridge.test", "role": "agent", "agency": objects["agency_id"]},
        "category_rule_create": _rule_form(objects),
        "category_rule_edit": _rule_form(objects),
        "category_create": {
            "code": "HARNESS",
            "name": "Harness category",
            "parent": objects["category_id"],
            "owner": objects["membership_id"],
        },
        "finding_create": {"kind": "other", "title": "Harness finding", "category": objects["category_id"]},
        "finding_assign": {"assignee": objects["membership_id"]},
        "finding_set_status": {"status": "in_progress"},
        "finding_note": {"note": "Harness note"},
    }
    for part in PARTS:
        form = part.post_data(name, objects)
        if form is not None:
            return form
    return forms.get(name, {})


def _rule_form(objects: dict[str, str]) -> dict[str, str]:
    return {"priority": "10", "field": "description", "pattern": "bolt", "category": objects["rule_category_id"]}


def _leaks(body: str, world: World, *, into: str) -> list[str]:
    """Identifiers of the *other* tenant's objects found in a response for tenant ``into``."""
    other = world.globex_objects if into == "acme" else world.objects
    other_tenant = world.globex if into == "acme" else world.acme
    needles = [v for v in other.values() if v] + [str(other_tenant.pk)]
    return [n for n in needles if n in body]


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p))
    return found


ROUTES = _walk(get_resolver().url_patterns)


@dataclass
class World:
    acme: Tenant
    globex: Tenant
    members: dict[str, Membership]
    globex_admin: Membership
    assigned_agent: Membership
    unassigned_agent: Membership
    supplier: Supplier
    keys: dict[str, str]
    objects: dict[str, str]
    globex_objects: dict[str, str]


def _spend_setup_objects(tenant: Tenant) -> dict[str, str]:
    """An FX rate, a category rule with its category, and a column mapping of ``tenant``."""
    import datetime
    from decimal import Decimal

    from sourcing.categories.models import Category
    from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate

    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="RULE-CAT", name="Fasteners")
        day = datetime.date(2026, 3, 2)
        rate = FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=day, rate=Decimal("0.14"))
        rule = CategoryRule.objects.create(tenant=tenant, field="description", pattern="bolt", category=category)
        mapping = ColumnMapping.objects.create(tenant=tenant, name="ERP layout", columns={"amount": "Total"})
    return {
        "rule_category_id": str(category.pk),
        "fx_rate_id": str(rate.pk),
        "rule_id": str(rule.pk),
        "mapping_id": str(mapping.pk),
    }


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # specification files written by the world and by uploads


def _category_objects(tenant: Tenant, name: str) -> dict[str, str]:
    """A category of ``tenant`` with a subcategory and a specification document."""
    import io

    from sourcing.categories.services.categories import category_create, category_spec_upload

    with tenant_scope(tenant):
        category = category_create(tenant=tenant, by=SYSTEM, code="111", name=name, profit_impact=4, supply_risk=3)
        category_create(tenant=tenant, by=SYSTEM, code="111-A", name=f"{name} (large)", parent_id=category.pk)
        spec = category_spec_upload(
            tenant=tenant, by=SYSTEM, category_id=category.pk, title="Drawing", file=io.BytesIO(b"%PDF-1.4\n%%EOF\n")
        )
    return {"category_id": str(category.pk), "spec_id": str(spec.pk)}


def _spend_objects(tenant: Tenant) -> dict[str, str]:
    """An imported spend line (with its vendor and import) and a rejected import of ``tenant``."""
    from sourcing.spend.models import SpendImport, SpendLine
    from sourcing.spend.services.imports import spend_lines_bulk

    line = {
        "invoice_date": "2026-03-05",
        "invoice_number": f"{tenant.slug.upper()}-INV-1",
        "supplier_name": f"{tenant.name} Vendor Co., Ltd.",
        "quantity": "2",
        "unit_price": "5",
        "currency": tenant.base_currency,
    }
    alias = {**line, "supplier_name": f"{tenant.name} Vendor Company Limited", "invoice_number": "2"}
    with tenant_scope(tenant):
        imported = spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=[line, alias])
        spend_line, other_line = SpendLine.objects.filter(spend_import=imported).order_by("invoice_number")
        spend_import = SpendImport.objects.create(
            tenant=tenant,
            source="api_lines",
            file_name=f"{tenant.slug}-harness.csv",
            status="failed",
            error_count=1,
            errors=[{"row": 2, "column": "amount", "message": "Not a number.", "value": "=1+1"}],
        )
    return {
        "import_id": str(spend_import.pk),
        "line_id": str(spend_line.pk),
        "vendor_id": str(spend_line.vendor_id),
        "other_vendor_id": str(other_line.vendor_id),
        "imported_id": str(imported.pk),
    }


def _findings_objects(tenant: Tenant, assignee: Membership) -> dict[str, str]:
    """A finding held by ``assignee`` and a baseline of the spend ``_spend_objects`` imported, of ``tenant``."""
    from sourcing.spend.services.findings import baseline_freeze, finding_assign, finding_create

    with tenant_scope(tenant):
        finding = finding_create(
            tenant=tenant, by=SYSTEM, kind="maverick", title=f"{tenant.name} finding", estimated_saving="10"
        )
        finding_assign(tenant=tenant, by=SYSTEM, finding_id=finding.pk, assignee_id=assignee.pk)
        baseline = baseline_freeze(
            tenant=tenant, by=SYSTEM, name=f"{tenant.name} March", period_start="2026-03-01", period_end="2026-03-31"
        )
    return {"finding_id": str(finding.pk), "baseline_id": str(baseline.pk)}


@pytest.fixture
def world(make_member: Any, make_api_key: Any, make_agency: Any) -> World:
    acme = Tenant.objects.create(slug="acme", name="Acme Home Goods", time_zone="America/Chicago")
    globex = Tenant.objects.create(slug="globex", name="Globex Outdoor", time_zone="America/Los_Angeles")
    members = {role: make_member(acme, role) for role in INTERNAL_ROLES}
    assigned = make_member(acme, Role.AGENT, email="agent.li@szbridge.test")
    unassigned = make_member(acme, Role.AGENT, email="agent.chen@szbridge.test")
    globex_admin = make_member(globex, Role.ADMIN)
    globex_buyer = make_member(globex, Role.BUYER)
    globex_agent = make_member(globex, Role.AGENT, email="agent.li@szbridge.test")  # one agent, two tenants
    keys = {}
    acme_key, keys["acme-read"] = make_api_key(acme, ("read",), "acme-read")
    _k, keys["acme-write"] = make_api_key(acme, ("write",), "acme-write")
    _k, keys["globex-rw"] = make_api_key(globex, ("read", "write"), "globex-rw")
    with tenant_scope(acme):
        supplier = Supplier.objects.create(
            tenant=acme,
            legal_name="Ningbo Everbright Housewares Co., Ltd.",
            internal_notes="TARGET-PRICE-SECRET",
        )
        agent_assign(tenant=acme, by=SYSTEM, agent_membership_id=assigned.pk, obj=supplier)
        event = AuditEvent.objects.order_by("id").first()
    acme_agency = make_agency(acme)
    with tenant_scope(globex):
        globex_supplier = Supplier.objects.create(tenant=globex, legal_name="Xiamen Peakline")
        globex_event = AuditEvent.objects.order_by("id").first()
    _gk, _ = make_api_key(globex, ("read",), "globex-read")
    globex_agency = make_agency(globex)
    objects = {
        "membership_id": str(members[Role.BUYER].pk),
        "agency_id": str(acme_agency.pk),
        "api_key_id": str(acme_key.pk),
        "supplier_id": str(supplier.pk),
        "pk": "",
    }
    globex_objects = {
        "membership_id": str(globex_buyer.pk),
        "agency_id": str(globex_agency.pk),
        "api_key_id": str(_gk.pk),
        "supplier_id": str(globex_supplier.pk),
    }
    objects["event_id"] = str(event.pk) if event else ""
    objects["agent_id"] = str(unassigned.pk)
    globex_objects["agent_id"] = str(globex_buyer.pk)
    globex_objects["event_id"] = str(globex_event.pk) if globex_event else ""
    objects.update(_spend_setup_objects(acme))
    globex_objects.update(_spend_setup_objects(globex))
    objects.update(_category_objects(acme, "Stainless steel pots"))
    globex_objects.update(_category_objects(globex, "Tent poles"))
    objects.update(_spend_objects(acme))
    globex_objects.update(_spend_objects(globex))
    objects.update(_findings_objects(acme, members[Role.BUYER]))
    globex_objects.update(_findings_objects(globex, globex_buyer))
    globex_members: dict[str, Membership] = {
        Role.ADMIN: globex_admin,
        Role.BUYER: globex_buyer,
        Role.AGENT: globex_agent,
    }
    acme_members: dict[str, Membership] = dict(members.items())
    acme_members[Role.AGENT] = assigned
    for part in PARTS:
        objects.update(part.make_objects(acme, supplier, acme_members))
        globex_objects.update(part.make_objects(globex, globex_supplier, globex_members))
    return World(acme, globex, members, globex_admin, assigned, unassigned, supplier, keys, objects, globex_objects)


# API detail routes take `pk`; which object it names depends on the endpoint.
API_PK_OBJECT = {"membership": "membership_id", "auditevent": "event_id", "supplier": "supplier_id"}
API_PK_OBJECT["category"] = "category_id"
API_PK_OBJECT |= {"spendimport": "import_id", "spendline": "line_id", "vendor": "vendor_id"}  # spend
API_PK_OBJECT |= {"fxrate": "fx_rate_id", "categoryrule": "rule_id", "columnmapping": "mapping_id"}  # spend set-up
API_PK_OBJECT |= {"finding": "finding_id", "baseline": "baseline_id"}  # findings and baselines
for _part in PARTS:
    API_PK_OBJECT |= _part.API_PK_OBJECT


def _classify(pattern: str, url: URLPattern) -> str:
    callback = url.callback
    cls = getattr(callback, "cls", None)
    if url.name in PUBLIC:
        return "public"
    if url.name in SIGNED_IN:
        return "signed_in"
    if pattern.startswith("t/<slug:tenant_slug>/") and getattr(callback, "required_scope", None):
        return "tenant_page"
    if pattern.startswith("api/v1/") and cls is not None and issubclass(cls, TenantAPIMixin):
        return "api"
    if pattern.startswith("api/partner/v1/") and cls is not None and issubclass(cls, PartnerAPIMixin):
        return "partner_api"
    pytest.fail(f"The isolation harness cannot classify route {pattern!r} ({url.name}); add it.")


def test_every_route_is_classified() -> None:
    kinds = {url.name: _classify(pattern, url) for pattern, url in ROUTES}
    assert kinds["dashboard"] == "tenant_page"
    assert kinds["api-me"] == "api"
    assert kinds["partner-supplier-list"] == "partner_api"
    assert {"tenant_page", "api", "partner_api", "public", "signed_in"} == set(kinds.values())


def _params(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)


def _kwargs(pattern: str, url: URLPattern, objects: dict[str, str], tenant_slug: str) -> dict[str, str]:
    kwargs: dict[str, str] = {}
    for name in _params(pattern):
        if name == "tenant_slug":
            kwargs[name] = tenant_slug
        elif name == "pk":
            basename = url.name.rsplit("-", 1)[0] if url.name else ""
            kwargs[name] = objects[API_PK_OBJECT[basename]]
        elif name in objects:
            kwargs[name] = objects[name]
        elif name in {"uidb64", "token"}:
            kwargs[name] = "x"
        else:
            pytest.fail(f"The isolation harness has no object for <{name}> in {pattern!r}; add it.")
    return kwargs


def _audit_counts(world: World) -> tuple[int, int]:
    with tenant_scope(world.acme):
        acme = AuditEvent.objects.count()
    with tenant_scope(world.globex):
        globex = AuditEvent.objects.count()
    return acme, globex


PAGE_ROUTES = [(p, u) for p, u in ROUTES if u.name not in PUBLIC | SIGNED_IN and not p.startswith("api/")]
API_ROUTES = [(p, u) for p, u in ROUTES if p.startswith("api/v1/") and u.name not in PUBLIC]
PAGE_PRINCIPALS = ["anonymous", *sorted(INTERNAL_ROLES), "assigned_agent", "unassigned_agent", "globex_admin"]


def _page_client(world: World, principal: str) -> Client:
    client = Client()
    membership = {
        "anonymous": None,
        "assigned_agent": world.assigned_agent,
        "unassigned_agent": world.unassigned_agent,
        "globex_admin": world.globex_admin,
    }.get(principal, world.members.get(principal))
    if membership is not None:
        client.force_login(membership.user)
    return client


def _page_scopes(world: World, principal: str) -> frozenset[str]:
    if principal in {"assigned_agent", "unassigned_agent"}:
        return ROLE_SCOPES[Role.AGENT]
    if principal in ROLE_SCOPES:
        return ROLE_SCOPES[principal]
    return frozenset()


@pytest.mark.parametrize("principal", PAGE_PRINCIPALS)
@pytest.mark.parametrize(("pattern", "url"), PAGE_ROUTES, ids=[u.name for _, u in PAGE_ROUTES])
def test_tenant_page(world: World, principal: str, pattern: str, url: URLPattern) -> None:
    assert _classify(pattern, url) == "tenant_page"
    path = reverse(url.name, kwargs=_kwargs(pattern, url, world.objects, "acme"))
    client = _page_client(world, principal)
    method = "post" if url.name in POST_ONLY else "get"
    before = _audit_counts(world)
    response = getattr(client, method)(path, _post_data(url.name, world.objects) if method == "post" else None)
    status = response.status_code
    assert status < 500, response.content[:2000]
    scope = url.callback.required_scope
    if principal == "anonymous":
        assert status == 302 and response["Location"].startswith(reverse("login")), status
    elif principal == "globex_admin":
        assert status == 404
    elif scope not in _page_scopes(world, principal):
        assert status == 403
    elif url.name.startswith("portal_") and principal == "unassigned_agent" and set(_params(pattern)) - {"tenant_slug"}:
        assert status == 404  # every partner page about an object is about an assigned one
    else:
        assert status in {200, 302, 400}, (status, response.content[:2000])
        content = b"".join(response.streaming_content) if response.streaming else response.content  # files
        body = content.decode(errors="replace")
        if principal.endswith("agent"):
            assert "TARGET-PRICE-SECRET" not in body
        assert _leaks(body, world, into="acme") == [], "another tenant's object ids leaked into an acme page"
        if status == 200 and principal != "assigned_agent":  # that agent is a globex member too
            assert "globex" not in body.lower(), "another tenant's name leaked into an acme page"
    if status in {403, 404} or principal in {"anonymous", "globex_admin"}:
        assert _audit_counts(world) == before, "a refused request wrote something"


# Pages that take object ids in the path, or in the body (those must resolve through the scoped manager too).
BODY_ID_ROUTES = {"agent_assignment", "member_invite"}
BODY_ID_ROUTES |= {"category_rule_create", "category_rule_edit"}  # a rule form posts a category id
BODY_ID_ROUTES |= {"category_create"}  # the category form posts a parent and an owner id
BODY_ID_ROUTES |= {"finding_create"}  # the finding form posts a category id
BODY_ID_ROUTES |= {"vendor_merge"}  # vendor ids in the form (vendor_link's supplier id rides with a path id)
for _part in PARTS:
    BODY_ID_ROUTES |= _part.BODY_ID_ROUTES
OBJECT_PAGE_ROUTES = [(p, u) for p, u in PAGE_ROUTES if set(_params(p)) - {"tenant_slug"} or u.name in BODY_ID_ROUTES]


@pytest.mark.parametrize(("pattern", "url"), OBJECT_PAGE_ROUTES, ids=[u.name for _, u in OBJECT_PAGE_ROUTES])
def test_other_tenants_object_is_a_missing_object(world: World, pattern: str, url: URLPattern) -> None:
    """globex's admin, on globex's own pages, asking for acme's object ids: the same answer as a random id
    (404 for an id in the path; for an id in a form, the same refusal), and nothing written."""
    # Portal pages are asked by the agent who holds acme's grant, through globex's portal.
    client = _page_client(world, "assigned_agent" if url.name.startswith("portal") else "globex_admin")
    method = "post" if url.name in POST_ONLY | BODY_ID_ROUTES else "get"
    acme_ids = {k: v for k, v in world.objects.items()}
    missing = {k: str(uuid.uuid4()) for k in acme_ids}
    before = _audit_counts(world)
    theirs = getattr(client, method)(
        reverse(url.name, kwargs=_kwargs(pattern, url, acme_ids, "globex")),
        _post_data(url.name, acme_ids) if method == "post" else None,
    )
    nothing = getattr(client, method)(
        reverse(url.name, kwargs=_kwargs(pattern, url, missing, "globex")),
        _post_data(url.name, missing) if method == "post" else None,
    )
    in_path = bool(set(_params(pattern)) - {"tenant_slug"})
    assert theirs.status_code == nothing.status_code
    # an id in a form: the same page again, the same 404, or the same redirect back with the same message
    assert theirs.status_code == 404 if in_path else theirs.status_code in {200, 302, 404}
    assert theirs.get("Location") == nothing.get("Location")
    assert _without_csrf(theirs.content) == _without_csrf(nothing.content)
    assert _audit_counts(world) == before


def _without_csrf(content: bytes) -> bytes:
    """Pages carry a per-request CSRF token; everything else must be byte-identical."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


API_PRINCIPALS = ["anonymous", "acme-read", "acme-write", "globex-rw"]


def _api_client(world: World, principal: str) -> APIClient:
    client = APIClient()
    if principal != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    return client


def _api_methods(url: URLPattern) -> dict[str, str]:
    """HTTP method → required scope, as the endpoint declares it."""
    cls = url.callback.cls
    actions = getattr(url.callback, "actions", None)
    methods = (
        {m.upper() for m in actions if m not in {"head", "options"}}
        if actions
        else {m.upper() for m in cls.http_method_names if hasattr(cls, m) and m not in {"options", "head"}}
    )
    # DELETE last: it removes the object the other methods are tried on.
    return {m: cls.required_scopes[m] for m in sorted(methods, key=lambda m: (m == "DELETE", m))}


@pytest.mark.parametrize("principal", API_PRINCIPALS)
@pytest.mark.parametrize(("pattern", "url"), API_ROUTES, ids=[u.name for _, u in API_ROUTES])
def test_api_route(world: World, principal: str, pattern: str, url: URLPattern) -> None:
    assert _classify(pattern, url) == "api"
    path = reverse(url.name, kwargs=_kwargs(pattern, url, world.objects, "acme"))
    client = _api_client(world, principal)
    for method, scope in _api_methods(url).items():
        before = _audit_counts(world)
        response = client.generic(method, path, data="{}", content_type="application/json")
        status = response.status_code
        assert status < 500, response.content[:2000]
        body = response.json() if status != 204 else {}  # a deletion answers with no body
        if status >= 400:
            assert set(body) == {"error"} and body["error"]["status"] == status, body
        key_scopes = (
            frozenset()
            if principal == "anonymous"
            else frozenset().union(
                *(
                    API_KEY_SCOPES[s]
                    for s in {"acme-read": ["read"], "acme-write": ["write"], "globex-rw": ["read", "write"]}[principal]
                )
            )
        )
        has_pk = "pk" in _params(pattern)
        if principal == "anonymous":
            assert status == 401
        elif scope != "*" and scope not in key_scopes:
            assert status == 403
        elif principal == "globex-rw" and has_pk:
            assert status == 404
        else:
            assert status in {200, 201, 204, 400}, (status, body)
        if status in {200, 201}:
            body_text = response.content.decode()
            tenant_of_key = "globex" if principal == "globex-rw" else "acme"
            assert _leaks(body_text, world, into=tenant_of_key) == [], "another tenant's ids in an API answer"
            other_name = "acme" if tenant_of_key == "globex" else "globex"
            assert other_name not in body_text.lower(), "another tenant's name in an API answer"
        if status in {401, 403, 404}:
            assert _audit_counts(world) == before, "a refused request wrote something"


API_DETAIL_ROUTES = [(p, u) for p, u in API_ROUTES if "pk" in _params(p)]


@pytest.mark.parametrize(("pattern", "url"), API_DETAIL_ROUTES, ids=[u.name for _, u in API_DETAIL_ROUTES])
def test_api_other_tenants_id_is_a_missing_id(world: World, pattern: str, url: URLPattern) -> None:
    client = _api_client(world, "globex-rw")
    # Read where the route reads; an action that only writes is sent an empty body (refused, but found).
    method = "GET" if "GET" in _api_methods(url) else next(iter(_api_methods(url)))

    def ask(kwargs: dict[str, str]) -> Any:
        return client.generic(method, reverse(url.name, kwargs=kwargs), data="{}", content_type="application/json")

    theirs = ask(_kwargs(pattern, url, world.objects, "acme"))
    ours = ask(_kwargs(pattern, url, world.globex_objects, "globex"))
    missing = ask({"pk": str(uuid.uuid4())})
    expected = {200} if method == "GET" else {200, 201, 400, 409}
    assert ours.status_code in expected, "the harness's own-tenant control case must find its object"
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


# The partner API: the agents' own routes, with partner tokens. Each route is described (the body each method is
# sent) in tests/suppliers/harness_partner.py; its principals are an agent assigned to acme's objects, an acme agent
# assigned nothing, the assigned agent's own globex membership (one person, two tenants), and an acme ERP key
# (never accepted here).
PARTNER_ROUTES = [(p, u) for p, u in ROUTES if p.startswith("api/partner/v1/") and u.name not in PUBLIC]
PARTNER_PRINCIPALS = ["anonymous", "acme-write", "assigned_agent", "unassigned_agent", "globex_agent"]


@pytest.fixture
def partner_tokens(world: World) -> dict[str, str]:
    from sourcing.actors import Actor
    from sourcing.partner_tokens import partner_token_create

    with tenant_scope(world.globex):
        globex_agent = Membership.objects.get(user=world.assigned_agent.user)
    tokens = {}
    for principal, membership in (
        ("assigned_agent", world.assigned_agent),
        ("unassigned_agent", world.unassigned_agent),
        ("globex_agent", globex_agent),
    ):
        with tenant_scope(membership.tenant):
            _token, tokens[principal] = partner_token_create(
                tenant=membership.tenant, by=Actor.for_membership(membership), name="Harness API"
            )
    return tokens


def _partner_client(world: World, tokens: dict[str, str], principal: str) -> APIClient:
    client = APIClient()
    if principal == "acme-write":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    elif principal != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {tokens[principal]}")
    return client


def _partner_requests(url: URLPattern) -> dict[str, Any]:
    requests = harness_partner.PARTNER_REQUESTS.get(url.name or "")
    if requests is None:
        pytest.fail(
            f"The isolation harness has no description of partner route {url.name!r}; add it to harness_partner."
        )
    declared = set(_api_methods(url))
    assert set(requests) == declared, (url.name, declared)
    return requests


def _partner_ask(client: APIClient, method: str, path: str, body: tuple[dict[str, Any], str]) -> Any:
    data, fmt = body
    if method == "GET":
        return client.get(path)
    assert method == "POST", method  # partner routes read and create; they change and delete nothing
    return client.post(path, data, format=fmt)


@pytest.mark.parametrize("principal", PARTNER_PRINCIPALS)
@pytest.mark.parametrize(("pattern", "url"), PARTNER_ROUTES, ids=[u.name for _, u in PARTNER_ROUTES])
def test_partner_api_route(
    world: World, partner_tokens: dict[str, str], principal: str, pattern: str, url: URLPattern
) -> None:
    assert _classify(pattern, url) == "partner_api"
    requests = _partner_requests(url)
    path = reverse(url.name, kwargs=_kwargs(pattern, url, world.objects, "acme"))
    client = _partner_client(world, partner_tokens, principal)
    has_pk = "pk" in _params(pattern)
    for method, scope in _api_methods(url).items():
        assert scope in ROLE_SCOPES[Role.AGENT], (url.name, method, scope)
        before = _audit_counts(world)
        response = _partner_ask(client, method, path, requests[method](world.objects))
        status = response.status_code
        assert status < 500, response.content[:2000]
        body = response.json()
        if status >= 400:
            assert set(body) == {"error"} and body["error"]["status"] == status, body
        names_object = url.name in harness_partner.PARTNER_BODY_ID_ROUTES and method == "POST"
        if principal in {"anonymous", "acme-write"}:
            assert status == 401  # an ERP key never opens the partner API
        elif principal in {"unassigned_agent", "globex_agent"} and (has_pk or names_object):
            assert status == 404, (status, body)
        else:
            assert status in {200, 201, 400}, (status, body)
        text = response.content.decode()
        assert "TARGET-PRICE-SECRET" not in text
        into = "globex" if principal == "globex_agent" else "acme"
        assert _leaks(text, world, into=into) == [], "another tenant's ids in a partner API answer"
        if principal != "assigned_agent" and status == 200:
            assert world.objects["supplier_id"] not in text, "an unassigned supplier in a partner API answer"
        if status in {401, 403, 404}:
            assert _audit_counts(world) == before, "a refused request wrote something"


PARTNER_DETAIL_ROUTES = [(p, u) for p, u in PARTNER_ROUTES if "pk" in _params(p)]


@pytest.mark.parametrize(("pattern", "url"), PARTNER_DETAIL_ROUTES, ids=[u.name for _, u in PARTNER_DETAIL_ROUTES])
def test_partner_other_tenants_id_is_a_missing_id(
    world: World, partner_tokens: dict[str, str], pattern: str, url: URLPattern
) -> None:
    """The assigned agent's own globex token, asking for acme's objects: the same 404 as a random id, nothing
    written; through the acme token the same ids are found (the control case)."""
    requests = _partner_requests(url)
    method = "GET" if "GET" in requests else next(iter(requests))
    before = _audit_counts(world)

    def ask(principal: str, kwargs: dict[str, str]) -> Any:
        client = _partner_client(world, partner_tokens, principal)
        return _partner_ask(client, method, reverse(url.name, kwargs=kwargs), requests[method](world.objects))

    acme_ids = _kwargs(pattern, url, world.objects, "acme")
    theirs = ask("globex_agent", acme_ids)
    missing = ask("globex_agent", {"pk": str(uuid.uuid4())})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert _audit_counts(world) == before
    ours = ask("assigned_agent", acme_ids)
    assert ours.status_code in ({200} if method == "GET" else {200, 201, 400}), ours.content


@pytest.mark.parametrize(
    ("pattern", "url"),
    [(p, u) for p, u in ROUTES if u.name in PUBLIC | SIGNED_IN],
    ids=[u.name for p, u in ROUTES if u.name in PUBLIC | SIGNED_IN],
)
def test_non_tenant_route(world: World, pattern: str, url: URLPattern) -> None:
    kwargs = _kwargs(pattern, url, world.objects, "acme")
    path = reverse(url.name, kwargs=kwargs)
    method = "post" if url.name in {"set_language", "logout"} else "get"
    anonymous = getattr(Client(), method)(path)
    assert anonymous.status_code < 500
    if url.name in SIGNED_IN:
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
        signed_in = _page_client(world, Role.BUYER).get(path)
        assert signed_in.status_code in {200, 302}
        assert "Globex" not in signed_in.content.decode()
    elif url.name in {"api-not-found", "partner-api-not-found"}:
        assert anonymous.status_code == 404
        assert anonymous.json()["error"]["code"] == "not_found"
    else:
        assert anonymous.status_code in {200, 302}
