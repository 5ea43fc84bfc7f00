"""Shared fixtures. On PostgreSQL the test database is created and migrated by the owner role, and every
test then runs as the runtime role (no table ownership, no BYPASSRLS), exactly as production does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import Agency, ApiKey, Membership, Tenant, User
from sourcing.roles import Role
from sourcing.services import agency_create, api_key_create, member_invite
from sourcing.tenancy import tenant_scope

pytest_plugins = ["tests.openapi_check"]

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``embedded`` are about the embedded default (SQLite, tasks in-process): they run where the
    database is SQLite (the SQLite step of `make test`) and are left out, not skipped, elsewhere."""
    if connections["default"].vendor == "sqlite":
        return
    kept = [item for item in items if item.get_closest_marker("embedded") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    conn = connections["default"]
    if conn.vendor != "postgresql":
        yield
        return
    owner = {"USER": conn.settings_dict["USER"], "PASSWORD": conn.settings_dict["PASSWORD"]}
    app_role = settings.DATABASE_APP_ROLE
    with django_db_blocker.unblock(), conn.cursor() as cursor:
        # Only for the test harness's own cleanup between transactional tests (flush); production has no TRUNCATE.
        cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{app_role}"')
    conn.close()
    conn.settings_dict["USER"] = app_role
    conn.settings_dict["PASSWORD"] = os.environ.get("DATABASE_APP_PASSWORD", "")
    yield
    conn.close()
    conn.settings_dict.update(owner)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real hashing is Django's own, tested there; here it would only make every fixture slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _tenant(slug: str, name: str, zone: str) -> Tenant:
    return Tenant.objects.create(slug=slug, name=name, base_currency="USD", time_zone=zone)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings: Any) -> None:
    # Long tasks run inside the request unless a test opts into the background pool (tests/sourcing/test_background.py).
    settings.BACKGROUND_THREADS = 0


@pytest.fixture
def viewers_day(settings: Any) -> None:
    """For tests that build dates and read them back from pages, APIs or daily jobs, which count in the viewer's
    or the tenant's zone (acme's America/Chicago): the test's own ``timezone.localdate()`` counts there too.
    The server's UTC date runs a day ahead of Chicago's for six hours of every night. Pages activate the viewer's
    zone and fall back to the default after each request, so the default is what moves."""
    settings.TIME_ZONE = "America/Chicago"


@pytest.fixture
def tenant(db: Any) -> Tenant:
    return _tenant("acme", "Acme Home Goods", "America/Chicago")


@pytest.fixture
def other_tenant(db: Any) -> Tenant:
    return _tenant("globex", "Globex Outdoor", "America/Los_Angeles")


SYSTEM = Actor.system("tests")


def new_agency(tenant: Tenant, name: str = "Shenzhen Bridge Sourcing") -> Agency:
    """The tenant's agency of that name, created the first time."""
    with tenant_scope(tenant):
        return Agency.objects.filter(name=name).first() or agency_create(tenant=tenant, by=SYSTEM, name=name)


def new_member(tenant: Tenant, role: str, email: str | None = None, **extra: Any) -> Membership:
    """A person invited into ``tenant`` with ``role`` (an agent through the tenant's agency)."""
    email = email or f"{role}@{tenant.slug}.test"
    agency = new_agency(tenant) if role == Role.AGENT else None
    with tenant_scope(tenant):
        return member_invite(
            tenant=tenant,
            by=SYSTEM,
            email=email,
            role=role,
            agency_id=agency.pk if agency else None,
            send_email=False,
            password=PASSWORD,
            **extra,
        )


def new_api_key(
    tenant: Tenant, scopes: tuple[str, ...] = ("read", "write"), name: str | None = None
) -> tuple[ApiKey, str]:
    with tenant_scope(tenant):
        return api_key_create(tenant=tenant, by=SYSTEM, name=name or f"erp-{'-'.join(scopes)}", scopes=list(scopes))


@pytest.fixture
def make_agency() -> Callable[..., Agency]:
    return new_agency


@pytest.fixture
def make_member(db: Any) -> Callable[..., Membership]:
    return new_member


@pytest.fixture
def user_with_role(tenant: Tenant, make_member: Callable[..., Membership]) -> Callable[[str], User]:
    def make(role: str) -> User:
        return make_member(tenant, role).user

    return make


@pytest.fixture
def make_api_key(db: Any) -> Callable[..., tuple[ApiKey, str]]:
    return new_api_key


@pytest.fixture
def api_client(tenant: Tenant, make_api_key: Callable[..., tuple[ApiKey, str]]) -> Callable[..., APIClient]:
    """``api_client()`` for acme with read+write, ``api_client(scopes=("read",), tenant=other)`` etc."""

    def make(scopes: tuple[str, ...] = ("read", "write"), for_tenant: Tenant | None = None) -> APIClient:
        _key, raw = make_api_key(for_tenant or tenant, scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


@pytest.fixture
def as_tenant() -> Callable[[Tenant], Any]:
    """``with as_tenant(t): ...`` to read or arrange tenant rows in a test."""
    return tenant_scope
