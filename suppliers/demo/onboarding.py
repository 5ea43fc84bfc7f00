"""Demo data for onboarding, bank details and risk flags: onboarding at every stage, approved bank details for
most approved suppliers with two changes waiting for a second person, a few manual flags, and a region flag
on a supplier with a factory in Xinjiang. Deterministic: the same suppliers give the same data."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from suppliers.models import OnboardingTask, Severity, Site, SiteKind, Supplier, SupplierStatus
from suppliers.services import bank, onboarding, risk

SEED = 4417
# (bank, SWIFT/BIC, currency) by country
BANKS: dict[str, list[tuple[str, str, str]]] = {
    "CN": [
        ("Bank of China", "BKCHCNBJ", "USD"),
        ("Industrial and Commercial Bank of China", "ICBKCNBJ", "USD"),
        ("China Construction Bank", "PCBCCNBJ", "USD"),
        ("Agricultural Bank of China", "ABOCCNBJ", "CNY"),
        ("China Merchants Bank", "CMBCCNBS", "USD"),
        ("Bank of Communications", "COMMCNSH", "CNY"),
    ],
    "VN": [("Vietcombank", "BFTVVNVX", "USD"), ("Techcombank", "VTCBVNVX", "USD")],
    "MX": [("Banamex", "BNMXMXMM", "MXN"), ("BBVA México", "BCMRMXMM", "USD")],
    "US": [("JPMorgan Chase Bank", "CHASUS33", "USD"), ("Bank of America", "BOFAUS3N", "USD")],
}
STAGES = ["none", "started", "half", "complete", "overdue"]


def _actor(members: dict[str, Membership], role: str, fallback: Actor) -> Actor:
    member = members.get(role)
    return Actor.for_membership(member) if member is not None else fallback


def _tasks(supplier: Supplier) -> list[OnboardingTask]:
    return list(OnboardingTask.objects.filter(supplier_id=supplier.pk).order_by("position"))


def _onboard(tenant: Tenant, by: Actor, doer: Actor, supplier: Supplier, stage: str, rng: random.Random) -> None:
    if stage == "none":
        return
    onboarding.onboarding_start(tenant=tenant, by=by, supplier_id=supplier.pk)
    tasks = _tasks(supplier)
    today = timezone.localdate()
    if stage == "complete":
        settle = tasks
    elif stage in {"half", "overdue"}:
        settle = tasks[: len(tasks) // 2]
    else:
        settle = tasks[:1]
    for task in settle:
        if task.code == onboarding.BANK_DETAILS_VERIFIED:
            continue  # done when the bank details below are approved
        if not task.is_required and rng.random() < 0.5:
            onboarding.onboarding_task_waive(
                tenant=tenant, by=by, task_id=task.pk, reason="Catalogue item: no sample needed."
            )
        else:
            onboarding.onboarding_task_complete(tenant=tenant, by=doer, task_id=task.pk, note="")
    if stage == "overdue":
        for task in tasks[len(settle) :]:
            late = today - datetime.timedelta(days=rng.randint(3, 40))
            onboarding.onboarding_task_set_due(tenant=tenant, by=by, task_id=task.pk, due_on=late)


def _details(supplier: Supplier, rng: random.Random) -> dict[str, str]:
    name, swift, currency = rng.choice(BANKS.get(supplier.country, BANKS["US"]))
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([12, 16, 19])))
    branch = f"{swift}{rng.choice(['', '', '110', '300'])}" if swift else ""
    city = supplier.city or supplier.province or ""
    return {
        "account_name": supplier.legal_name,
        "bank_name": f"{name}, {city} Branch" if city else name,
        "account_number": digits,
        "swift_code": branch,
        "currency": currency,
    }


def seed_onboarding(
    *, tenant: Tenant, by: Actor, suppliers: list[Supplier], members: dict[str, Membership]
) -> dict[str, int]:
    """Onboarding, bank details and risk flags for ``suppliers``; returns counts of what was made."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, deterministic on purpose
    doer = _actor(members, Role.BUYER, by)
    finance = _actor(members, Role.FINANCE, by)
    admin = _actor(members, Role.ADMIN, by)
    counts = {"onboarding": 0, "bank_active": 0, "bank_pending": 0, "manual_flags": 0, "region_flags": 0}

    for supplier in suppliers:
        if supplier.status in {SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL}:
            stage = rng.choices(STAGES, weights=[1, 2, 3, 6, 2])[0]
        elif supplier.status == SupplierStatus.IN_QUALIFICATION:
            stage = rng.choice(["none", "started", "half", "overdue"])
        else:
            stage = "none"
        _onboard(tenant, by, doer, supplier, stage, rng)
        counts["onboarding"] += stage != "none"

    # Bank details: most approved suppliers have approved details (requested by finance, approved by an admin).
    approved = [s for s in suppliers if s.status == SupplierStatus.APPROVED]
    with_bank = [s for s in approved if rng.random() < 0.8]
    if finance.user is not None and admin.user is not None and finance.user != admin.user:
        for supplier in with_bank:
            account = bank.bank_change_request(
                tenant=tenant, by=finance, supplier_id=supplier.pk, **_details(supplier, rng)
            )
            bank.bank_change_approve(tenant=tenant, by=admin, bank_account_id=account.pk, note="Confirmed by phone.")
            counts["bank_active"] += 1
        # Two changes waiting: one asked by finance (an admin must approve), one by an admin (finance may).
        for requester, supplier in zip((finance, admin), with_bank[:2], strict=False):
            bank.bank_change_request(tenant=tenant, by=requester, supplier_id=supplier.pk, **_details(supplier, rng))
            counts["bank_pending"] += 1

    # A couple of manual flags, held by a buyer or a category manager.
    owners = [m for r, m in members.items() if r in {Role.BUYER, Role.CATEGORY_MANAGER}]
    manual = [
        ("Sole production line for the 24 cm pot range", Severity.MAJOR, "A fire or a strike stops the range."),
        ("Owner also runs a competitor's factory", Severity.MINOR, "Heard from the agent during the last visit."),
        ("Late shipments three months running", Severity.MAJOR, "Ask for a recovery plan at the quarterly review."),
    ]
    candidates = [s for s in suppliers if s.status in {SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL}]
    for (title, severity, note), supplier in zip(manual, rng.sample(candidates, min(3, len(candidates))), strict=False):
        owner = rng.choice(owners) if owners else None
        risk.risk_flag_create(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            title=title,
            severity=severity,
            note=note,
            owner_id=owner.pk if owner else None,
        )
        counts["manual_flags"] += 1

    # One supplier with a cotton mill in Xinjiang: the region flag.
    chinese = [s for s in suppliers if s.country == "CN" and s.status != SupplierStatus.REJECTED]
    if chinese:
        supplier = rng.choice(chinese)
        Site.objects.create(
            tenant=tenant,
            supplier=supplier,
            name="Aksu cotton spinning mill",
            kind=SiteKind.FACTORY,
            country="CN",
            province="Xinjiang",
            city="Aksu",
            processes=["spinning"],
        )
        if risk.risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk) is not None:
            counts["region_flags"] += 1
    return counts
