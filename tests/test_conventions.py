"""Rules that reviewers should not have to catch: the dangerous constructs are banned outside a short,
explicit allowlist, so a new use fails here and has to be argued for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ["sourcing", "suppliers", "rfq", "contracts", "quality", "kpis"]


def _sources() -> list[Path]:
    return sorted(p for d in APP_DIRS for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts)


def _uses(pattern: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in _sources():
        count = len(re.findall(pattern, path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


# Deliberate cross-tenant reads, each commented where it stands.
UNSCOPED_ALLOWED = {
    "sourcing/tenancy.py": 3,  # the manager itself (and its error message)
    "sourcing/api/base.py": 1,  # schema generation: the model, never rows
    "sourcing/api/authentication.py": 1,  # an API key or partner token by its public prefix, before the tenant is known
    "sourcing/selectors.py": 1,  # a person's own memberships, for the tenant switcher
}


def test_unscoped_queries_are_only_where_they_are_argued_for() -> None:
    assert _uses(r"\.unscoped\(") == UNSCOPED_ALLOWED


@pytest.mark.parametrize(
    "pattern",
    [
        r"objects\.get\(pk=",  # use a selector that answers NotFoundError for missing and foreign ids alike
        r"_base_manager",  # Django's unscoped manager
        r"from django\.db\.models\.signals import",  # no signals as workflow plumbing
        r"@receiver\(",
        r"\bcsrf_exempt\b",
    ],
)
def test_banned_construct_is_not_used(pattern: str) -> None:
    allowed = {"sourcing/apps.py": 1} if "signals" in pattern else {}
    assert _uses(pattern) == allowed


def test_every_tenant_page_declares_its_scope() -> None:
    """Views under /t/<slug>/ get the tenant only through tenant_view, which records the scope."""
    from django.urls import URLResolver, get_resolver

    tenant_include = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern) == "t/<slug:tenant_slug>/"
    )

    def walk(patterns: list) -> list:
        return [q for p in patterns for q in (walk(p.url_patterns) if isinstance(p, URLResolver) else [p])]

    found = walk(tenant_include.url_patterns)
    assert len(found) > 10
    for pattern in found:
        assert getattr(pattern.callback, "required_scope", None), pattern.name


# Agents' object grants are written by the assignment service alone (it audits them); nothing else calls
# guardian's writers, under any alias.
GRANT_WRITERS_ALLOWED = {
    "sourcing/services.py": 5,  # the import, agent_assign, agent_assign_proposer and agent_unassign
}


def test_agent_grants_are_written_only_by_the_assignment_service() -> None:
    assert _uses(r"\b(?:assign_perm|remove_perm)\b") == GRANT_WRITERS_ALLOWED


def _calls(name: str, paths: list[Path]) -> dict[str, int]:
    """Calls of a function or method named ``name`` (docstrings and comments that mention it do not count)."""
    found: dict[str, int] = {}
    for path in paths:
        tree = ast.parse(path.read_text())
        count = sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == name)
                or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
            )
        )
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


def _by_package(found: dict[str, int], packages: tuple[str, ...]) -> dict[str, int]:
    """Counts of files under one of ``packages`` summed per package (their modules are being rearranged)."""
    grouped: dict[str, int] = {}
    for path, count in found.items():
        key = next((p for p in packages if path.startswith(p)), path)
        grouped[key] = grouped.get(key, 0) + count
    return grouped


# Where the tenant context is entered (docs/tenancy.md). May only shrink; a new entry is argued for here.
TENANT_SCOPE_CALLERS = {
    "sourcing/web.py": 2,  # the page wrapper, and the streamed body of a page it answered
    "sourcing/api/idempotency.py": 3,  # the API base runs every endpoint through run_idempotent
    "sourcing/api/authentication.py": 1,  # a key's or token's last-used time, in its own tenant
    "sourcing/api/partner.py": 1,  # a partner token's membership, in the token's own tenant
    # a proposal's probe of another supplier's identifier, audited in the token's own tenant once the refused
    # request's transaction has rolled back (the audit must outlive the refusal)
    "suppliers/api/partner.py": 1,
    "sourcing/tasks.py": 2,  # the Celery task wrapper, and the idempotency purge that walks every tenant
    "sourcing/management/commands/create_api_key.py": 1,  # management command (--org)
    "sourcing/management/commands/seed_demo.py": 3,  # management command: demo seeding, tenant by tenant
    "sourcing/spend/": 5,  # import_spend command (2) and its demo seeding (3)
    "sourcing/categories/": 1,  # demo seeding
    "suppliers/demo/base.py": 1,  # demo seeding
}


def test_tenant_context_is_entered_only_where_documented() -> None:
    found = _calls("tenant_scope", _sources())
    assert _by_package(found, ("sourcing/spend/", "sourcing/categories/")) == TENANT_SCOPE_CALLERS


def _page_and_api_modules() -> list[Path]:
    return [
        p
        for p in _sources()
        if {"views", "api"} & set(p.relative_to(ROOT).parts) or re.search(r"(?:^|_)(?:views|api)\.py$", p.name)
    ]


# Pages and endpoints reach a record from an id only through an access_<entity>() function (in the API, the
# one the viewset names, called by the base's get_object): never by a lookup of their own.
DIRECT_LOOKUPS_ALLOWED = {
    "sourcing/api/authentication.py": 1,  # the key or token just authenticated, by its own pk, to stamp its last use
}


def test_pages_and_endpoints_do_not_look_records_up_themselves() -> None:
    modules = _page_and_api_modules()
    assert len(modules) > 20
    found: dict[str, int] = {}
    for path in modules:
        count = len(re.findall(r"\.objects\.get\(|\.objects\.filter\(pk=|get_object_or_404\(", path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    assert found == DIRECT_LOOKUPS_ALLOWED


def test_no_second_access_path_for_agents() -> None:
    """What an agent may reach is decided in the access modules; a ``*_for_agent`` getter next to them would be
    a second path that can drift from the first."""
    assert _uses(r"def \w+_for_agent\(") == {}
    assert _uses(r"\bis_agent\(") == {
        "sourcing/models.py": 1,  # Membership.is_agent, the role itself
        "suppliers/services/access.py": 3,  # the definition, and the grant and auditor checks
        "suppliers/services/audits.py": 2,  # an agent's submission waits for review; its auditor check
        "suppliers/services/master.py": 1,  # only an agent proposes a supplier
    }


def _api_url_patterns() -> list:
    """Every URL pattern of both APIs, with the view it calls."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns: list) -> list:
        return [q for p in patterns for q in (walk(p.url_patterns) if isinstance(p, URLResolver) else [p])]

    return [p for p in walk(get_resolver().url_patterns) if getattr(p.callback, "cls", None) is not None]


def test_every_api_id_in_a_url_reaches_its_record_through_an_access_function() -> None:
    """An endpoint with an id in its URL names the entity's access function (``access = access_<entity>``),
    which the API base's ``get_object`` calls: a viewset that reads an id any other way fails here."""
    from sourcing.api.base import ScopedRowsMixin

    with_ids = [p for p in _api_url_patterns() if "<pk>" in str(p.pattern) or "(?P<pk>" in str(p.pattern)]
    assert len(with_ids) > 20
    for pattern in with_ids:
        view = pattern.callback.cls
        assert issubclass(view, ScopedRowsMixin), pattern.name
        access = view.access
        assert callable(access) and access.__name__.startswith("access_"), pattern.name
        assert access.__module__.endswith(("services.access", "sourcing.access")), pattern.name


def test_a_viewset_without_an_access_function_is_refused() -> None:
    from rest_framework import mixins

    from sourcing.api.base import TenantViewSet
    from sourcing.api.partner import PartnerViewSet
    from suppliers.models import Supplier

    for base in (TenantViewSet, PartnerViewSet):
        with pytest.raises(TypeError, match="access function"):
            type(
                "Reads",
                (mixins.RetrieveModelMixin, base),
                {"__module__": "suppliers.api.master", "model": Supplier, "scoped_queryset": lambda self: None},
            )
        # a list alone reads no id, and needs none
        listing = type(
            "Lists",
            (mixins.ListModelMixin, base),
            {"__module__": "suppliers.api.master", "model": Supplier, "scoped_queryset": lambda self: None},
        )
        assert listing.access is None
