"""Risk services: the region flag raised and closed from a supplier's places, dependency flags from the last
twelve months of spend, and manual flags raised and closed by people."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.spend import tasks as tasks_risk
from sourcing.spend.models import Vendor
from sourcing.spend.services import dependency
from sourcing.spend.services.imports import spend_lines_bulk
from sourcing.tenancy import tenant_scope
from suppliers.models import RiskFlag, RiskKind, Severity, Site, Supplier
from suppliers.services import risk as services
from tests.conftest import SYSTEM


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **values)


def _open(tenant: Tenant, supplier: Supplier | None = None) -> list[tuple[str, str]]:
    with tenant_scope(tenant):
        flags = RiskFlag.objects.filter(is_open=True)
        if supplier is not None:
            flags = flags.filter(supplier=supplier)
        return sorted(flags.values_list("kind", "source"))


def _refresh_region(tenant: Tenant, supplier: Supplier) -> RiskFlag | None:
    with tenant_scope(tenant):
        return services.risk_region_refresh(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)


# Region


@pytest.mark.parametrize(
    ("values", "site_province", "flagged"),
    [
        ({"province": "Xinjiang"}, None, True),
        ({"province": "新疆维吾尔自治区"}, None, True),
        ({"province": "Zhejiang", "credit_code": "91650100MA776XQ17K"}, None, True),
        ({"province": "Zhejiang"}, "新疆", True),
        ({"province": "Zhejiang", "credit_code": "91330200MA2AB3CD4E"}, "Jiangsu", False),
        ({"province": ""}, None, False),
    ],
)
def test_region_flag_from_province_site_or_credit_code(
    tenant: Tenant, values: dict[str, str], site_province: str | None, flagged: bool
) -> None:
    supplier = _supplier(tenant, **values)
    if site_province is not None:
        with tenant_scope(tenant):
            Site.objects.create(tenant=tenant, supplier=supplier, name="Main plant", province=site_province)
    flag = _refresh_region(tenant, supplier)
    assert (flag is not None) is flagged
    if flag is not None:
        assert (flag.kind, flag.severity, flag.source) == (RiskKind.REGION, Severity.CRITICAL, "region:forced_labour")
        assert "Xinjiang" in flag.title


def test_region_flag_is_refreshed_not_duplicated_and_closed_when_the_place_changes(tenant: Tenant) -> None:
    supplier = _supplier(tenant, province="Zhejiang")
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=supplier, name="Aksu mill", province="Xinjiang")
    first = _refresh_region(tenant, supplier)
    again = _refresh_region(tenant, supplier)
    assert first is not None and again is not None and again.pk == first.pk
    assert _open(tenant) == [("region", "region:forced_labour")]
    # the site moves out: the flag closes, and stays in the history
    with tenant_scope(tenant):
        Site.objects.filter(pk=site.pk).update(province="Jiangsu")
    assert _refresh_region(tenant, supplier) is None
    assert _open(tenant) == []
    with tenant_scope(tenant):
        assert RiskFlag.objects.filter(is_open=False, source="region:forced_labour").count() == 1
        assert AuditEvent.objects.filter(action="risk_flag.resolve").count() == 1


def test_region_refresh_of_another_tenants_supplier_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = _supplier(other_tenant, "Kashgar Cotton", province="Xinjiang")
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        services.risk_region_refresh(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk)
    assert _open(other_tenant) == []


# Dependency


def _spend(tenant: Tenant, lines: list[tuple[str, str, str, datetime.date]]) -> None:
    """Lines of (vendor ERP id, category code, amount, date); each vendor is linked to the supplier whose
    external id is the vendor's."""
    rows = [
        {
            "invoice_date": day.isoformat(),
            "invoice_number": f"INV-{i}",
            "supplier_name": f"Vendor {erp_id}",
            "supplier_erp_id": erp_id,
            "category_code": code,
            "description": "Goods",
            "quantity": "1",
            "unit_price": amount,
            "currency": "USD",
            "amount": amount,
        }
        for i, (erp_id, code, amount, day) in enumerate(lines, start=len(lines) * 1000)
    ]
    with tenant_scope(tenant):
        spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=rows)
        for vendor in Vendor.objects.all():
            supplier = Supplier.objects.filter(external_id=vendor.erp_id).first()
            if supplier is not None:
                Vendor.objects.filter(pk=vendor.pk).update(supplier=supplier)


@pytest.fixture
def categories(tenant: Tenant) -> dict[str, Category]:
    with tenant_scope(tenant):
        return {
            code: Category.objects.create(tenant=tenant, code=code, name=name)
            for code, name in [("POT", "Pots"), ("LID", "Lids"), ("BOX", "Cartons")]
        }


def _refresh_dependency(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return dependency.risk_dependency_refresh(tenant=tenant, by=SYSTEM)


def test_dependency_flags_for_single_sourced_categories_of_the_last_year(
    tenant: Tenant, categories: dict[str, Category]
) -> None:
    everbright = _supplier(tenant, "Everbright", external_id="V-1")
    peakline = _supplier(tenant, "Peakline", external_id="V-2")
    today = timezone.localdate()
    _spend(
        tenant,
        [
            ("V-1", "POT", "500.00", today - datetime.timedelta(days=10)),  # POT: Everbright alone
            ("V-1", "LID", "100.00", today - datetime.timedelta(days=20)),  # LID: shared with Peakline
            ("V-2", "LID", "50.00", today - datetime.timedelta(days=30)),
            ("V-2", "BOX", "80.00", today - datetime.timedelta(days=400)),  # BOX: too long ago
        ],
    )
    assert _refresh_dependency(tenant) == (1, 0)
    assert _open(tenant, everbright) == [("dependency", "dependency:POT")]
    assert _open(tenant, peakline) == []
    # running again refreshes, never duplicates
    assert _refresh_dependency(tenant) == (1, 0)
    assert _open(tenant) == [("dependency", "dependency:POT")]


def test_a_dependency_flag_closes_once_a_second_supplier_has_spend(
    tenant: Tenant, categories: dict[str, Category]
) -> None:
    everbright = _supplier(tenant, "Everbright", external_id="V-1")
    _supplier(tenant, "Peakline", external_id="V-2")
    today = timezone.localdate()
    _spend(tenant, [("V-1", "POT", "500.00", today - datetime.timedelta(days=10))])
    _refresh_dependency(tenant)
    assert _open(tenant, everbright) == [("dependency", "dependency:POT")]
    _spend(tenant, [("V-2", "POT", "120.00", today - datetime.timedelta(days=2))])
    assert _refresh_dependency(tenant) == (0, 1)
    assert _open(tenant) == []


def test_spend_of_an_unlinked_vendor_is_not_a_supplier_dependency(
    tenant: Tenant, categories: dict[str, Category]
) -> None:
    _spend(tenant, [("V-9", "POT", "500.00", timezone.localdate())])
    assert _refresh_dependency(tenant) == (0, 0)


def test_the_daily_task_refreshes_each_tenant_in_its_own_scope(
    tenant: Tenant, other_tenant: Tenant, categories: dict[str, Category], monkeypatch: Any
) -> None:
    _supplier(tenant, "Everbright", external_id="V-1")
    _spend(tenant, [("V-1", "POT", "500.00", timezone.localdate())])
    queued: list[str] = []
    monkeypatch.setattr(tasks_risk.risk_dependency_refresh_tenant, "delay", queued.append)
    # the beat task queues one task per active tenant
    assert tasks_risk.risk_dependency_refresh_all.apply().get() == 2
    assert sorted(queued) == sorted([str(tenant.pk), str(other_tenant.pk)])
    # and each runs in its own tenant's scope
    for tenant_id in queued:
        tasks_risk.risk_dependency_refresh_tenant.apply(args=[tenant_id]).get()
    assert _open(tenant) == [("dependency", "dependency:POT")]
    assert _open(other_tenant) == []


def test_dependency_refresh_needs_supplier_write(tenant: Tenant, make_member: Any) -> None:
    finance = Actor.for_membership(make_member(tenant, Role.FINANCE))
    with tenant_scope(tenant), pytest.raises(ScopeError):
        dependency.risk_dependency_refresh(tenant=tenant, by=finance)


# Manual flags


def test_manual_flag_raised_and_closed_with_a_note(tenant: Tenant, make_member: Any) -> None:
    buyer = make_member(tenant, Role.BUYER)
    supplier = _supplier(tenant)
    by = Actor.for_membership(buyer)
    with tenant_scope(tenant):
        flag = services.risk_flag_create(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            title="Owner under investigation",
            severity=Severity.CRITICAL,
            note="Heard from the agent",
            owner_id=buyer.pk,
        )
        assert (flag.kind, flag.owner_id, flag.is_open) == (RiskKind.MANUAL, buyer.pk, True)
        with pytest.raises(DomainError) as no_note:
            services.risk_flag_close(tenant=tenant, by=by, flag_id=flag.pk, note="")
        closed = services.risk_flag_close(tenant=tenant, by=by, flag_id=flag.pk, note="Cleared by audit")
        with pytest.raises(DomainError):
            services.risk_flag_close(tenant=tenant, by=by, flag_id=flag.pk, note="Again")
    assert set(no_note.value.fields) == {"note"}
    assert not closed.is_open and closed.closed_at is not None
    assert "Heard from the agent" in closed.note and "Cleared by audit" in closed.note


def test_manual_flag_refusals_write_nothing(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    theirs = _supplier(other_tenant, "Xiamen Peakline")
    quality = Actor.for_membership(make_member(tenant, Role.QUALITY))
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            services.risk_flag_create(tenant=tenant, by=quality, supplier_id=supplier.pk, title="x")
        with pytest.raises(NotFoundError):
            services.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk, title="x")
        with pytest.raises(DomainError) as bad:
            services.risk_flag_create(
                tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="", severity="huge", owner_id=agent.pk
            )
        assert not RiskFlag.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="risk_flag").exists()
    assert set(bad.value.fields) == {"title", "severity", "owner"}
    assert _open(other_tenant) == []


def test_an_automatic_flag_is_not_closed_by_hand(tenant: Tenant) -> None:
    supplier = _supplier(tenant, province="Xinjiang")
    flag = _refresh_region(tenant, supplier)
    assert flag is not None
    with tenant_scope(tenant), pytest.raises(DomainError):
        services.risk_flag_close(tenant=tenant, by=SYSTEM, flag_id=flag.pk, note="Not true")
    assert _open(tenant) == [("region", "region:forced_labour")]
