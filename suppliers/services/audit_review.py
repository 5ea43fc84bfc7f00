"""Quality's review of an audit an agent submitted. The agent's submission is scored and waits as ``submitted``;
it counts for nothing (approval rules, badges, lists) until an internal member who audits accepts it, which
passes or fails it by the scoring rule, or returns it with a note to the agent, who corrects and submits again.
The agent who performed the audit never reviews it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import ConflictError, ScopeError
from sourcing.ids import as_uuid
from sourcing.mail import render_subject
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Scope
from suppliers import audit_scoring
from suppliers.models import AuditFinding, AuditStatus, FactoryAudit
from suppliers.selectors.master import suppliers_assigned_to
from suppliers.services.access import access_audit
from suppliers.services.common import invalid

NOTE_MAX = 2000
REVIEW_FIELDS = ["status", "score", "critical_failed"]


def _audit_to_review(by: Actor, audit_id: Any) -> FactoryAudit:
    """The audit ``by`` may review, locked: an internal member with the audit scope, not its auditor. An agent
    (who holds no internal scope) or a system actor is refused; a missing or another tenant's id is
    NotFoundError. Whether it is awaiting review is for the caller to check."""
    by.require(Scope.SUPPLIER_AUDIT)
    if by.membership is None:
        raise ScopeError(_("An audit is reviewed by a person."), code="permission_denied")
    audit = access_audit(by=by, id=audit_id, need=Scope.SUPPLIER_AUDIT, lock=True)
    if audit.auditor_id == by.membership.pk or audit.auditor.user_id == by.membership.user_id:
        raise ScopeError(_("The auditor cannot review their own audit."), code="permission_denied")
    if audit.status != AuditStatus.SUBMITTED:
        raise ConflictError(_("This audit is not awaiting review."))
    return audit


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise invalid({"note": [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    return note


@transaction.atomic
def audit_review_accept(*, tenant: Tenant, by: Actor, audit_id: Any, note: str = "") -> FactoryAudit:
    """Accept an agent's submitted audit: it passes or fails by the score and critical items it was submitted
    with (``audit_scoring.passes``). The agent's findings, and the critical ones the submission raised, stand."""
    audit = _audit_to_review(by, audit_id)
    note = _note(note)
    before = snapshot(audit, REVIEW_FIELDS)
    passed = audit_scoring.passes(audit.score, audit.critical_failed, audit.pass_score)
    audit.status = AuditStatus.PASSED if passed else AuditStatus.FAILED
    audit.save(update_fields=["status"])
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.review_accept",
        target=audit,
        before=before,
        after={**snapshot(audit, REVIEW_FIELDS), "note": note},
    )
    return audit


@transaction.atomic
def audit_review_return(*, tenant: Tenant, by: Actor, audit_id: Any, note: str) -> FactoryAudit:
    """Return an agent's submitted audit to them to correct: it is in progress again, without a score, and the
    note (addressed to the agent, shown on their audit page) is e-mailed to them in their language once the
    change is committed. The critical findings its submission raised are withdrawn with it; the agent's own
    findings stay. Refused when the auditor can no longer work on the supplier (unassigned or deactivated)."""
    audit = _audit_to_review(by, audit_id)
    note = _note(note)
    if not note:
        raise invalid({"note": [_("Tell the auditor what to correct.")]})
    auditor = audit.auditor
    assigned = suppliers_assigned_to(user=auditor.user).filter(pk=audit.supplier_id).exists()
    if not (auditor.is_active and auditor.user.is_active and assigned):
        raise ConflictError(
            _(
                "Its auditor can no longer work on this supplier, so it cannot be returned to them: accept it, "
                "or plan a new audit."
            )
        )
    before = snapshot(audit, REVIEW_FIELDS)
    audit.status = AuditStatus.IN_PROGRESS
    audit.score = None
    audit.critical_failed = False
    audit.save(update_fields=REVIEW_FIELDS)
    # The returned submission no longer stands, nor do the critical findings it raised: submitting again
    # raises them again for the critical items still not met.
    withdrawn = AuditFinding.objects.filter(pk__in=_raised_by_last_submission(audit), is_closed=False)
    withdrawn_ids = sorted(str(pk) for pk in withdrawn.values_list("pk", flat=True))
    withdrawn.delete()
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.review_return",
        target=audit,
        before=before,
        after={**snapshot(audit, REVIEW_FIELDS), "note": note, "critical_findings_withdrawn": withdrawn_ids},
    )
    pk, supplier, user = audit.pk, audit.supplier.display_name, auditor.user
    transaction.on_commit(lambda: _send_returned(tenant, pk, supplier, note, user))
    return audit


def _raised_by_last_submission(audit: FactoryAudit) -> list[Any]:
    """The ids of the critical findings the audit's latest submission raised (kept on its audit event)."""
    event = (
        AuditEvent.objects.filter(action="audit.submit", object_type=audit._meta.label_lower, object_id=str(audit.pk))
        .order_by("-created_at")
        .first()
    )
    raised = (event.after or {}).get("critical_findings_raised", []) if event else []
    return [pk for pk in (as_uuid(r) for r in raised) if pk is not None]


def _send_returned(tenant: Tenant, audit_id: Any, supplier: str, note: str, user: Any) -> None:
    path = reverse("portal_audit_detail", kwargs={"tenant_slug": tenant.slug, "audit_id": audit_id})
    with translation.override(user.language or tenant.default_language):
        context = {"tenant_name": tenant.name, "supplier": supplier, "note": note, "url": f"{settings.SITE_URL}{path}"}
        subject = render_subject("suppliers/email/audit_returned_subject.txt", context)
        body = render_to_string("suppliers/email/audit_returned.txt", context)
    send_mail(subject, body, None, [user.email])
