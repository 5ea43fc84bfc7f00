"""The one way from an id that arrives from outside (a URL, a form or JSON body, a query string) to a record of
the spend: ``access_<entity>(by=, id=, need=)``, as ``suppliers.services.access`` is for the supplier side.

Each checks the caller's scope first (``ScopeError`` before anything is looked up), looks the id up in the
current tenant (the scoped manager) and, with ``lock=True``, locks the row. A missing id, a malformed one and
another tenant's id are the same ``NotFoundError``. The spend has no agent grants: only internal scopes reach it.
"""

from __future__ import annotations

from typing import Any

from sourcing.access import access_in, access_membership
from sourcing.actors import Actor
from sourcing.errors import NotFoundError
from sourcing.models import Membership
from sourcing.spend.models import (
    Baseline,
    CategoryRule,
    ColumnMapping,
    Finding,
    FxRate,
    SpendImport,
    SpendLine,
    Vendor,
)
from sourcing.spend.selectors.findings import ASSIGNEE_ROLES, finding_queryset


def access_vendor(*, by: Actor, id: Any, need: str, lock: bool = False) -> Vendor:
    """A vendor of the spend, with its supplier and the vendor it is merged into."""
    queryset = Vendor.objects.select_related("supplier", "merged_into")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_spend_line(*, by: Actor, id: Any, need: str) -> SpendLine:
    """An imported spend line (lines are written by imports alone, so there is nothing to lock)."""
    return access_in(SpendLine.objects.all(), by=by, id=id, need=need)  # type: ignore[no-any-return]


def access_spend_import(*, by: Actor, id: Any, need: str, lock: bool = False) -> SpendImport:
    """A spend import, with its column mapping and the import it duplicates."""
    queryset = SpendImport.objects.select_related("mapping", "duplicate_of")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_fx_rate(*, by: Actor, id: Any, need: str, lock: bool = False) -> FxRate:
    """An exchange rate of this tenant."""
    return access_in(FxRate.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_category_rule(*, by: Actor, id: Any, need: str, lock: bool = False) -> CategoryRule:
    """A categorisation rule, with its category."""
    queryset = CategoryRule.objects.select_related("category")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_column_mapping(*, by: Actor, id: Any, need: str, lock: bool = False) -> ColumnMapping:
    """A saved column mapping for spend files."""
    return access_in(ColumnMapping.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_finding(*, by: Actor, id: Any, need: str, lock: bool = False) -> Finding:
    """A finding, with its category and assignee. ``lock`` holds it until the transaction ends, so two changes
    at once do not overwrite each other."""
    return access_in(finding_queryset(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_baseline(*, by: Actor, id: Any, need: str, lock: bool = False) -> Baseline:
    """A frozen spend baseline, with who froze it."""
    queryset = Baseline.objects.select_related("frozen_by")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_finding_assignee(*, by: Actor, id: Any, need: str) -> Membership:
    """A member who may hold a finding: active, internal, in a role that reads spend. Anyone else (missing,
    another tenant's, an agent, inactive, a role without spend) is the same NotFoundError."""
    membership = access_membership(by=by, id=id, need=need)
    if not membership.is_active or membership.role not in ASSIGNEE_ROLES:
        raise NotFoundError()
    return membership
