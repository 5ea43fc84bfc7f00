"""The isolation harness: every route, every principal.

It walks the URL resolver and runs each page and API route against acme's objects as: anonymous, each acme
role, an assigned and an unassigned agent, globex's admin, and acme and globex API keys (read and write).
Expectations come from the routes' own declarations (a page's ``required_scope``, an endpoint's
``required_scopes``) and the role → scope table. A route it cannot classify fails the test, so every
future route must be covered here.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from sourcing.api.base import TenantAPIMixin
from sourcing.api.partner import PartnerAPIMixin
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import API_KEY_SCOPES, INTERNAL_ROLES, ROLE_SCOPES, Role
from sourcing.services import agent_assign
from sourcing.tenancy import (
    API_KEY_SETTING,
    PARTNER_TOKEN_SETTING,
    TENANT_SETTING,
    USER_SETTING,
    current_tenant_or_none,
    tenant_scope,
)
from suppliers.models import Supplier
from suppliers.selectors import duplicates
from tests import harness
from tests.conftest import SYSTEM, new_api_key, new_member

# Each app describes its routes and builds its objects in tests/harness/<app>.py (the interface is in
# tests/harness/__init__.py); this module is the generic machinery.
PARTS = harness.parts()

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
POST_ONLY: set[str] = set()
for _part in PARTS:
    POST_ONLY |= _part.POST_ONLY


# Pages about a record only its owner reaches (an export job: its requester), by the owner's role in acme.
OWN_ROUTES: dict[str, str] = {}
for _part in PARTS:
    OWN_ROUTES |= getattr(_part, "OWN_ROUTES", {})


def _post_data(name: str, objects: dict[str, str]) -> dict[str, Any]:
    for part in PARTS:
        form = part.post_data(name, objects)
        if form is not None:
            return form
    return {}


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


@dataclass(frozen=True)
class Built:
    """What the world is, by id: built once per module (and process), every test rolled back to it."""

    acme_id: Any
    globex_id: Any
    member_ids: dict[str, Any]  # acme's, by role
    globex_admin_id: Any
    assigned_agent_id: Any
    unassigned_agent_id: Any
    supplier_id: Any
    keys: dict[str, str]
    partner_tokens: dict[str, str]
    objects: dict[str, str]
    globex_objects: dict[str, str]
    audit_counts: tuple[int, int]


@dataclass
class World:
    """The world as one test sees it: instances loaded afresh for the test, so none carries another's state."""

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


def _build() -> Built:
    acme = Tenant.objects.create(slug="acme", name="Acme Home Goods", time_zone="America/Chicago")
    globex = Tenant.objects.create(slug="globex", name="Globex Outdoor", time_zone="America/Los_Angeles")
    members = {role: new_member(acme, role) for role in INTERNAL_ROLES}
    assigned = new_member(acme, Role.AGENT, email="agent.li@szbridge.test")
    unassigned = new_member(acme, Role.AGENT, email="agent.chen@szbridge.test")
    globex_admin = new_member(globex, Role.ADMIN)
    globex_buyer = new_member(globex, Role.BUYER)
    globex_agent = new_member(globex, Role.AGENT, email="agent.li@szbridge.test")  # one agent, two tenants
    keys = {}
    _k, keys["acme-read"] = new_api_key(acme, ("read",), "acme-read")
    _k, keys["acme-write"] = new_api_key(acme, ("write",), "acme-write")
    _k, keys["acme-admin"] = new_api_key(acme, ("admin",), "acme-admin")
    _k, keys["globex-rw"] = new_api_key(globex, ("read", "write", "admin"), "globex-rw")
    with tenant_scope(acme):
        supplier = Supplier.objects.create(
            tenant=acme,
            legal_name="Ningbo Everbright Housewares Co., Ltd.",
            internal_notes="TARGET-PRICE-SECRET",
        )
        agent_assign(tenant=acme, by=SYSTEM, agent_membership_id=assigned.pk, obj=supplier)
    with tenant_scope(globex):
        globex_supplier = Supplier.objects.create(tenant=globex, legal_name="Xiamen Peakline")
    acme_members: dict[str, Membership] = dict(members.items())
    acme_members |= {Role.AGENT: assigned, "unassigned_agent": unassigned}
    globex_members: dict[str, Membership] = {
        Role.ADMIN: globex_admin,
        Role.BUYER: globex_buyer,
        Role.AGENT: globex_agent,
    }
    objects: dict[str, str] = {"pk": ""}
    globex_objects: dict[str, str] = {}
    for part in PARTS:
        objects.update(part.make_objects(acme, supplier, acme_members))
        globex_objects.update(part.make_objects(globex, globex_supplier, globex_members))
    return Built(
        acme_id=acme.pk,
        globex_id=globex.pk,
        member_ids={role: m.pk for role, m in members.items()},
        globex_admin_id=globex_admin.pk,
        assigned_agent_id=assigned.pk,
        unassigned_agent_id=unassigned.pk,
        supplier_id=supplier.pk,
        keys=keys,
        partner_tokens=_partner_tokens(assigned, unassigned, globex_agent),
        objects=objects,
        globex_objects=globex_objects,
        audit_counts=_audit_counts_of(acme, globex),
    )


def _partner_tokens(assigned: Membership, unassigned: Membership, globex_agent: Membership) -> dict[str, str]:
    """Partner tokens of the agent assigned to acme's supplier, of an acme agent assigned nothing, and of the
    assigned agent's own globex membership (one person, two tenants)."""
    from sourcing.actors import Actor
    from sourcing.partner_tokens import partner_token_create

    tokens = {}
    for principal, membership in (
        ("assigned_agent", assigned),
        ("unassigned_agent", unassigned),
        ("globex_agent", globex_agent),
    ):
        with tenant_scope(membership.tenant):
            _token, tokens[principal] = partner_token_create(
                tenant=membership.tenant, by=Actor.for_membership(membership), name="Harness API"
            )
    return tokens


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The world, built once for the module inside an outer transaction that is rolled back at its end. Each
    test's own transaction (pytest-django's ``db``) is a savepoint in it, rolled back after the test."""
    media = tmp_path_factory.mktemp("harness-media")  # files written by the world and by uploads
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py's, for the module
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)


_DB_SETTINGS = (TENANT_SETTING, USER_SETTING, API_KEY_SETTING, PARTNER_TOKEN_SETTING)


def _leftover_scope() -> list[str]:
    """Any tenant scope, or row-level-security setting, still in force: none may outlive the test that set it."""
    left = [] if current_tenant_or_none() is None else ["tenant context"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join("current_setting(%s, true)" for _ in _DB_SETTINGS), list(_DB_SETTINGS))
            row = cursor.fetchone()
        left += [f"{name}={value}" for name, value in zip(_DB_SETTINGS, row, strict=True) if value]
    return left


@pytest.fixture
def world(built: Built, db: Any, settings: Any) -> Iterator[World]:
    # A cache of the test's own: throttle counters, idempotency locks and the like start empty, as they did
    # when every test built its world (a new key prefix, since the Redis database is shared by processes).
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"
    settings.CACHES = caches
    duplicates._INDEX.clear()  # the per-process supplier name index
    assert _leftover_scope() == [], "a tenant scope outlived the test before"
    acme = Tenant.objects.get(pk=built.acme_id)
    globex = Tenant.objects.get(pk=built.globex_id)
    with tenant_scope(acme):
        acme_members = Membership.objects.select_related("user", "tenant").in_bulk(
            [*built.member_ids.values(), built.assigned_agent_id, built.unassigned_agent_id]
        )
        supplier = Supplier.objects.get(pk=built.supplier_id)
    with tenant_scope(globex):
        globex_admin = Membership.objects.select_related("user", "tenant").get(pk=built.globex_admin_id)
    # Every test starts from the world as built: whatever the one before wrote was rolled back.
    assert _audit_counts_of(acme, globex) == built.audit_counts, "the world still holds another test's writes"
    yield World(
        acme=acme,
        globex=globex,
        members={role: acme_members[pk] for role, pk in built.member_ids.items()},
        globex_admin=globex_admin,
        assigned_agent=acme_members[built.assigned_agent_id],
        unassigned_agent=acme_members[built.unassigned_agent_id],
        supplier=supplier,
        keys=dict(built.keys),
        objects=dict(built.objects),
        globex_objects=dict(built.globex_objects),
    )
    assert _leftover_scope() == [], "a tenant scope outlived the test"


# API detail routes take `pk`; which object it names depends on the endpoint.
API_PK_OBJECT: dict[str, str] = {}
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
    return _audit_counts_of(world.acme, world.globex)


def _audit_counts_of(acme: Tenant, globex: Tenant) -> tuple[int, int]:
    with tenant_scope(acme):
        acme_count = AuditEvent.objects.count()
    with tenant_scope(globex):
        globex_count = AuditEvent.objects.count()
    return acme_count, globex_count


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
    elif url.name in OWN_ROUTES and principal != OWN_ROUTES[url.name]:
        assert status == 404  # someone else's record, whatever the role
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
BODY_ID_ROUTES: set[str] = set()
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


API_PRINCIPALS = ["anonymous", "acme-read", "acme-write", "acme-admin", "globex-rw"]


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
                    for s in {
                        "acme-read": ["read"],
                        "acme-write": ["write"],
                        "acme-admin": ["admin"],
                        "globex-rw": ["read", "write", "admin"],
                    }[principal]
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
# sent) by its app's harness part (PARTNER_REQUESTS); its principals are an agent assigned to acme's objects, an
# acme agent assigned nothing, the assigned agent's own globex membership (one person, two tenants), and an acme
# ERP key (never accepted here).
PARTNER_ROUTES = [(p, u) for p, u in ROUTES if p.startswith("api/partner/v1/") and u.name not in PUBLIC]
PARTNER_PRINCIPALS = ["anonymous", "acme-write", "assigned_agent", "unassigned_agent", "globex_agent"]
PARTNER_REQUESTS: dict[str, dict[str, Any]] = {}
PARTNER_BODY_ID_ROUTES: set[str] = set()
for _part in PARTS:
    PARTNER_REQUESTS |= getattr(_part, "PARTNER_REQUESTS", {})
    PARTNER_BODY_ID_ROUTES |= getattr(_part, "PARTNER_BODY_ID_ROUTES", set())


@pytest.fixture
def partner_tokens(built: Built, world: World) -> dict[str, str]:
    return dict(built.partner_tokens)


def _partner_client(world: World, tokens: dict[str, str], principal: str) -> APIClient:
    client = APIClient()
    if principal == "acme-write":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    elif principal != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {tokens[principal]}")
    return client


def _partner_requests(url: URLPattern) -> dict[str, Any]:
    requests = PARTNER_REQUESTS.get(url.name or "")
    if requests is None:
        pytest.fail(
            f"The isolation harness has no description of partner route {url.name!r}; add it to its app's part."
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
        names_object = url.name in PARTNER_BODY_ID_ROUTES and method == "POST"
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
