"""Reads of factory audits and their checklist templates. An agent reaches an audit only when it is assigned
to them and they are still assigned to its supplier; anything else is the same NotFoundError as a missing id."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.categories.requirements import AuditType
from sourcing.models import USABLE_MEMBERSHIP, Membership
from sourcing.roles import ROLE_SCOPES, Role, Scope
from suppliers.models import (
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    FactoryAudit,
    Severity,
    Supplier,
    SupplierAgentGrant,
)
from suppliers.selectors.master import assigned_supplier_ids

COMPLETED = (AuditStatus.PASSED, AuditStatus.FAILED)
OPEN = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
AWAITING_REVIEW = AuditStatus.SUBMITTED  # an agent's submission, until quality accepts or returns it
AUDITOR_ROLES = [role for role, scopes in ROLE_SCOPES.items() if Scope.SUPPLIER_AUDIT in scopes and role != Role.AGENT]


# Templates


def template_list(*, active_only: bool = False) -> QuerySet[AuditTemplate]:
    templates = (
        AuditTemplate.objects.all()
        .annotate(
            question_count=Count("questions"), critical_count=Count("questions", filter=Q(questions__is_critical=True))
        )
        .order_by("-is_active", "name")
    )
    return templates.filter(is_active=True) if active_only else templates


@dataclass
class Section:
    name: str
    entries: list[Any] = field(default_factory=list)  # questions or audit items, in position order


def by_section(entries: list[Any]) -> list[Section]:
    """Questions (or items) grouped by section, sections in the order of their first entry."""
    sections: dict[str, Section] = {}
    for entry in sorted(entries, key=lambda e: e.position):
        sections.setdefault(entry.section, Section(entry.section)).entries.append(entry)
    return list(sections.values())


def template_sections(*, template: AuditTemplate) -> list[Section]:
    return by_section(list(AuditQuestion.objects.filter(template_id=template.pk)))


def template_questions_in_order(*, template: AuditTemplate) -> list[AuditQuestion]:
    """The questions as a checklist reads them: section by section."""
    return [q for section in template_sections(template=template) for q in section.entries]


# Audits


def audit_rows(queryset: QuerySet[FactoryAudit]) -> QuerySet[FactoryAudit]:
    return queryset.select_related("supplier", "site", "template", "auditor__user", "auditor__agency")


def audit_list(
    *, status: str = "", audit_type: str = "", auditor: Any = None, supplier: Any = None
) -> QuerySet[FactoryAudit]:
    audits = audit_rows(FactoryAudit.objects.all())
    if status:
        audits = audits.filter(status=status)
    if audit_type:
        audits = audits.filter(audit_type=audit_type)
    if auditor:
        audits = audits.filter(auditor_id=auditor)
    if supplier:
        audits = audits.filter(supplier_id=supplier)
    return audits.order_by("-created_at", "-id")


def supplier_audits(*, supplier: Supplier) -> list[FactoryAudit]:
    return list(audit_rows(FactoryAudit.objects.filter(supplier_id=supplier.pk)).order_by("-created_at", "-id"))


def audits_assigned_to(*, membership: Membership) -> QuerySet[FactoryAudit]:
    """The audits assigned to this agent (as auditor), on suppliers still assigned to them."""
    assigned = assigned_supplier_ids(user=membership.user)
    return (
        FactoryAudit.objects.filter(auditor_id=membership.pk, supplier_id__in=assigned)
        .select_related("supplier", "site")
        .order_by("-created_at", "-id")
    )


@dataclass
class AuditSheet:
    """Everything an audit's page shows: the checklist by section, evidence and findings."""

    audit: FactoryAudit
    sections: list[Section]
    items: list[AuditItem]
    evidence: list[AuditEvidence]  # on the audit as a whole
    findings: list[AuditFinding]
    unanswered: int


def audit_sheet(*, audit: FactoryAudit) -> AuditSheet:
    evidence = list(AuditEvidence.objects.filter(audit_id=audit.pk).select_related("uploaded_by"))
    findings = list(AuditFinding.objects.filter(audit_id=audit.pk).select_related("owner__user", "item"))
    items = list(AuditItem.objects.filter(audit_id=audit.pk))
    by_item: dict[Any, list[AuditEvidence]] = {}
    for e in evidence:
        by_item.setdefault(e.item_id, []).append(e)
    findings_by_item: dict[Any, list[AuditFinding]] = {}
    for f in findings:
        findings_by_item.setdefault(f.item_id, []).append(f)
    for number, item in enumerate(sorted(items, key=lambda i: i.position), start=1):
        item.number = number  # type: ignore[attr-defined]
        item.item_evidence = by_item.get(item.pk, [])  # type: ignore[attr-defined]
        item.item_findings = findings_by_item.get(item.pk, [])  # type: ignore[attr-defined]
    return AuditSheet(
        audit=audit,
        sections=by_section(items),
        items=sorted(items, key=lambda i: i.position),
        evidence=by_item.get(None, []),
        findings=findings,
        unanswered=sum(1 for i in items if not i.answer),
    )


def open_findings(*, overdue_only: bool = False, today: datetime.date | None = None) -> QuerySet[AuditFinding]:
    """Open findings, most pressing first (earliest due; those without a date last)."""
    findings = AuditFinding.objects.filter(is_closed=False).select_related("audit__supplier", "owner__user", "item")
    if overdue_only:
        findings = findings.filter(due_on__lt=today or timezone.localdate())
    return findings.order_by("due_on", "-created_at", "id")


def finding_close_notes(*, findings: list[AuditFinding]) -> dict[str, str]:
    """The note each closed finding was closed with (kept on its audit event), by finding id."""
    from sourcing.models import AuditEvent

    ids = [str(f.pk) for f in findings if f.is_closed]
    if not ids:
        return {}
    events = AuditEvent.objects.filter(action="audit_finding.close", object_id__in=ids).order_by("created_at")
    return {e.object_id: (e.after or {}).get("note", "") for e in events}


def awaiting_review_count() -> int:
    return FactoryAudit.objects.filter(status=AWAITING_REVIEW).count()


@dataclass(frozen=True)
class Review:
    """The latest review of an audit: ``returned`` or ``accepted``, the reviewer's note, when and by whom."""

    outcome: str
    note: str
    at: datetime.datetime
    by: str  # internal: for quality's page, never the partner's


REVIEW_ACTIONS = {"audit.review_accept": "accepted", "audit.review_return": "returned"}


def latest_review(*, audit: FactoryAudit) -> Review | None:
    """The audit's latest review, if nothing was submitted since (the note is kept on the audit event)."""
    from sourcing.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            object_type=FactoryAudit._meta.label_lower,
            object_id=str(audit.pk),
            action__in=[*REVIEW_ACTIONS, "audit.submit"],
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None or event.action not in REVIEW_ACTIONS:
        return None
    return Review(
        REVIEW_ACTIONS[event.action], (event.after or {}).get("note", ""), event.created_at, event.actor_label
    )


# Choices for forms, built inside the tenant scope


def auditor_choices_queryset(*, supplier_id: Any) -> QuerySet[Membership]:
    """Who may audit this supplier: internal members who audit, and the agents assigned to it."""
    agent_users = SupplierAgentGrant.objects.filter(
        content_object_id=supplier_id, permission__codename="view_supplier"
    ).values("user_id")
    return Membership.objects.filter(USABLE_MEMBERSHIP).filter(
        Q(role__in=AUDITOR_ROLES) | Q(role=Role.AGENT, user_id__in=agent_users)
    )


def auditor_choices(*, supplier: Supplier) -> list[Membership]:
    return list(
        auditor_choices_queryset(supplier_id=supplier.pk)
        .select_related("user", "agency")
        .order_by("role", "user__email")
    )


def audit_auditors() -> list[Membership]:
    """Everyone who holds an audit, for the overview's filter."""
    return list(
        Membership.objects.filter(pk__in=FactoryAudit.objects.values("auditor_id"))
        .select_related("user", "agency")
        .order_by("user__email")
    )


def audited_suppliers() -> list[Supplier]:
    return list(
        Supplier.objects.filter(pk__in=FactoryAudit.objects.values("supplier_id"))
        .only("id", "legal_name", "local_name")
        .order_by("legal_name")
    )


def finding_owner_choices() -> list[Membership]:
    """Internal members who can own a finding's follow-up."""
    return list(
        Membership.objects.filter(USABLE_MEMBERSHIP)
        .exclude(role=Role.AGENT)
        .select_related("user")
        .order_by("user__email")
    )


# What the qualification rules read


def latest_audits(supplier: Supplier) -> dict[str, FactoryAudit]:
    """The latest completed (passed or failed) audit of each type, by the day it was performed."""
    return _latest(supplier)[0]


def _latest(supplier: Supplier) -> tuple[dict[str, FactoryAudit], set[str]]:
    """``latest_audits``, and the types with an audit awaiting review (one query)."""
    result: dict[str, FactoryAudit] = {}
    in_review: set[str] = set()
    audits = FactoryAudit.objects.filter(supplier_id=supplier.pk, status__in=[*COMPLETED, AWAITING_REVIEW]).order_by(
        "-performed_on", "-created_at", "-id"
    )
    for audit in audits:
        if audit.status == AWAITING_REVIEW:
            in_review.add(audit.audit_type)
        else:
            result.setdefault(audit.audit_type, audit)
    return result, in_review


def audit_blockers(supplier: Supplier, required_types: list[str]) -> list[str]:
    """One message per required audit type that stops approval: its latest completed audit did not pass
    (or there is none), or one of its audits has an open critical finding. An agent's audit awaiting review
    counts as neither passed nor failed; with no completed audit, the message says one is awaiting review."""
    latest, in_review = _latest(supplier)
    critical = dict(
        AuditFinding.objects.filter(audit__supplier_id=supplier.pk, is_closed=False, severity=Severity.CRITICAL)
        .values_list("audit__audit_type")
        .annotate(n=Count("id"))
    )
    labels = dict(AuditType.choices)
    messages: list[str] = []
    for audit_type in dict.fromkeys(required_types):
        label = str(labels.get(audit_type, audit_type))
        audit = latest.get(audit_type)
        if audit is None and audit_type in in_review:
            messages.append(_("%(audit)s: no audit passed yet; one is awaiting review.") % {"audit": label})
        elif audit is None:
            messages.append(_("%(audit)s: no audit passed yet.") % {"audit": label})
        elif audit.status != AuditStatus.PASSED:
            messages.append(
                _("%(audit)s: the latest audit (%(date)s) failed.")
                % {"audit": label, "date": audit.performed_on.isoformat() if audit.performed_on else "—"}
            )
        elif critical.get(audit_type):
            count = critical[audit_type]
            message = ngettext(
                "%(audit)s: %(count)d open critical finding.", "%(audit)s: %(count)d open critical findings.", count
            )
            messages.append(message % {"audit": label, "count": count})
    return messages
