"""Reads of supplier evidence: certifications (with their state on a given day) and versioned documents.
Agents reach a record only through a supplier granted to them."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from sourcing.ids import as_uuid
from sourcing.models import Membership, Tenant
from suppliers.models import (
    EXPIRING_DAYS,
    Certification,
    CertificationState,
    Document,
    DocumentVersion,
    Site,
    Supplier,
    SupplierCategory,
)
from suppliers.selectors.master import current_certifications, renewed, started


def tenant_today(tenant: Tenant) -> datetime.date:
    """Today where the tenant is (for jobs and API calls, which have no person's zone)."""
    try:
        zone = zoneinfo.ZoneInfo(tenant.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


# Certifications


def certification_list(*, supplier: Supplier, today: datetime.date | None = None) -> QuerySet[Certification]:
    """The supplier's certificates, each with ``is_renewed`` (a later one of the same kind, started by
    ``today``, replaces it)."""
    return (
        Certification.objects.filter(supplier_id=supplier.pk)
        .annotate(is_renewed=renewed(today))
        .select_related("site", "uploaded_by")
        .order_by("valid_until", "cert_type", "id")
    )


def state_bounds(state: str, today: datetime.date) -> Q:
    """The date condition of a certification state on ``today`` (as ``Certification.state``)."""
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    if state == CertificationState.NOT_YET_VALID:
        return Q(valid_from__gt=today)
    if state == CertificationState.EXPIRED:
        return Q(valid_until__lt=today)
    if state == CertificationState.EXPIRING:
        return started(today) & Q(valid_until__gte=today, valid_until__lte=soon)
    if state == CertificationState.VALID:
        return started(today) & Q(valid_until__gt=soon)
    return Q()


def _in_force(today: datetime.date) -> Q:
    """Unexpired and started (a certificate dated to start next month does not count yet)."""
    return Q(valid_until__gte=today) & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))


def required_certifications(supplier_ids: Iterable[Any]) -> dict[Any, set[str]]:
    """The certification types each supplier's categories require, in one query."""
    result: dict[Any, set[str]] = {}
    links = SupplierCategory.objects.filter(supplier_id__in=list(supplier_ids)).values_list(
        "supplier_id", "category__required_certifications"
    )
    for supplier_id, required in links:
        result.setdefault(supplier_id, set()).update(required or [])
    return result


def certifications_missing(supplier: Supplier, today: datetime.date | None = None) -> list[str]:
    """The certification types the supplier's categories require for which it holds no certificate in force
    today (values of ``CertificationType``, sorted). The qualification rules and the compliance flags use it."""
    return certifications_missing_for([supplier.pk], today).get(supplier.pk, [])


def certifications_missing_for(supplier_ids: Iterable[Any], today: datetime.date | None = None) -> dict[Any, list[str]]:
    """``certifications_missing`` for many suppliers in two queries; suppliers missing nothing are left out."""
    today = today or timezone.localdate()
    required = required_certifications(supplier_ids)
    wanted = {sid: types for sid, types in required.items() if types}
    if not wanted:
        return {}
    held: dict[Any, set[str]] = {}
    in_force = Certification.objects.filter(_in_force(today), supplier_id__in=list(wanted)).values_list(
        "supplier_id", "cert_type"
    )
    for supplier_id, cert_type in in_force:
        held.setdefault(supplier_id, set()).add(cert_type)
    result = {sid: sorted(types - held.get(sid, set())) for sid, types in wanted.items()}
    return {sid: missing for sid, missing in result.items() if missing}


@dataclass(frozen=True)
class ExpiringFilters:
    within_days: int = EXPIRING_DAYS
    state: str = ""
    cert_type: str = ""
    tier: str = ""
    owner: str = ""  # a membership id, or NO_OWNER


NO_OWNER = "none"


def certificate_expiring_list(*, filters: ExpiringFilters, today: datetime.date) -> QuerySet[Certification]:
    """Certificates that end within ``within_days`` of ``today``, and those already expired, soonest first;
    those a later certificate has renewed are history and not listed, and those not yet valid wait for their day."""
    queryset = current_certifications(today).filter(
        started(today), valid_until__lte=today + datetime.timedelta(days=filters.within_days)
    )
    if filters.state == CertificationState.EXPIRED:
        queryset = queryset.filter(valid_until__lt=today)
    elif filters.state == CertificationState.EXPIRING:
        queryset = queryset.filter(valid_until__gte=today)
    if filters.cert_type:
        queryset = queryset.filter(cert_type=filters.cert_type)
    if filters.tier:
        queryset = queryset.filter(supplier__tier=filters.tier)
    if filters.owner == NO_OWNER:
        queryset = queryset.filter(supplier__owner__isnull=True)
    elif filters.owner:
        queryset = queryset.filter(supplier__owner_id=as_uuid(filters.owner))
    return queryset.select_related("supplier", "supplier__owner__user", "site").order_by("valid_until", "id")


def owner_choices() -> list[Membership]:
    """People who own at least one supplier, for the owner filter."""
    owners = Supplier.objects.filter(owner__isnull=False).values("owner_id")
    return list(Membership.objects.filter(pk__in=owners).select_related("user").order_by("user__email"))


def site_choices(*, supplier: Supplier) -> list[Site]:
    return list(Site.objects.filter(supplier_id=supplier.pk).only("id", "name").order_by("name"))


# Documents


def document_list(*, supplier: Supplier) -> QuerySet[Document]:
    """The supplier's documents, each with every version (newest first), in two queries."""
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-version")
    return (
        Document.objects.filter(supplier_id=supplier.pk)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("title", "id")
    )


def document_choices(*, supplier: Supplier) -> list[Document]:
    return list(Document.objects.filter(supplier_id=supplier.pk).only("id", "title", "doc_type").order_by("title"))


def required_certifications_supplier_ids() -> list[Any]:
    """Suppliers with at least one category that requires a certification."""
    return list(
        SupplierCategory.objects.exclude(category__required_certifications=[])
        .values_list("supplier_id", flat=True)
        .distinct()
    )
