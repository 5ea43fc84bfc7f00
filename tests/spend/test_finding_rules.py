"""Findings raised from the analyses, against the five hand-worked lines of test_analysis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sourcing.models import AuditEvent, Tenant
from sourcing.spend.models import Finding
from sourcing.spend.services.finding_rules import findings_raise
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.test_analysis import five_lines  # noqa: F401 - the fixture


def test_the_analyses_raise_findings_once(tenant: Tenant, five_lines: dict[str, Any]) -> None:  # noqa: F811
    with tenant_scope(tenant):
        assert findings_raise(tenant=tenant, by=SYSTEM) == (4, 0)
        found = {f.key.split(":")[0]: f for f in Finding.objects.all()}
        by_kind = sorted(Finding.objects.values_list("kind", flat=True))
        # raising again changes nothing and writes nothing
        events = AuditEvent.objects.count()
        assert findings_raise(tenant=tenant, by=SYSTEM) == (0, 0)
        assert AuditEvent.objects.count() == events
    assert by_kind == ["duplicate_suppliers", "maverick", "maverick", "price_variance"]
    pot = found["price_variance"]
    assert (pot.amount, pot.estimated_saving, pot.category_id) == (
        Decimal("2750.00"),
        Decimal("250.00"),
        five_lines["pots"].pk,
    )
    assert [s["name"] for s in pot.suppliers] == ["Ningbo Everbright Housewares", "Yiwu Sunrise Trading Co., Ltd."]
    assert found["duplicate"].amount == Decimal("2000.00")


def test_a_closed_finding_stays_closed(tenant: Tenant, five_lines: dict[str, Any]) -> None:  # noqa: F811
    with tenant_scope(tenant):
        findings_raise(tenant=tenant, by=SYSTEM)
        Finding.objects.filter(kind="duplicate_suppliers").update(status="dismissed", note="Two companies.")
        findings_raise(tenant=tenant, by=SYSTEM)
        dismissed = Finding.objects.get(kind="duplicate_suppliers")
    assert dismissed.status == "dismissed" and dismissed.note == "Two companies."


def test_a_buyer_raises_findings_from_the_overview_and_an_executive_cannot(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
    make_member: Any,
) -> None:
    from django.test import Client

    from sourcing.roles import Role

    url = f"/t/{tenant.slug}/spend/findings/raise/"
    executive = Client()
    executive.force_login(make_member(tenant, Role.EXECUTIVE).user)
    assert executive.post(url).status_code == 403
    with tenant_scope(tenant):
        assert Finding.objects.count() == 0
    buyer = Client()
    buyer.force_login(make_member(tenant, Role.BUYER).user)
    assert "Raise findings from these analyses" in buyer.get(f"/t/{tenant.slug}/spend/").content.decode()
    response = buyer.post(url)
    assert response.status_code == 302 and response["Location"] == f"/t/{tenant.slug}/spend/findings/"
    with tenant_scope(tenant):
        assert Finding.objects.count() == 4


def test_the_erp_raises_findings_with_a_write_key(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
    api_client: Any,
) -> None:
    assert api_client(scopes=("read",)).post("/api/v1/spend/findings/raise/").status_code == 403
    response = api_client(scopes=("write",)).post("/api/v1/spend/findings/raise/")
    assert response.json() == {"created": 4, "updated": 0}


def test_a_raised_finding_the_analysis_no_longer_shows_is_closed(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
) -> None:
    from sourcing.spend.services import vendors

    with tenant_scope(tenant):
        findings_raise(tenant=tenant, by=SYSTEM)
        vendors.vendor_merge(
            tenant=tenant, by=SYSTEM, target_id=five_lines["sunrise"].pk, duplicate_ids=[five_lines["sunrise_alias"].pk]
        )
        findings_raise(tenant=tenant, by=SYSTEM)
        duplicate = Finding.objects.get(kind="duplicate_suppliers")
        manual = Finding.objects.create(tenant=tenant, kind="other", title="By hand", currency="USD")
        findings_raise(tenant=tenant, by=SYSTEM)
        manual.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.closed_at is not None
    assert "no longer shows it" in duplicate.note
    assert manual.status == "open"  # a finding raised by hand is the team's, never closed by the analyses
