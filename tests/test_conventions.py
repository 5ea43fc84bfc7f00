"""Rules that reviewers should not have to catch: the dangerous constructs are banned outside a short,
explicit allowlist, so a new use fails here and has to be argued for."""

from __future__ import annotations

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
