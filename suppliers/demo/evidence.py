"""Demo certifications and documents: most suppliers hold ISO 9001, a share hold a social audit (amfori BSCI
or SMETA), the types their categories require where plausible (FDA, CPSIA, ...), some expiring within 30 days
and some expired; a few documents have two versions. Every file is a small, valid PDF."""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Sequence
from typing import Any

from sourcing.actors import Actor
from sourcing.categories.requirements import CertificationType
from sourcing.models import Membership, Tenant
from suppliers.models import DocumentType, Supplier
from suppliers.selectors.evidence import required_certifications, tenant_today
from suppliers.services.certifications import certification_create
from suppliers.services.documents import document_upload

ISSUERS = {
    CertificationType.ISO_9001: ["SGS", "TÜV SÜD", "Bureau Veritas", "Intertek", "CQC"],
    CertificationType.ISO_14001: ["SGS", "TÜV Rheinland", "DNV", "CQC"],
    CertificationType.AMFORI_BSCI: ["amfori (audit by SGS)", "amfori (audit by UL)", "amfori (audit by Intertek)"],
    CertificationType.SMETA: ["Sedex (audit by Bureau Veritas)", "Sedex (audit by ELEVATE)"],
    CertificationType.FDA_FEI: ["U.S. FDA"],
    CertificationType.CPSIA_CPC: ["Intertek", "SGS", "Bureau Veritas"],
    CertificationType.PROP65: ["Intertek", "SGS"],
    CertificationType.FORCED_LABOUR_TRACING: ["Oritain", "internal traceability file"],
    CertificationType.OTHER: ["BRCGS", "FSC"],
}
# How long each kind of certificate runs, in days.
TERMS: dict[str, int] = {
    CertificationType.ISO_9001: 3 * 365,
    CertificationType.ISO_14001: 3 * 365,
    CertificationType.FDA_FEI: 2 * 365,
}


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _file(name: str, text: str) -> io.BytesIO:
    handle = io.BytesIO(minimal_pdf(text))
    handle.name = name
    return handle


def _until(rng: random.Random, today: datetime.date) -> datetime.date:
    """Mostly well in date; about one in ten expiring within 30 days and one in sixteen expired."""
    roll = rng.random()
    if roll < 0.06:
        return today - datetime.timedelta(days=rng.randint(1, 150))
    if roll < 0.16:
        return today + datetime.timedelta(days=rng.randint(0, 30))
    return today + datetime.timedelta(days=rng.randint(45, 900))


def _wanted(rng: random.Random, supplier: Supplier, required: set[str]) -> list[str]:
    types: list[str] = []
    if rng.random() < 0.85:
        types.append(CertificationType.ISO_9001)
    if supplier.supplier_type == "manufacturer" and rng.random() < 0.25:
        types.append(CertificationType.ISO_14001)
    if rng.random() < 0.3:
        types.append(rng.choice([CertificationType.AMFORI_BSCI, CertificationType.SMETA]))
    # Approved suppliers were approved on their evidence (a few let it lapse since); prospects and suppliers in
    # qualification are still collecting theirs. The gaps show up as compliance flags.
    held = 0.97 if supplier.status in {"approved", "conditional", "suspended", "blocked"} else 0.6
    for cert_type in sorted(required):
        if cert_type not in types and rng.random() < held:
            types.append(cert_type)
    return types


def seed_evidence(
    *, tenant: Tenant, by: Actor, suppliers: Sequence[Supplier], members: dict[str, Membership], seed: int = 4
) -> dict[str, int]:
    """Certificates and documents for ``suppliers`` through the services; an assigned agent is the uploader of
    some. Deterministic for a given ``seed``. Returns what was created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic on purpose
    today = tenant_today(tenant)
    required = required_certifications([s.pk for s in suppliers])
    agent = members.get("agent")
    assigned: set[Any] = set()
    if agent is not None:
        from suppliers.selectors.master import suppliers_assigned_to

        assigned = set(suppliers_assigned_to(user=agent.user).values_list("pk", flat=True))
    counts = {"certifications": 0, "documents": 0, "versions": 0}
    for index, supplier in enumerate(suppliers):
        uploader = Actor.for_membership(agent) if agent is not None and supplier.pk in assigned else by
        for cert_type in _wanted(rng, supplier, required.get(supplier.pk, set())):
            term = TERMS.get(cert_type, 365)
            until = min(_until(rng, today), today + datetime.timedelta(days=term))  # issued by today, in force
            number = f"{cert_type[:3].upper()}-{today.year % 100:02d}-{rng.randint(10000, 99999)}"
            certification_create(
                tenant=tenant,
                by=uploader,
                supplier_id=supplier.pk,
                cert_type=cert_type,
                name="BRCGS Packaging" if cert_type == CertificationType.OTHER else "",
                number=number,
                issuer=rng.choice(ISSUERS[CertificationType(cert_type)]),
                valid_from=until - datetime.timedelta(days=term),
                valid_until=until,
                file=_file(f"{cert_type}-{number}.pdf", f"{supplier.legal_name} {cert_type} {number}"),
            )
            counts["certifications"] += 1
        if index % 4 == 0:
            document_upload(
                tenant=tenant,
                by=by,
                supplier_id=supplier.pk,
                doc_type=DocumentType.BUSINESS_LICENSE,
                title="Business licence",
                file=_file("business-licence.pdf", f"Business licence of {supplier.legal_name}"),
            )
            counts["documents"] += 1
            counts["versions"] += 1
        if index % 9 == 0:
            title = "Quality agreement"
            for version in (1, 2):
                document_upload(
                    tenant=tenant,
                    by=by,
                    supplier_id=supplier.pk,
                    doc_type=DocumentType.QUALITY_AGREEMENT,
                    title=title,
                    expires_on=today + datetime.timedelta(days=365 * version),
                    note="Signed" if version == 1 else "Renewed with the new AQL levels",
                    file=_file(f"quality-agreement-v{version}.pdf", f"{title} v{version} {supplier.legal_name}"),
                )
                counts["versions"] += 1
            counts["documents"] += 1
    return counts
