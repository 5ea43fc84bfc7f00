"""Certifications: add, change and remove a supplier's certificates, keep the compliance risk flags in step
with what the supplier's categories require, and send the expiry reminders.

Internal people need ``Scope.SUPPLIER_EVIDENCE``; an agent may add certificates (with their files) to a
supplier assigned to them, and never changes or removes a record."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.categories.requirements import CertificationType
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.mail import render_subject
from sourcing.models import USABLE_MEMBERSHIP, Membership, Tenant, User
from sourcing.roles import Role, Scope
from sourcing.uploads import DOCUMENTS, Accepted, accept_upload, delete_files_on_commit, store_upload
from suppliers import system_text
from suppliers.models import (
    Certification,
    RiskFlag,
    RiskKind,
    Site,
    StoredFile,
    Supplier,
    SupplierAgentGrant,
)
from suppliers.selectors import evidence as selectors
from suppliers.selectors.master import current_certifications, started
from suppliers.services.access import access_certification, access_supplier, check_supplier_access
from suppliers.services.common import invalid
from suppliers.services.risk import risk_flag_raise, risk_flag_resolve
from suppliers.services.row_facts import row_facts_refresh

# Evidence files are certificates and reports, never bulk data: a lower limit than the site-wide one.
EVIDENCE_MAX_BYTES = 25 * 1_048_576
# Days before ``valid_until`` on which the owner and the assigned agents are reminded.
REMINDER_MARKS = (30, 14, 7)
COMPLIANCE_SOURCE = "certification:"
AUDIT_FIELDS = ["cert_type", "name", "number", "issuer", "valid_from", "valid_until", "site", "file_name"]
EDITABLE = {"cert_type", "name", "number", "issuer", "valid_from", "valid_until", "site_id"}


def _limit(model: type, name: str) -> int:
    return int(model._meta.get_field(name).max_length or 200)  # type: ignore[attr-defined]


def check_file(file: IO[bytes], *, file_name: str = "", field: str = "file") -> Accepted:
    """An evidence file accepted by its bytes and size; a DomainError naming ``field``."""
    return accept_upload(
        file,
        allowed=DOCUMENTS,
        file_name=file_name,
        field=field,
        max_bytes=min(settings.MAX_UPLOAD_BYTES, EVIDENCE_MAX_BYTES),
    )


def store_file(record: StoredFile, accepted: Accepted, *, by: Actor) -> None:
    """Put an accepted file on ``record`` (not saved), with what the download needs to know about it."""
    record.file_name = accepted.file_name
    record.content_type = accepted.content_type
    record.size = accepted.size
    record.uploaded_by = by.user
    store_upload(record.file, accepted)


def _site(supplier: Supplier, site_id: Any, errors: dict[str, list[str]]) -> Site | None:
    if site_id in (None, ""):
        return None
    pk = as_uuid(site_id)
    site = Site.objects.filter(pk=pk, supplier_id=supplier.pk).first() if pk is not None else None
    if site is None:  # a missing, another supplier's or another tenant's site: one message for all
        errors["site"] = [_("Choose one of the listed sites.")]
    return site


def _check_fields(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Validate the certificate's own fields in place (trimmed strings), adding to ``errors``."""
    for name in ("name", "number", "issuer"):
        values[name] = (values.get(name) or "").strip()
        if len(values[name]) > _limit(Certification, name):
            errors[name] = [_("At most %(n)d characters.") % {"n": _limit(Certification, name)}]
    if values.get("cert_type") not in CertificationType.values:
        errors["cert_type"] = [_("Choose one of the listed types.")]
    elif values["cert_type"] == CertificationType.OTHER and not values["name"]:
        errors["name"] = [_("Name the certificate when its type is Other.")]
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    for name, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if value is not None and not isinstance(value, datetime.date):
            errors[name] = [_("Enter a valid date.")]
    if valid_until is None:
        errors["valid_until"] = [_("The date the certificate ends is required.")]
    elif isinstance(valid_from, datetime.date) and isinstance(valid_until, datetime.date) and valid_from > valid_until:
        errors["valid_until"] = [_("The certificate cannot end before it starts.")]


@transaction.atomic
def certification_create(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    cert_type: str,
    valid_until: datetime.date | None,
    valid_from: datetime.date | None = None,
    name: str = "",
    number: str = "",
    issuer: str = "",
    site_id: Any = None,
    file: IO[bytes] | None = None,
    file_name: str = "",
) -> Certification:
    """Record a certificate of a supplier, optionally for one of its sites and with its file (accepted by
    its bytes). Every bad field is named in one error and nothing is written."""
    supplier = access_supplier(by=by, id=supplier_id, need=(Scope.SUPPLIER_EVIDENCE, Scope.PORTAL), lock=True)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "cert_type": cert_type,
        "name": name,
        "number": number,
        "issuer": issuer,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    _check_fields(values, errors)
    site = _site(supplier, site_id, errors)
    accepted: Accepted | None = None
    if file is not None:
        try:
            accepted = check_file(file, file_name=file_name)
        except DomainError as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid(errors)
    certification = Certification(tenant=tenant, supplier=supplier, site=site, **values)
    if accepted is not None:
        store_file(certification, accepted, by=by)
    certification.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="certification.create",
        target=certification,
        after={"supplier": str(supplier.pk), **snapshot(certification, AUDIT_FIELDS)},
    )
    compliance_evaluate(tenant=tenant, by=by, supplier=supplier)
    row_facts_refresh([supplier.pk])
    return certification


@transaction.atomic
def certification_update(
    *,
    tenant: Tenant,
    by: Actor,
    certification_id: Any,
    file: IO[bytes] | None = None,
    file_name: str = "",
    **changes: Any,
) -> Certification:
    """Change a certificate's fields (any of ``EDITABLE``) and, with ``file``, replace its file. A new end
    date starts the reminders afresh. Internal people only."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"certification_update() cannot change {', '.join(sorted(unknown))}")
    certification = access_certification(by=by, id=certification_id, need=Scope.SUPPLIER_EVIDENCE, lock=True)
    supplier = certification.supplier
    before = snapshot(certification, AUDIT_FIELDS)
    errors: dict[str, list[str]] = {}
    values = {name: getattr(certification, name) for name in EDITABLE - {"site_id"}}
    values.update({k: v for k, v in changes.items() if k != "site_id"})
    _check_fields(values, errors)
    site = _site(supplier, changes["site_id"], errors) if "site_id" in changes else certification.site
    accepted: Accepted | None = None
    if file is not None:
        try:
            accepted = check_file(file, file_name=file_name)
        except DomainError as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid(errors)
    if values["valid_until"] != certification.valid_until:
        # A renewal (a later end date) starts the reminders afresh; a corrected date keeps the marks it has
        # already passed, so nobody is reminded of the same mark twice.
        days_left = (values["valid_until"] - selectors.tenant_today(tenant)).days
        certification.reminders_sent = [m for m in certification.reminders_sent if m >= days_left]
    for name, value in values.items():
        setattr(certification, name, value)
    certification.site = site
    if accepted is not None:
        store_file(certification, accepted, by=by)
    certification.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="certification.update",
        target=certification,
        before=before,
        after=snapshot(certification, AUDIT_FIELDS),
    )
    compliance_evaluate(tenant=tenant, by=by, supplier=supplier)
    row_facts_refresh([supplier.pk])
    return certification


@transaction.atomic
def certification_delete(*, tenant: Tenant, by: Actor, certification_id: Any) -> Supplier:
    """Remove a certificate (its stored file goes with it once the removal is committed). Internal only.
    Returns the supplier it belonged to."""
    found = access_certification(by=by, id=certification_id, need=Scope.SUPPLIER_EVIDENCE, lock=True)
    supplier = found.supplier
    before = {"supplier": str(supplier.pk), **snapshot(found, AUDIT_FIELDS)}
    audit_record(tenant=tenant, by=by, action="certification.delete", target=found, before=before)
    found.delete()
    delete_files_on_commit([found.file])
    compliance_evaluate(tenant=tenant, by=by, supplier=supplier)
    row_facts_refresh([supplier.pk])
    return supplier


def certification_download(*, tenant: Tenant, by: Actor, certification_id: Any) -> Certification:
    """The certificate whose file is to be sent, once the read is recorded. An agent gets only those of a
    supplier assigned to them; a record without a file is a missing one."""
    certification = access_certification(by=by, id=certification_id, need=(Scope.SUPPLIER_READ, Scope.PORTAL))
    if not certification.file:
        raise NotFoundError()
    audit_record(
        tenant=tenant,
        by=by,
        action="certification.download",
        target=certification,
        after={"supplier": str(certification.supplier_id), "file_name": certification.file_name},
    )
    return certification


@transaction.atomic
def certificate_export_record(*, tenant: Tenant, by: Actor, rows: int, filters: Any) -> None:
    """Record that the list of expiring certificates left the system as a file."""
    by.require(Scope.SUPPLIER_READ)
    chosen = {k: v for k, v in dataclasses.asdict(filters).items() if v}
    audit_record(tenant=tenant, by=by, action="certification.export", after={"rows": rows, **chosen})


# Compliance flags


@transaction.atomic
def compliance_evaluate(
    *, tenant: Tenant, by: Actor, supplier: Supplier, today: datetime.date | None = None
) -> list[str]:
    """Raise a compliance flag for every certification the supplier's categories require and it does not
    hold in force, and resolve the flags whose certification it now holds (or no longer needs). Returns the
    missing types. A step of the certification services (an agent's upload included), of merges and of the
    daily job; the caller's right to the supplier's evidence is checked again."""
    check_supplier_access(by=by, supplier=supplier, need=(Scope.SUPPLIER_EVIDENCE, Scope.PORTAL))
    today = today or selectors.tenant_today(tenant)
    missing = selectors.certifications_missing(supplier, today)
    _apply_flags(tenant=tenant, by=by, suppliers={supplier.pk: supplier}, missing={supplier.pk: missing})
    return missing


@transaction.atomic
def compliance_refresh(*, tenant: Tenant, by: Actor, today: datetime.date | None = None) -> int:
    """``compliance_evaluate`` for every supplier of the tenant that has a flag open or a requirement to
    meet, in a fixed number of queries plus one write per change. Returns the number of changes."""
    by.require(Scope.SUPPLIER_EVIDENCE)
    today = today or selectors.tenant_today(tenant)
    flagged = set(
        RiskFlag.objects.filter(is_open=True, source__startswith=COMPLIANCE_SOURCE).values_list(
            "supplier_id", flat=True
        )
    )
    required = set(selectors.required_certifications_supplier_ids())
    candidates = flagged | required
    missing = selectors.certifications_missing_for(candidates, today)
    suppliers = Supplier.objects.in_bulk(list(candidates))
    return _apply_flags(tenant=tenant, by=by, suppliers=suppliers, missing=missing)


def _apply_flags(*, tenant: Tenant, by: Actor, suppliers: dict[Any, Supplier], missing: dict[Any, list[str]]) -> int:
    open_sources: dict[Any, set[str]] = {}
    rows = RiskFlag.objects.filter(
        supplier_id__in=list(suppliers), is_open=True, source__startswith=COMPLIANCE_SOURCE
    ).values_list("supplier_id", "source")
    for supplier_id, source in rows:
        open_sources.setdefault(supplier_id, set()).add(source)
    changes = 0
    for supplier_id, supplier in suppliers.items():
        wanted = {f"{COMPLIANCE_SOURCE}{t}": t for t in missing.get(supplier_id, [])}
        have = open_sources.get(supplier_id, set())
        for source in sorted(set(wanted) - have):
            risk_flag_raise(
                tenant=tenant,
                by=by,
                supplier=supplier,
                kind=RiskKind.COMPLIANCE,
                source=source,
                title_code=system_text.CERTIFICATION_MISSING,
                title_params={"type": wanted[source]},
            )
            changes += 1
        for source in sorted(have - set(wanted)):
            risk_flag_resolve(tenant=tenant, by=by, supplier=supplier, source=source)
            changes += 1
    return changes


# Reminders


def reminder_mark(days_left: int) -> int | None:
    """The latest reminder mark a certificate with ``days_left`` has reached (7 before 14 before 30), or None
    before the first mark and once it has expired."""
    if days_left < 0:
        return None
    reached = [mark for mark in REMINDER_MARKS if days_left <= mark]
    return min(reached) if reached else None


def _recipients(supplier_ids: Iterable[Any]) -> dict[Any, list[tuple[User, bool]]]:
    """Who is reminded about each supplier: its owner and every agent assigned to it, as (user, is_agent),
    only those whose membership still opens the tenant. Three queries."""
    supplier_ids = list(supplier_ids)
    result: dict[Any, list[tuple[User, bool]]] = {sid: [] for sid in supplier_ids}
    owners = (
        Supplier.objects.filter(pk__in=supplier_ids, owner__isnull=False)
        .filter(owner__is_active=True)
        .select_related("owner__user")
    )
    for supplier in owners:
        user = supplier.owner.user  # type: ignore[union-attr]
        if user.is_active:
            result[supplier.pk].append((user, False))
    grants = list(
        SupplierAgentGrant.objects.filter(
            content_object_id__in=supplier_ids, permission__codename="view_supplier"
        ).select_related("user")
    )
    usable = set(
        Membership.objects.filter(
            USABLE_MEMBERSHIP, role=Role.AGENT, user_id__in={g.user_id for g in grants}
        ).values_list("user_id", flat=True)
    )
    for grant in sorted(grants, key=lambda g: g.user.email):
        if grant.user_id in usable and grant.user.is_active:
            result[grant.content_object_id].append((grant.user, True))
    return result


def _send_reminder(tenant: Tenant, certification: Certification, days_left: int, user: User, agent: bool) -> None:
    name = "portal_supplier_certifications" if agent else "supplier_certifications"
    path = reverse(name, kwargs={"tenant_slug": tenant.slug, "supplier_id": certification.supplier_id})
    with translation.override(user.language or tenant.default_language):
        context = {
            "user": user,
            "tenant_name": tenant.name,
            "certification": certification,
            "cert_label": str(certification),
            "supplier": certification.supplier,
            "days": days_left,
            "url": f"{settings.SITE_URL}{path}",
        }
        subject = render_subject("suppliers/email/certificate_reminder_subject.txt", context)
        body = render_to_string("suppliers/email/certificate_reminder.txt", context)
    send_mail(subject, body, None, [user.email])


def _send_reminders(
    tenant: Tenant, certification: Certification, days_left: int, recipients: list[tuple[User, bool]]
) -> None:
    for user, agent in recipients:
        _send_reminder(tenant, certification, days_left, user, agent)


def certification_reminders_send(*, tenant: Tenant, by: Actor, today: datetime.date | None = None) -> int:
    """Remind the owner and the assigned agents of each current certificate (valid from today or earlier, and
    not renewed by a later certificate that has started) that has reached a reminder mark (30, 14 and 7 days
    before it ends) whose reminder has not gone out. A certificate that reached a later mark without the
    earlier ones being sent gets only the latest.
    Each mark is recorded with the certificate in the same transaction that schedules its e-mails (sent on
    commit), so a rerun or a retry never sends a mark twice. Returns the number of certificates reminded about."""
    by.require(Scope.SUPPLIER_EVIDENCE)
    today = today or selectors.tenant_today(tenant)
    window = (
        # nobody is reminded of a certificate renewed by one in force, nor of one not valid yet
        current_certifications(today)
        .filter(
            started(today),
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=max(REMINDER_MARKS)),
        )
        .values_list("pk", "valid_until", "reminders_sent")
    )
    due = [pk for pk, until, sent in window if _needs(reminder_mark((until - today).days), sent)]
    if not due:
        return 0
    reminded = 0
    for pk in due:
        with transaction.atomic():
            certification = (
                Certification.objects.select_for_update(of=("self",)).select_related("supplier").filter(pk=pk).first()
            )
            if certification is None:
                continue
            days_left = (certification.valid_until - today).days
            mark = reminder_mark(days_left)
            if mark is None or not _needs(mark, certification.reminders_sent):
                continue  # another run got here first
            passed = {m for m in REMINDER_MARKS if m >= mark}
            certification.reminders_sent = sorted(passed | set(certification.reminders_sent or []), reverse=True)
            certification.save(update_fields=["reminders_sent"])
            recipients = _recipients([certification.supplier_id])[certification.supplier_id]
            audit_record(
                tenant=tenant,
                by=by,
                action="certification.remind",
                target=certification,
                after={"days": mark, "to": [user.email for user, _agent in recipients]},
            )
            transaction.on_commit(functools.partial(_send_reminders, tenant, certification, days_left, recipients))
            reminded += 1
    return reminded


def _needs(mark: int | None, sent: Any) -> bool:
    return mark is not None and mark not in (sent or [])
