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
from sourcing.errors import ConflictError, NotFoundError, ScopeError
from sourcing.ids import as_uuid
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers import audit_scoring
from suppliers.models import AuditStatus, FactoryAudit
from suppliers.services.common import invalid, is_agent

NOTE_MAX = 2000
REVIEW_FIELDS = ["status", "score", "critical_failed"]


def _audit_to_review(by: Actor, audit_id: Any) -> FactoryAudit:
    """The audit ``by`` may review, locked: an internal member with the audit scope, not its auditor. An agent
    (who holds no internal scope) or a system actor is refused; a missing or another tenant's id is
    NotFoundError. Whether it is awaiting review is for the caller to check."""
    by.require(Scope.SUPPLIER_AUDIT)
    if is_agent(by):
        raise NotFoundError()
    if by.membership is None:
        raise ScopeError(_("An audit is reviewed by a person."), code="permission_denied")
    pk = as_uuid(audit_id)
    audit = (
        FactoryAudit.objects.select_for_update(of=("self",))
        .select_related("auditor__user", "supplier")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if audit is None:
        raise NotFoundError()
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
    change is committed. Findings stay as they are."""
    audit = _audit_to_review(by, audit_id)
    note = _note(note)
    if not note:
        raise invalid({"note": [_("Tell the auditor what to correct.")]})
    before = snapshot(audit, REVIEW_FIELDS)
    audit.status = AuditStatus.IN_PROGRESS
    audit.score = None
    audit.critical_failed = False
    audit.save(update_fields=REVIEW_FIELDS)
    audit_record(
        tenant=tenant,
        by=by,
        action="audit.review_return",
        target=audit,
        before=before,
        after={**snapshot(audit, REVIEW_FIELDS), "note": note},
    )
    user = audit.auditor.user
    if user.is_active and audit.auditor.is_active:
        pk, supplier = audit.pk, audit.supplier.legal_name
        transaction.on_commit(lambda: _send_returned(tenant, pk, supplier, note, user))
    return audit


def _send_returned(tenant: Tenant, audit_id: Any, supplier: str, note: str, user: Any) -> None:
    path = reverse("portal_audit_detail", kwargs={"tenant_slug": tenant.slug, "audit_id": audit_id})
    with translation.override(user.language or tenant.default_language):
        context = {"tenant_name": tenant.name, "supplier": supplier, "note": note, "url": f"{settings.SITE_URL}{path}"}
        subject = " ".join(render_to_string("suppliers/email/audit_returned_subject.txt", context).split())
        body = render_to_string("suppliers/email/audit_returned.txt", context)
    send_mail(subject, body, None, [user.email])
