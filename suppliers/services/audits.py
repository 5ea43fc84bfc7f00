"""Writes of factory audits: planning and performing them.

An audit is planned by someone who audits, against an active template (``suppliers.services.audit_templates``)
whose questions are copied into the audit, so a later edit of the template changes no planned audit. It is
then performed (answers, evidence, findings in ``suppliers.services.audit_findings``, submission) by
its auditor only: the internal member it names, or the agent it names while that agent is still assigned to
the supplier. To anyone else an agent's audit does not exist (NotFoundError, as for a missing id). An agent's
submission is reviewed by quality before it counts (``suppliers.services.audit_review``)."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import DomainError, ScopeError
from sourcing.ids import as_uuid
from sourcing.models import Membership, Tenant
from sourcing.roles import Scope
from sourcing.uploads import DOCUMENTS, accept_upload, store_upload
from suppliers import audit_scoring, system_text
from suppliers.models import (
    AnswerChoice,
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    FactoryAudit,
    Severity,
    Site,
)
from suppliers.selectors import audits as selectors
from suppliers.services.access import (
    access_audit,
    access_audit_evidence,
    access_supplier,
    is_agent,
)
from suppliers.services.common import invalid

CAPTION_MAX = AuditEvidence._meta.get_field("caption").max_length or 200


# Planning


def _auditor(auditor_id: Any, *, supplier_id: Any) -> Membership | None:
    """The membership named, if it may audit this supplier: an internal member who audits, or an agent
    assigned to the supplier. Anything else (another tenant's id included) is None."""
    pk = as_uuid(auditor_id)
    if pk is None:
        return None
    candidates = selectors.auditor_choices_queryset(supplier_id=supplier_id)
    return candidates.filter(pk=pk).first()


@transaction.atomic
def audit_plan(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    template_id: Any,
    auditor_id: Any,
    planned_on: datetime.date | None = None,
    site_id: Any = None,
) -> FactoryAudit:
    """Plan an audit of a supplier (or one of its sites) against an active template, and copy the template's
    questions into it, section by section."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_AUDIT, lock=True)
    errors: dict[str, list[str]] = {}
    pk = as_uuid(template_id)
    template = AuditTemplate.objects.filter(pk=pk, is_active=True).first() if pk else None
    questions: list[AuditQuestion] = []
    if template is None:
        errors["template"] = [_("Choose one of the listed options.")]
    else:
        questions = selectors.template_questions_in_order(template=template)
        if not questions:
            errors["template"] = [_("This template has no questions yet.")]
    auditor = _auditor(auditor_id, supplier_id=supplier.pk)
    if auditor is None:
        errors["auditor"] = [_("Choose one of the listed options.")]
    site = None
    if site_id:
        site_pk = as_uuid(site_id)
        site = Site.objects.filter(pk=site_pk, supplier_id=supplier.pk).first() if site_pk else None
        if site is None:
            errors["site"] = [_("Choose one of the listed options.")]
    if errors:
        raise invalid(errors)
    assert template is not None and auditor is not None
    audit = FactoryAudit.objects.create(
        tenant=tenant,
        supplier=supplier,
        site=site,
        template=template,
        audit_type=template.audit_type,
        auditor=auditor,
        planned_on=planned_on,
        pass_score=template.pass_score,
    )
    AuditItem.objects.bulk_create(
        [
            AuditItem(
                tenant=tenant,
                audit=audit,
                section=q.section,
                position=position,
                text=q.text,
                weight=q.weight,
                is_critical=q.is_critical,
            )
            for position, q in enumerate(questions, start=1)
        ]
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.plan",
        target=audit,
        after={
            "supplier": str(supplier.pk),
            "site": str(site.pk) if site else None,
            "template": str(template.pk),
            "audit_type": template.audit_type,
            "auditor": auditor.user.email,
            "planned_on": planned_on.isoformat() if planned_on else None,
            "items": len(questions),
        },
    )
    return audit


# Performing


def audit_to_perform(by: Actor, audit_id: Any) -> FactoryAudit:
    """The audit ``by`` may perform, locked. An agent reaches only the audits assigned to them on suppliers
    still assigned to them (anything else is NotFoundError); an internal member needs the audit scope and to
    be the audit's auditor."""
    audit = access_audit(by=by, id=audit_id, need=(Scope.SUPPLIER_AUDIT, Scope.PORTAL), lock=True)
    if is_agent(by):
        return audit
    if by.membership is None or audit.auditor_id != by.membership.pk:
        raise ScopeError(_("Only the audit's auditor can work on it."))
    return audit


def require_open(audit: FactoryAudit) -> None:
    if audit.status not in selectors.OPEN:
        raise DomainError(_("This audit has been submitted; it can no longer be changed."), code="audit_closed")


def mark_started(audit: FactoryAudit) -> None:
    if audit.status == AuditStatus.PLANNED:
        audit.status = AuditStatus.IN_PROGRESS
        audit.save(update_fields=["status"])


@transaction.atomic
def audit_answers_save(
    *, tenant: Tenant, by: Actor, audit_id: Any, answers: dict[str, tuple[str, str]]
) -> FactoryAudit:
    """Record answers: item id → (answer, comment). An empty answer leaves the item unanswered; items not
    named are left as they are. The first answers put a planned audit in progress."""
    audit = audit_to_perform(by, audit_id)
    require_open(audit)
    items = {str(i.pk): i for i in AuditItem.objects.filter(audit_id=audit.pk)}
    errors: dict[str, list[str]] = {}
    changed: list[AuditItem] = []
    for item_id, (answer, comment) in answers.items():
        item = items.get(str(as_uuid(item_id)) if as_uuid(item_id) else "")
        if item is None:
            errors[f"answer_{item_id}"] = [_("Not an item of this audit.")]
            continue
        answer, comment = (answer or "").strip(), (comment or "").strip()
        if answer and answer not in AnswerChoice.values:
            errors[f"answer_{item_id}"] = [_("Choose one of the listed options.")]
            continue
        if (item.answer, item.comment) != (answer, comment):
            item.answer, item.comment = answer, comment
            changed.append(item)
    if errors:
        raise invalid(errors)
    if not changed:
        return audit
    AuditItem.objects.bulk_update(changed, ["answer", "comment"])
    mark_started(audit)
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.answer",
        target=audit,
        after={"answers": {str(i.pk): i.answer for i in changed}},
    )
    return audit


@transaction.atomic
def audit_evidence_upload(
    *,
    tenant: Tenant,
    by: Actor,
    audit_id: Any,
    file: IO[bytes],
    file_name: str = "",
    item_id: Any = None,
    caption: str = "",
) -> AuditEvidence:
    """Attach an evidence file to the audit, or to one of its items. The file is accepted by its bytes."""
    audit = audit_to_perform(by, audit_id)
    require_open(audit)
    errors: dict[str, list[str]] = {}
    item = None
    if item_id:
        pk = as_uuid(item_id)
        item = AuditItem.objects.filter(pk=pk, audit_id=audit.pk).first() if pk else None
        if item is None:
            errors["item"] = [_("Choose one of the listed options.")]
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX:
        errors["caption"] = [_("At most %(n)d characters.") % {"n": CAPTION_MAX}]
    accepted = None
    try:
        accepted = accept_upload(file, allowed=DOCUMENTS, file_name=file_name, fallback="evidence")
    except DomainError as exc:
        errors.update(exc.fields)
    if errors or accepted is None:
        raise invalid(errors)
    evidence = AuditEvidence(
        tenant=tenant,
        audit=audit,
        item=item,
        caption=caption,
        file_name=accepted.file_name,
        content_type=accepted.content_type,
        size=accepted.size,
        uploaded_by=by.user,
    )
    store_upload(evidence.file, accepted)
    evidence.save()
    mark_started(audit)
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.evidence_upload",
        target=audit,
        after={
            "evidence": str(evidence.pk),
            "item": str(item.pk) if item else None,
            "file_name": evidence.file_name,
            "content_type": accepted.content_type,
            "size": accepted.size,
        },
    )
    return evidence


def audit_evidence_download(*, tenant: Tenant, by: Actor, evidence_id: Any) -> AuditEvidence:
    """The evidence file to send, once the read is recorded. Internal readers see every audit's files; an
    agent only those of audits assigned to them."""
    evidence = access_audit_evidence(by=by, id=evidence_id, need=(Scope.SUPPLIER_READ, Scope.PORTAL))
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.evidence_download",
        target=evidence,
        after={"audit": str(evidence.audit_id), "file_name": evidence.file_name},
    )
    return evidence


CRITICAL_FOLLOW_UP_DAYS = 30


@transaction.atomic
def audit_submit(
    *, tenant: Tenant, by: Actor, audit_id: Any, summary: str = "", performed_on: datetime.date | None = None
) -> FactoryAudit:
    """Submit an audit: every item must be answered and at least one applicable. The score and verdict come
    from ``suppliers.audit_scoring``; each critical item answered non-compliant gets a critical finding if it
    has none. ``performed_on`` is the day of the visit (today when not given; never in the future).

    An internal auditor's audit is then passed or failed. An agent's is ``submitted``: scored, its proposed
    verdict on the event, and neither passed nor failed until quality reviews it (``audit_review``)."""
    audit = audit_to_perform(by, audit_id)
    require_open(audit)
    today = timezone.localdate()
    if performed_on is not None and performed_on > today:
        raise invalid({"performed_on": [_("The audit cannot have been performed in the future.")]})
    items = list(AuditItem.objects.filter(audit_id=audit.pk).order_by("position"))
    scored = [audit_scoring.Item(weight=i.weight, answer=i.answer, is_critical=i.is_critical) for i in items]
    missing = [items[n] for n in audit_scoring.unanswered(scored)]
    if missing:
        names = "; ".join(f"{items.index(i) + 1}. {i.text[:80]}" for i in missing)
        message = _("Answer every item before submitting. Unanswered: %(items)s") % {"items": names}
        raise DomainError(message, fields={"answers": [message]})
    result = audit_scoring.evaluate(scored, pass_score=audit.pass_score)
    if result.score is None:
        message = _("Every item is marked not applicable; at least one must be assessed.")
        raise DomainError(message, fields={"answers": [message]})
    performed_on = performed_on or today
    with_finding = set(
        AuditFinding.objects.filter(audit_id=audit.pk, item__isnull=False, severity=Severity.CRITICAL).values_list(
            "item_id", flat=True
        )
    )
    raised = []
    for n in audit_scoring.critical_failures(scored):
        item = items[n]
        if item.pk in with_finding:
            continue
        raised.append(
            AuditFinding.objects.create(
                tenant=tenant,
                audit=audit,
                item=item,
                severity=Severity.CRITICAL,
                description=system_text.english(system_text.CRITICAL_ITEM, {"item": item.text}),
                description_code=system_text.CRITICAL_ITEM,
                description_params={"item": item.text},
                action=item.comment,
                owner=audit.supplier.owner if audit.supplier.owner_id else None,
                due_on=performed_on + datetime.timedelta(days=CRITICAL_FOLLOW_UP_DAYS),
            )
        )
    before = snapshot(audit, ["status", "score"])
    # An agent's audit waits for quality's review (suppliers.services.audit_review); an internal one is final.
    reviewed = is_agent(by)
    if reviewed:
        audit.status = AuditStatus.SUBMITTED
    else:
        audit.status = AuditStatus.PASSED if result.passed else AuditStatus.FAILED
    audit.score = result.score
    audit.critical_failed = result.critical_failed
    audit.performed_on = performed_on
    audit.summary = (summary or "").strip() or audit.summary
    audit.save(update_fields=["status", "score", "critical_failed", "performed_on", "summary"])
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.submit",
        target=audit,
        before=before,
        after={
            "status": audit.status,
            "score": str(result.score),
            "pass_score": str(audit.pass_score),
            "critical_failed": result.critical_failed,
            "critical_findings_raised": [str(f.pk) for f in raised],
            **({"proposed": AuditStatus.PASSED if result.passed else AuditStatus.FAILED} if reviewed else {}),
        },
    )
    return audit


def factory_audit_export_record(*, tenant: Tenant, by: Actor, filters: dict[str, Any], fmt: str) -> None:
    """Record that the factory audits, as filtered, left the system as a file."""
    by.require(Scope.SUPPLIER_READ)
    shown = {name: str(value) for name, value in filters.items() if value}
    audit_record(tenant=tenant, by=by, action="audit.export", after={"format": fmt, **shown})
