"""The onboarding, bank and risk demo data: every stage present, pending bank changes from both approvers,
manual and region flags, and the same data from the same suppliers."""

from __future__ import annotations

from typing import Any

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.demo.onboarding import seed_onboarding
from suppliers.models import BankAccount, BankStatus, OnboardingTask, RiskFlag, Supplier, Tier
from tests.conftest import SYSTEM

STATUSES = ["approved", "approved", "approved", "conditional", "in_qualification", "prospect", "rejected"]
TIERS = [Tier.STRATEGIC, Tier.CORE, Tier.TRANSACTIONAL]


def _suppliers(tenant: Tenant, n: int = 35) -> list[Supplier]:
    with tenant_scope(tenant):
        return [
            Supplier.objects.create(
                tenant=tenant,
                legal_name=f"Demo Supplier {i:02d}",
                status=STATUSES[i % len(STATUSES)],
                tier=TIERS[i % len(TIERS)],
                country="CN" if i % 4 else "VN",
                province="Zhejiang" if i % 4 else "",
                city="Ningbo" if i % 4 else "Ho Chi Minh City",
            )
            for i in range(n)
        ]


def test_seed_onboarding(tenant: Tenant, make_member: Any) -> None:
    members = {
        role: make_member(tenant, role) for role in (Role.ADMIN, Role.FINANCE, Role.BUYER, Role.CATEGORY_MANAGER)
    }
    suppliers = _suppliers(tenant)
    with tenant_scope(tenant):
        counts = seed_onboarding(tenant=tenant, by=SYSTEM, suppliers=suppliers, members=members)
        progress = {}
        for supplier in suppliers:
            statuses = list(OnboardingTask.objects.filter(supplier=supplier).values_list("status", flat=True))
            progress[supplier.pk] = (sum(s != "open" for s in statuses), len(statuses))
        overdue = [t for t in OnboardingTask.objects.filter(status="open") if t.is_overdue()]
        pending = list(BankAccount.objects.filter(status=BankStatus.PENDING).select_related("requested_by"))
        active = BankAccount.objects.filter(status=BankStatus.ACTIVE).count()
        flags = sorted(RiskFlag.objects.filter(is_open=True).values_list("kind", flat=True))
    stages = set()
    for done, total in progress.values():
        stages.add("none" if total == 0 else "complete" if done == total else "started")
    assert stages == {"none", "started", "complete"}
    assert overdue
    assert counts["bank_active"] == active > 0
    assert sorted(p.requested_by_id for p in pending) == sorted(
        [members[Role.FINANCE].user_id, members[Role.ADMIN].user_id]
    )
    assert flags.count("manual") == 3 and flags.count("region") == 1


def test_seed_is_deterministic(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    results = []
    for t in (tenant, other_tenant):
        members = {role: make_member(t, role) for role in (Role.ADMIN, Role.FINANCE, Role.BUYER)}
        suppliers = _suppliers(t)
        with tenant_scope(t):
            seed_onboarding(tenant=t, by=SYSTEM, suppliers=suppliers, members=members)
            results.append(
                sorted(OnboardingTask.objects.values_list("supplier__legal_name", "code", "status").order_by())
                + sorted(BankAccount.objects.values_list("supplier__legal_name", "account_number", "status"))
            )
    assert results[0] == results[1]
