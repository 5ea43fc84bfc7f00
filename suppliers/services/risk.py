"""Risk flags. Automatic flags (region, compliance, dependency) are raised and closed from the data by
``risk_flag_raise`` / ``risk_flag_resolve``, keyed by ``source`` so raising again refreshes the open flag
instead of adding another; manual flags are raised and closed by people."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers import regions, system_text
from suppliers.models import RiskFlag, RiskKind, Severity, Site, Supplier
from suppliers.selectors.onboarding import internal_member_get
from suppliers.services.access import access_risk_flag, access_supplier, check_supplier_access
from suppliers.services.common import invalid
from suppliers.services.row_facts import row_facts_refresh

REGION_SOURCE = "region:forced_labour"
DEPENDENCY_PREFIX = "dependency:"
TITLE_MAX = 300
NOTE_MAX = 4000
# Who may cause an automatic flag to open or close: whoever keeps the supplier's data or its evidence.
AUTOMATIC_FLAG_SCOPES = (Scope.SUPPLIER_WRITE, Scope.SUPPLIER_EVIDENCE)


@transaction.atomic
def risk_flag_raise(
    *,
    tenant: Tenant,
    by: Actor,
    supplier: Supplier,
    kind: str,
    source: str,
    title_code: str,
    title_params: dict[str, Any],
    severity: str = Severity.MAJOR,
) -> RiskFlag:
    """Open the automatic flag ``source`` of this supplier, or refresh its title and severity if it is open.
    The title is kept as a code and parameters (``suppliers.system_text``), shown in the viewer's language.
    A step of the services that keep the supplier's data (``supplier:write``) or evidence
    (``supplier:evidence``; an agent's upload for a supplier granted to them); the right is checked again."""
    check_supplier_access(by=by, supplier=supplier, need=(*AUTOMATIC_FLAG_SCOPES, Scope.PORTAL))
    title = system_text.english(title_code, title_params) or title_code
    wanted = (title, title_code, title_params, severity)
    flag = RiskFlag.objects.select_for_update().filter(supplier_id=supplier.pk, source=source, is_open=True).first()
    if flag is not None:
        if (flag.title, flag.title_code, flag.title_params, flag.severity) != wanted:
            flag.title, flag.title_code, flag.title_params, flag.severity = wanted
            flag.save(update_fields=["title", "title_code", "title_params", "severity"])
        return flag
    try:
        with transaction.atomic():
            flag = RiskFlag.objects.create(
                tenant=tenant,
                supplier=supplier,
                kind=kind,
                source=source,
                title=title,
                title_code=title_code,
                title_params=title_params,
                severity=severity,
            )
    except IntegrityError:  # raised by a concurrent run a moment ago: that one stands
        return RiskFlag.objects.get(supplier_id=supplier.pk, source=source, is_open=True)
    audit_record(tenant=tenant, by=by, action="risk_flag.raise", target=supplier, after={"kind": kind, "title": title})
    row_facts_refresh([supplier.pk])
    return flag


@transaction.atomic
def risk_flag_resolve(*, tenant: Tenant, by: Actor, supplier: Supplier, source: str) -> bool:
    """Close the open automatic flag ``source`` of this supplier, if there is one; True when one was closed.
    The caller's right is checked as for ``risk_flag_raise``."""
    check_supplier_access(by=by, supplier=supplier, need=(*AUTOMATIC_FLAG_SCOPES, Scope.PORTAL))
    flag = RiskFlag.objects.select_for_update().filter(supplier_id=supplier.pk, source=source, is_open=True).first()
    if flag is None:
        return False
    flag.is_open, flag.closed_at = False, timezone.now()
    flag.save(update_fields=["is_open", "closed_at"])
    audit_record(tenant=tenant, by=by, action="risk_flag.resolve", target=supplier, before={"title": flag.title})
    row_facts_refresh([supplier.pk])
    return True


def open_flags_by_supplier(supplier_ids: list[Any]) -> dict[Any, list[RiskFlag]]:
    """The open flags of these suppliers, in one query."""
    result: dict[Any, list[RiskFlag]] = {sid: [] for sid in supplier_ids}
    for flag in RiskFlag.objects.filter(supplier_id__in=supplier_ids, is_open=True).order_by("-raised_at"):
        result[flag.supplier_id].append(flag)
    return result


# Region flags


@transaction.atomic
def risk_region_refresh(*, tenant: Tenant, by: Actor, supplier_id: Any) -> RiskFlag | None:
    """Raise the region flag (critical) on a supplier whose province, any site's province, or credit code's
    division code lies in a forced-labour high-risk region (``suppliers.regions``), or close it when none does
    any more. A step of the services that create or change a supplier or a site (an agent's proposal
    included); the caller's right to change the supplier is checked again. Returns the open flag, or None."""
    supplier = access_supplier(by=by, id=supplier_id, need=(Scope.SUPPLIER_WRITE, Scope.PORTAL))
    sites = list(Site.objects.filter(supplier_id=supplier.pk).order_by("name").values_list("name", "province"))
    hits = regions.region_hits(province=supplier.province, sites=sites, credit_code=supplier.credit_code)
    if not hits:
        risk_flag_resolve(tenant=tenant, by=by, supplier=supplier, source=REGION_SOURCE)
        return None
    return risk_flag_raise(
        tenant=tenant,
        by=by,
        supplier=supplier,
        kind=RiskKind.REGION,
        source=REGION_SOURCE,
        title_code=system_text.REGION,
        title_params=system_text.region_params(hits),
        severity=Severity.CRITICAL,
    )


# Dependency flags


# Manual flags


@transaction.atomic
def risk_flag_create(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    title: str,
    severity: str = Severity.MAJOR,
    note: str = "",
    owner_id: Any = None,
) -> RiskFlag:
    """Raise a manual flag on a supplier, held by an internal member (or nobody)."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE)
    errors: dict[str, list[str]] = {}
    title = str(title or "").strip()
    note = str(note or "").strip()
    if not title:
        errors["title"] = [_("A title is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    if severity not in Severity.values:
        errors["severity"] = [_("Choose one of the listed options.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    owner = None
    if owner_id not in (None, ""):
        owner = internal_member_get(membership_id=owner_id)
        if owner is None:
            errors["owner"] = [_("Choose one of the listed people.")]
    if errors:
        raise invalid(errors)
    flag = RiskFlag.objects.create(
        tenant=tenant, supplier=supplier, kind=RiskKind.MANUAL, severity=severity, title=title, note=note, owner=owner
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="risk_flag.raise",
        target=supplier,
        after={
            "kind": RiskKind.MANUAL,
            "title": title,
            "severity": severity,
            "owner": str(owner.pk) if owner else None,
        },
    )
    row_facts_refresh([supplier.pk])
    return flag


@transaction.atomic
def risk_flag_close(*, tenant: Tenant, by: Actor, flag_id: Any, note: str) -> RiskFlag:
    """Close an open manual flag, saying how it was dealt with (kept under the flag's note). Automatic flags
    close by themselves when their cause goes away."""
    # the supplier first, then its flag: the order a merge (and every supplier writer) locks them in
    flag = access_risk_flag(by=by, id=flag_id, need=Scope.SUPPLIER_WRITE, lock=True)
    if flag.kind != RiskKind.MANUAL:
        raise DomainError(
            _("This flag was raised from the data and closes by itself when its cause goes away."),
            code="automatic_flag",
        )
    if not flag.is_open:
        raise DomainError(_("This flag is already closed."), code="closed")
    note = str(note or "").strip()
    if not note:
        raise invalid({"note": [_("Say how the risk was dealt with.")]})
    if len(note) > NOTE_MAX:
        raise invalid({"note": [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    closed_at = timezone.now()
    stamp = _("Closed %(date)s by %(who)s:") % {"date": closed_at.date().isoformat(), "who": by.label}
    flag.note = f"{flag.note}\n\n{stamp} {note}".strip()
    flag.is_open, flag.closed_at = False, closed_at
    flag.save(update_fields=["note", "is_open", "closed_at"])
    audit_record(
        tenant=tenant,
        by=by,
        action="risk_flag.close",
        target=flag.supplier,
        before={"title": flag.title, "is_open": True},
        after={"is_open": False, "note": note},
    )
    row_facts_refresh([flag.supplier_id])
    return flag


def risk_flag_export_record(*, tenant: Tenant, by: Actor, filters: dict[str, Any], fmt: str) -> None:
    """Record that the risk flags, as filtered, left the system as a file."""
    by.require(Scope.SUPPLIER_READ)
    shown = {name: str(value) for name, value in filters.items() if value}
    audit_record(tenant=tenant, by=by, action="risk_flag.export", after={"format": fmt, **shown})
