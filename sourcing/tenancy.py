"""Tenant scoping: the one place where "which tenant are we acting for" is decided and enforced.

The current tenant lives in a context variable. It is set only by ``tenant_scope()``, which is entered by
exactly four callers: tenant page views (``sourcing.web.tenant_view``), the API base view
(``sourcing.api.base``), the Celery task wrapper (``sourcing.tasks.tenant_task``) and management commands
(``--org``). A query on a tenant-scoped model with no tenant set raises ``TenantNotSetError`` (fail closed).

On PostgreSQL the same scope also sets ``app.tenant_id`` for the current transaction (``SET LOCAL``
semantics via ``set_config(..., true)``), which the row-level-security policies compare against: a second
wall under the ORM's filter.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connection, models, transaction

if TYPE_CHECKING:
    from sourcing.models import Tenant

_current_tenant: contextvars.ContextVar[Tenant | None] = contextvars.ContextVar("tenant", default=None)

# Transaction-local settings the RLS policies read (see sourcing/rls.py).
TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"
API_KEY_SETTING = "app.api_key_prefix"
PARTNER_TOKEN_SETTING = "app.partner_token_prefix"


class TenantNotSetError(RuntimeError):
    """A tenant-scoped model was queried outside any tenant scope."""


class TenantMismatchError(RuntimeError):
    """A row of one tenant was about to be written while another tenant is current."""


def current_tenant() -> Tenant:
    tenant = _current_tenant.get()
    if tenant is None:
        raise TenantNotSetError(
            "No tenant is set. Enter sourcing.tenancy.tenant_scope(tenant) first, "
            "or use .unscoped() with a comment saying why a cross-tenant query is right here."
        )
    return tenant


def current_tenant_or_none() -> Tenant | None:
    return _current_tenant.get()


def _set_db(values: Mapping[str, str]) -> dict[str, str]:
    """Set transaction-local settings in one round trip; return their previous values ('' when unset)."""
    if not values or connection.vendor != "postgresql":
        return {}
    names = list(values)
    columns = ", ".join("current_setting(%s, true), set_config(%s, %s, true)" for _ in names)
    params: list[str] = []
    for name in names:
        params += [name, name, values[name]]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", params)
        row = cursor.fetchone()
    return {name: row[2 * i] or "" for i, name in enumerate(names)}


@contextmanager
def _db_settings(values: Mapping[str, str]) -> Iterator[None]:
    """Run the block in its own transaction or savepoint with these RLS settings in force.

    Always a savepoint when nested, so an exception inside rolls back what the block wrote. The old values
    are put back when the block ends inside an outer transaction; an outermost transaction needs no clean-up
    because committing it drops its local settings.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        previous = _set_db(values)
        yield
        if not outermost:
            _set_db(previous)


@contextmanager
def db_setting(name: str, value: str) -> Iterator[None]:
    """Run the block in a transaction with one RLS setting in force (bootstrap lookups, see rls.py)."""
    with _db_settings({name: value}):
        yield


@contextmanager
def tenant_scope(tenant: Tenant, *, user_id: Any = None) -> Iterator[Tenant]:
    """Act for ``tenant`` inside one transaction; optionally also expose the user id to RLS policies.

    Everything that reads or writes tenant rows runs inside this block: the ORM filter and the database
    policy both see the same tenant. Leaving the block restores whatever scope was in force before, and an
    exception rolls back everything the block wrote.
    """
    settings = {TENANT_SETTING: str(tenant.pk)}
    if user_id is not None:
        settings[USER_SETTING] = str(user_id)
    token = _current_tenant.set(tenant)
    try:
        with _db_settings(settings):
            yield tenant
    finally:
        _current_tenant.reset(token)


M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M], Generic[M]):
    def update(self, **kwargs: Any) -> int:
        if "tenant" in kwargs or "tenant_id" in kwargs:
            raise TenantMismatchError("A row's tenant never changes.")
        return super().update(**kwargs)

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        """Like save(): new rows take the current tenant, and a row of another tenant is refused."""
        objs = list(objs)
        tenant = current_tenant()
        for obj in objs:
            if getattr(obj, "tenant_id", None) is None:
                obj.tenant = tenant  # type: ignore[attr-defined]
            elif obj.tenant_id != tenant.pk:  # type: ignore[attr-defined]
                raise TenantMismatchError(f"{type(obj).__name__} of another tenant cannot be saved here.")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[M], fields: Iterable[str], batch_size: int | None = None) -> int:
        fields = list(fields)
        if "tenant" in fields or "tenant_id" in fields:
            raise TenantMismatchError("A row's tenant never changes.")
        objs = list(objs)
        tenant = current_tenant()
        if any(getattr(obj, "tenant_id", None) != tenant.pk for obj in objs):
            raise TenantMismatchError("Rows of another tenant cannot be saved here.")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class TenantManager(models.Manager[M], Generic[M]):
    """The default manager of every tenant-owned model: filtered to the current tenant, or it raises."""

    _queryset_class = TenantQuerySet

    def get_queryset(self) -> TenantQuerySet[M]:
        tenant = current_tenant()
        return self.unscoped().filter(tenant_id=tenant.pk)

    def none(self) -> TenantQuerySet[M]:
        # An empty queryset cannot leak rows, so it needs no tenant (schema generation and forms use it).
        return self.unscoped().none()

    def unscoped(self) -> TenantQuerySet[M]:
        """All tenants' rows. Only for deliberate cross-tenant work; say why at the call site."""
        return self._queryset_class(self.model, using=self._db)


def uuid7() -> uuid.UUID:
    """Time-ordered UUIDs: not guessable, and a stable order for cursor pagination."""
    from uuid6 import uuid7 as _uuid7

    return uuid.UUID(bytes=_uuid7().bytes)


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class TenantScopedModel(UUIDModel):
    """Base of every tenant-owned model, child tables included."""

    # No index of its own: on PostgreSQL every tenant table gets a unique (tenant_id, id) index after migrate
    # (sourcing/rls.py, checked in tests/sourcing/test_rls.py), which serves "this tenant's rows, newest first".
    tenant = models.ForeignKey(
        "sourcing.Tenant", on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    objects: TenantManager[Any] = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        tenant = current_tenant()
        if self.tenant_id is None:
            self.tenant = tenant
        elif self.tenant_id != tenant.pk:
            raise TenantMismatchError(f"{type(self).__name__} of another tenant cannot be saved here.")
        super().save(*args, **kwargs)
