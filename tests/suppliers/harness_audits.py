"""Factory audits in the isolation harness: a checklist template with questions, and an audit of the harness's
supplier performed by the agent assigned to it (acme) or by the admin (globex, whose agent holds no grant),
with an evidence file and a finding."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import AuditItem, AuditTemplate, FactoryAudit, Supplier
from suppliers.selectors.master import suppliers_assigned_to
from suppliers.services import audit_findings as finding_services
from suppliers.services import audit_templates as template_services
from suppliers.services import audits as services
from tests.conftest import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"

POST_ONLY: set[str] = {
    "audit_template_set_active",
    "audit_question_add",
    "audit_question_delete",
    "audit_question_move",
    "audit_plan",
    "audit_answer",
    "audit_evidence_upload",
    "audit_finding_add",
    "audit_submit",
    "audit_finding_close",
    "portal_audit_answer",
    "portal_audit_evidence_upload",
    "portal_audit_finding_add",
    "portal_audit_submit",
    "audit_review_accept",
    "audit_review_return",
}
BODY_ID_ROUTES: set[str] = set()  # every audit form rides with an id in its path
API_PK_OBJECT: dict[str, str] = {"factoryaudit": "audit_id", "audittemplate": "audit_template_id"}


def _evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("harness-evidence.pdf", PDF, content_type="application/pdf")


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    item = objects.get("audit_item_id", "")
    answers = {f"answer_{item}": "compliant", f"comment_{item}": "Seen on the floor"}
    forms: dict[str, dict[str, Any]] = {
        "audit_template_set_active": {"active": "0"},
        "audit_question_add": {"section": "Incoming inspection", "text": "Are lots sampled?", "weight": "2"},
        "audit_question_delete": {},
        "audit_question_move": {"direction": "down"},
        "audit_plan": {
            "template": objects.get("audit_template_id", ""),
            "auditor": objects.get("audit_auditor_id", ""),
        },
        "audit_answer": answers,
        "portal_audit_answer": answers,
        "audit_evidence_upload": {"file": _evidence(), "caption": "Floor photo", "item": item},
        "portal_audit_evidence_upload": {"file": _evidence(), "caption": "Floor photo", "item": item},
        "audit_finding_add": {
            "severity": "minor",
            "description": "Gauges past calibration",
            "owner": objects.get("membership_id", ""),
            "item": item,
        },
        "portal_audit_finding_add": {"severity": "minor", "description": "Gauges past calibration", "item": item},
        "audit_submit": {"summary": "Harness", **answers},
        "portal_audit_submit": {"summary": "Harness", **answers},
        "audit_finding_close": {"note": "Gauges recalibrated"},
        "audit_review_accept": {"note": "Checked against the photos"},
        "audit_review_return": {"note": "Add a photo of the calibration labels"},
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    agent = members.get("agent")
    with tenant_scope(tenant):
        assigned = agent is not None and suppliers_assigned_to(user=agent.user).filter(pk=supplier.pk).exists()
        auditor = agent if assigned and agent is not None else members["admin"]
        template = template_services.audit_template_create(
            tenant=tenant, by=SYSTEM, name="Factory quality-system audit", audit_type="quality_system"
        )
        question = template_services.audit_question_add(
            tenant=tenant,
            by=SYSTEM,
            template_id=template.pk,
            section="Quality management",
            text="Is there a documented quality manual?",
            weight=3,
        )
        template_services.audit_question_add(
            tenant=tenant,
            by=SYSTEM,
            template_id=template.pk,
            section="Quality management",
            text="Are measuring instruments calibrated?",
            weight=2,
            is_critical=True,
        )
        audit = services.audit_plan(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, template_id=template.pk, auditor_id=auditor.pk
        )
        by = Actor.for_membership(auditor)
        evidence = services.audit_evidence_upload(
            tenant=tenant, by=by, audit_id=audit.pk, file=io.BytesIO(PDF), file_name="quality-manual.pdf"
        )
        finding = finding_services.audit_finding_add(
            tenant=tenant, by=by, audit_id=audit.pk, severity="major", description="No incoming inspection records"
        )
        item = AuditItem.objects.filter(audit_id=audit.pk).order_by("position").first()
    assert item is not None
    return {
        "audit_template_id": str(template.pk),
        "audit_question_id": str(question.pk),
        "audit_id": str(audit.pk),
        "audit_item_id": str(item.pk),
        "audit_auditor_id": str(auditor.pk),
        "audit_evidence_id": str(evidence.pk),
        "audit_finding_id": str(finding.pk),
    }


# Helpers the audit tests share

QUESTIONS: list[tuple[str, str, int, bool]] = [
    ("Quality management", "Is there a documented quality manual?", 3, False),
    ("Quality management", "Are measuring instruments calibrated?", 2, True),
    ("Production", "Are work instructions posted at each station?", 1, False),
    ("Production", "Is first-article inspection recorded?", 4, False),
]


def make_template(
    tenant: Tenant,
    *,
    questions: list[tuple[str, str, int, bool]] | None = None,
    name: str = "Factory quality-system audit",
    audit_type: str = "quality_system",
    pass_score: Any = 70,
) -> AuditTemplate:
    with tenant_scope(tenant):
        template = template_services.audit_template_create(
            tenant=tenant, by=SYSTEM, name=name, audit_type=audit_type, pass_score=pass_score
        )
        for section, text, weight, critical in QUESTIONS if questions is None else questions:
            template_services.audit_question_add(
                tenant=tenant,
                by=SYSTEM,
                template_id=template.pk,
                section=section,
                text=text,
                weight=weight,
                is_critical=critical,
            )
    return template


def plan(
    tenant: Tenant, supplier: Supplier, template: AuditTemplate, auditor: Membership, **extra: Any
) -> FactoryAudit:
    with tenant_scope(tenant):
        return services.audit_plan(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, template_id=template.pk, auditor_id=auditor.pk, **extra
        )


def answer_all(tenant: Tenant, audit: FactoryAudit, auditor: Membership, answers: list[str]) -> None:
    """Answer the audit's items in checklist order."""
    with tenant_scope(tenant):
        items = list(AuditItem.objects.filter(audit_id=audit.pk).order_by("position"))
        services.audit_answers_save(
            tenant=tenant,
            by=Actor.for_membership(auditor),
            audit_id=audit.pk,
            answers={str(i.pk): (a, "") for i, a in zip(items, answers, strict=False)},
        )
