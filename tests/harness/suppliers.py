"""The suppliers app in the isolation harness: the supplier master, certificates and documents, onboarding,
bank details and risk flags, factory audits, and the partner API with its token pages."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import AuditItem, Site, Supplier
from suppliers.selectors.master import suppliers_assigned_to
from suppliers.services import audit_findings, audit_templates, audits, bank, onboarding, onboarding_templates, risk
from suppliers.services.certifications import certification_create
from suppliers.services.documents import document_upload
from suppliers.services.master import supplier_create
from suppliers.services.sites_contacts import contact_save, site_save
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

POST_ONLY: set[str] = {"supplier_transition", "site_delete", "contact_delete", "supplier_merge"}  # master
# evidence; document_edit is asked with GET (its form); document_delete answers GET with a confirmation, so the
# harness sends it the POST that removes.
POST_ONLY |= {"certification_create", "certification_delete", "document_upload", "document_delete"}
POST_ONLY |= {  # onboarding, bank details, risk flags
    "onboarding_start",
    "onboarding_task_assign",
    "onboarding_task_due",
    "onboarding_task_complete",
    "onboarding_task_waive",
    "onboarding_task_reopen",
    "onboarding_item_add",
    "onboarding_item_remove",
    "bank_change_approve",
    "bank_change_reject",
    "supplier_risk_raise",
    "risk_flag_close",
}
POST_ONLY |= {  # audits
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
POST_ONLY |= {"portal_partner_token_revoke", "partner_token_revoke"}  # partner tokens

# The supplier form posts an owner and category ids; the merge form posts two supplier ids.
BODY_ID_ROUTES: set[str] = {"supplier_create", "supplier_merge"}
# Forms that post a site or document id (the certificate form's site, the upload form's document).
BODY_ID_ROUTES |= {
    "certification_create",
    "certification_edit",
    "document_upload",
    "portal_supplier_certifications",
    "portal_supplier_documents",
}
# Onboarding owner ids ride in forms only with an object id in the path, as do every audit form's and the token
# pages'.

API_PK_OBJECT: dict[str, str] = {"supplier-site": "site_id", "supplier-contact": "contact_id"}
API_PK_OBJECT |= {"certification": "certification_id", "document": "document_id"}
API_PK_OBJECT |= {"onboardingtask": "onboarding_task_id"}
API_PK_OBJECT |= {"factoryaudit": "audit_id", "audittemplate": "audit_template_id"}
API_PK_OBJECT |= {
    "partner-supplier": "supplier_id",
    "partner-certification": "certification_id",
    "partner-document": "document_id",
    "partner-audit": "audit_id",
}


def _pdf(name: str, body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


_ONBOARDING_FORMS: dict[str, dict[str, Any]] = {
    "onboarding_task_due": {"due_on": "2026-12-31"},
    "onboarding_task_complete": {"note": "Signed copy on file"},
    "onboarding_task_waive": {"reason": "Covered by the group agreement"},
    "onboarding_item_add": {"code": "harness_item", "title": "Harness item", "due_days": "7", "is_required": "on"},
    "bank_change_approve": {"note": "Confirmed by phone"},
    "bank_change_reject": {"note": "Not confirmed"},
    "supplier_risk_raise": {"title": "Harness flag", "severity": "major"},
    "risk_flag_close": {"note": "Dealt with"},
    "onboarding_start": {},
    "onboarding_task_reopen": {},
    "onboarding_item_remove": {},
}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    certificate = {"cert_type": "iso_9001", "valid_until": "2030-06-30", "site": objects.get("evidence_site_id", "")}
    upload = {"document": objects.get("document_id", ""), "file": _pdf("v2.pdf", EVIDENCE_PDF)}
    item = objects.get("audit_item_id", "")
    answers = {f"answer_{item}": "compliant", f"comment_{item}": "Seen on the floor"}
    forms: dict[str, dict[str, Any]] = {
        # master
        "supplier_transition": {},  # no action: every reader gets the same refusal, nothing moves
        "site_delete": {},
        "contact_delete": {},
        "supplier_merge": {"source": objects.get("merge_source_id", ""), "target": objects.get("merge_target_id", "")},
        "supplier_create": {
            "legal_name": "Harness Supplier Co., Ltd.",
            "supplier_type": "manufacturer",
            "tier": "core",
            "country": "CN",
            "owner": objects.get("membership_id", ""),
            "categories": [objects.get("category_id", "")],
        },
        # evidence
        "certification_create": certificate,
        "certification_edit": certificate,
        "portal_supplier_certifications": certificate,
        "certification_delete": {},
        "document_delete": {},
        "document_upload": upload,
        "portal_supplier_documents": upload,
        # onboarding, bank details, risk flags
        **_ONBOARDING_FORMS,
        "onboarding_task_assign": {"owner": objects.get("membership_id", "")},
        # audits
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
        "audit_evidence_upload": {"file": _pdf("harness-evidence.pdf"), "caption": "Floor photo", "item": item},
        "portal_audit_evidence_upload": {"file": _pdf("harness-evidence.pdf"), "caption": "Floor photo", "item": item},
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
        # partner tokens
        "portal_partner_token_revoke": {},
        "partner_token_revoke": {},
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    return {
        **_master_objects(tenant, supplier),
        **_evidence_objects(tenant, supplier),
        **_onboarding_objects(tenant, supplier, members),
        **_audit_objects(tenant, supplier, members),
        **_partner_objects(tenant, members),
    }


def _master_objects(tenant: Tenant, supplier: Supplier) -> dict[str, str]:
    """A site and a contact of ``supplier``, and two more suppliers to merge."""
    with tenant_scope(tenant):
        site = site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name=f"{tenant.name} plant")
        contact = contact_save(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Li Wei", email=f"li@{tenant.slug}.cn"
        )
        source = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name=f"{tenant.name} Twin A"), allow_duplicates=True
        )
        target = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name=f"{tenant.name} Twin B"), allow_duplicates=True
        )
    return {
        "site_id": str(site.pk),
        "contact_id": str(contact.pk),
        "merge_source_id": str(source.pk),
        "merge_target_id": str(target.pk),
    }


def _evidence_objects(tenant: Tenant, supplier: Supplier) -> dict[str, str]:
    """A site, a certificate with its file and a document with one version, all under ``supplier``."""
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=supplier, name=f"{tenant.name} evidence plant")
        certification = certification_create(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            cert_type="iso_9001",
            number=f"{tenant.slug.upper()}-Q-1",
            valid_until=datetime.date(2030, 1, 31),
            site_id=site.pk,
            file=io.BytesIO(EVIDENCE_PDF),
            file_name="iso9001.pdf",
        )
        version = document_upload(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            doc_type="business_license",
            title="Business licence",
            file=io.BytesIO(EVIDENCE_PDF),
            file_name="licence.pdf",
        )
    return {
        "evidence_site_id": str(site.pk),
        "certification_id": str(certification.pk),
        "document_id": str(version.document_id),
        "version_id": str(version.pk),
    }


def _onboarding_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A checklist with an item, an onboarding task, a pending bank change and a manual flag, under
    ``supplier``."""
    with tenant_scope(tenant):
        templates = onboarding_templates.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)
        template = next(t for t in templates if t.tier == supplier.tier)
        item = template.items.order_by("position").first()
        assert item is not None
        tasks = onboarding.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        # Done with evidence, so the evidence download has a file to send.
        onboarding.onboarding_task_complete(
            tenant=tenant, by=SYSTEM, task_id=tasks[0].pk, note="Signed", file=io.BytesIO(b"%PDF-1.4\n%%EOF\n")
        )
        # Bank changes are asked by a person: finance where the tenant has one, else its admin.
        requester = members.get(Role.FINANCE) or members[Role.ADMIN]
        account = bank.bank_change_request(
            tenant=tenant,
            by=Actor.for_membership(requester),
            supplier_id=supplier.pk,
            account_name=supplier.legal_name,
            bank_name="Bank of China, Ningbo Branch",
            account_number="6217 8560 0001 2345",
            swift_code="BKCHCNBJ92A",
            currency="USD",
        )
        flag = risk.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Harness risk")
    return {
        "onboarding_template_id": str(template.pk),
        "onboarding_item_id": str(item.pk),
        "onboarding_task_id": str(tasks[0].pk),
        "bank_account_id": str(account.pk),
        "risk_flag_id": str(flag.pk),
    }


def _audit_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A checklist template with questions, and an audit of ``supplier`` performed by the agent assigned to it
    (acme) or by the admin (globex, whose agent holds no grant), with an evidence file and a finding."""
    agent = members.get("agent")
    with tenant_scope(tenant):
        assigned = agent is not None and suppliers_assigned_to(user=agent.user).filter(pk=supplier.pk).exists()
        auditor = agent if assigned and agent is not None else members["admin"]
        template = audit_templates.audit_template_create(
            tenant=tenant, by=SYSTEM, name="Factory quality-system audit", audit_type="quality_system"
        )
        question = audit_templates.audit_question_add(
            tenant=tenant,
            by=SYSTEM,
            template_id=template.pk,
            section="Quality management",
            text="Is there a documented quality manual?",
            weight=3,
        )
        audit_templates.audit_question_add(
            tenant=tenant,
            by=SYSTEM,
            template_id=template.pk,
            section="Quality management",
            text="Are measuring instruments calibrated?",
            weight=2,
            is_critical=True,
        )
        audit = audits.audit_plan(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, template_id=template.pk, auditor_id=auditor.pk
        )
        by = Actor.for_membership(auditor)
        evidence = audits.audit_evidence_upload(
            tenant=tenant, by=by, audit_id=audit.pk, file=io.BytesIO(PDF), file_name="quality-manual.pdf"
        )
        finding = audit_findings.audit_finding_add(
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


def _partner_objects(tenant: Tenant, members: dict[str, Membership]) -> dict[str, str]:
    """A partner token of the tenant's agent (for acme, the agent assigned to the supplier)."""
    with tenant_scope(tenant):
        token, _raw = partner_token_create(tenant=tenant, by=Actor.for_membership(members["agent"]), name="Harness")
    return {"partner_token_id": str(token.pk)}


# The partner API. Every route under /api/partner/v1/ must be described here (the harness fails on one that is
# not): for each method, the (body, format) it is sent, built from acme's objects.
Body = Callable[[dict[str, str]], tuple[dict[str, Any], str]]

PARTNER_REQUESTS: dict[str, dict[str, Body]] = {
    "partner-supplier-list": {"GET": lambda o: ({}, "json")},
    "partner-supplier-detail": {"GET": lambda o: ({}, "json")},
    "partner-proposal-list": {
        "POST": lambda o: ({"legal_name": "Harness Proposed Trading Co., Ltd.", "allow_duplicates": True}, "json")
    },
    "partner-certification-list": {
        "GET": lambda o: ({}, "json"),
        "POST": lambda o: (
            {
                "supplier": o.get("supplier_id", ""),
                "cert_type": "smeta",
                "valid_until": "2031-03-31",
                "file": _pdf("harness.pdf"),
            },
            "multipart",
        ),
    },
    "partner-certification-detail": {"GET": lambda o: ({}, "json")},
    "partner-document-list": {
        "GET": lambda o: ({}, "json"),
        "POST": lambda o: (
            {
                "supplier": o.get("supplier_id", ""),
                "doc_type": "other",
                "title": "Harness layout",
                "file": _pdf("harness.pdf"),
            },
            "multipart",
        ),
    },
    "partner-document-detail": {"GET": lambda o: ({}, "json")},
    "partner-document-versions": {"POST": lambda o: ({"file": _pdf("v2.pdf")}, "multipart")},
    "partner-audit-list": {"GET": lambda o: ({}, "json")},
    "partner-audit-detail": {"GET": lambda o: ({}, "json")},
    "partner-audit-answers": {
        "POST": lambda o: ({"answers": [{"item": o.get("audit_item_id", ""), "answer": "compliant"}]}, "json")
    },
    "partner-audit-evidence": {
        "POST": lambda o: (
            {"file": _pdf("floor.pdf"), "item": o.get("audit_item_id", ""), "caption": "Floor"},
            "multipart",
        )
    },
    # Not every item is answered: refused (400), but only once the audit was found.
    "partner-audit-submit": {"POST": lambda o: ({"summary": "Harness"}, "json")},
}
# Routes whose body names a supplier: an agent it is not assigned to finds it missing (404).
PARTNER_BODY_ID_ROUTES = {"partner-certification-list", "partner-document-list"}
