"""Builders the supplier tests share: suppliers, certificates and documents; audit templates and audits."""

from __future__ import annotations

import datetime
import io
from typing import Any

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import AuditItem, AuditTemplate, FactoryAudit, Supplier
from suppliers.services import audit_templates
from suppliers.services import audits as services
from suppliers.services.certifications import certification_create
from tests.conftest import SYSTEM

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


# Suppliers, certificates and documents


def pdf(name: str = "certificate.pdf", body: bytes = PDF_BYTES) -> io.BytesIO:
    """A small PDF as an open file, named like an upload."""
    handle = io.BytesIO(body)
    handle.name = name
    return handle


def make_supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **extra: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **extra)


def require_certifications(tenant: Tenant, supplier: Supplier, *cert_types: str, code: str = "111") -> Any:
    """A category of ``tenant`` that requires ``cert_types``, linked to ``supplier``."""
    from sourcing.categories.models import Category
    from suppliers.models import SupplierCategory

    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code=code, name=f"Category {code}", required_certifications=list(cert_types)
        )
        SupplierCategory.objects.create(tenant=tenant, supplier=supplier, category=category)
    return category


def add_certificate(
    tenant: Tenant,
    supplier: Supplier,
    *,
    cert_type: str = "iso_9001",
    valid_until: datetime.date | None = None,
    with_file: bool = True,
    **extra: Any,
) -> Any:
    with tenant_scope(tenant):
        return certification_create(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            cert_type=cert_type,
            valid_until=valid_until or datetime.date(2030, 1, 31),
            file=pdf() if with_file else None,
            **extra,
        )


# Audits

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
        template = audit_templates.audit_template_create(
            tenant=tenant, by=SYSTEM, name=name, audit_type=audit_type, pass_score=pass_score
        )
        for section, text, weight, critical in QUESTIONS if questions is None else questions:
            audit_templates.audit_question_add(
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
