"""The demo certificates and documents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.demo.evidence import minimal_pdf, seed_evidence
from suppliers.models import Certification, DocumentVersion, RiskFlag
from suppliers.selectors.evidence import tenant_today
from tests.conftest import SYSTEM
from tests.suppliers.builders import make_supplier, require_certifications


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_minimal_pdf_has_a_cross_reference_table_that_points_at_its_objects() -> None:
    data = minimal_pdf("ISO 9001 (Q-1) for Ningbo")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n", data).group(1))  # type: ignore[union-attr]
    assert data[startxref:].startswith(b"xref\n0 6\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", data)]
    assert [data[o:].split(b"\n", 1)[0] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    assert rb"(ISO 9001 \(Q-1\) for Ningbo) Tj" in data
    length = int(re.search(rb"/Length (\d+)", data).group(1))  # type: ignore[union-attr]
    stream = data.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length


def _seed(tenant: Tenant, make_member: Any) -> dict[str, int]:
    agent = make_member(tenant, Role.AGENT, email=f"agent@{tenant.slug}.test")
    suppliers = [make_supplier(tenant, f"Supplier {n:02d}") for n in range(40)]
    require_certifications(tenant, suppliers[0], "fda_fei")
    for supplier in suppliers[1:10]:
        require_certifications(tenant, supplier, "cpsia_cpc", code=f"C{supplier.legal_name[-2:]}")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=suppliers[1])
        return seed_evidence(tenant=tenant, by=SYSTEM, suppliers=suppliers, members={"agent": agent})


def test_seed_evidence_gives_a_realistic_and_repeatable_mix(
    tenant: Tenant, other_tenant: Tenant, make_member: Any
) -> None:
    counts = _seed(tenant, make_member)
    assert _seed(other_tenant, make_member) == counts  # deterministic
    today = tenant_today(tenant)
    with tenant_scope(tenant):
        certifications = list(Certification.objects.all())
        states = {c.state(today) for c in certifications}
        types = {c.cert_type for c in certifications}
        assert len(certifications) == counts["certifications"]
        assert sum(c.cert_type == "iso_9001" for c in certifications) > 25  # most of 40
        assert states == {"valid", "expiring", "expired"}
        assert {"iso_9001", "cpsia_cpc"} <= types and types & {"amfori_bsci", "smeta"}
        assert all(c.file and c.content_type == "application/pdf" for c in certifications)
        assert Certification.objects.exclude(uploaded_by=None).exists()  # the assigned agent's uploads
        assert DocumentVersion.objects.filter(version=2).count() >= 3
        assert counts["versions"] == DocumentVersion.objects.count()
        assert RiskFlag.objects.filter(kind="compliance").exists()  # some miss or let lapse what is required
