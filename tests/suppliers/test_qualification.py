"""The qualification lifecycle: allowed moves, required input, scopes, and the approval rules that come from the
supplier's categories."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import DomainError, ScopeError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers import lifecycle
from suppliers.models import Certification, StatusChange, Supplier, SupplierStatus
from suppliers.selectors.qualification import approval_blockers
from suppliers.services.master import supplier_create
from suppliers.services.qualification import ApprovalBlocked, conditional_approvals_expire, supplier_transition
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

pytestmark = pytest.mark.usefixtures("viewers_day")  # dates counted in the viewer's day, as the pages count them


def _supplier(tenant: Tenant, *, categories: list[Category] | None = None, tier: str = "transactional") -> Supplier:
    with tenant_scope(tenant):
        return supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(
                legal_name="Ningbo Everbright", tier=tier, category_ids=[str(c.pk) for c in categories or []]
            ),
        )


def _move(tenant: Tenant, supplier: Supplier, action: str, by: Actor = SYSTEM, **extra: Any) -> Supplier:
    with tenant_scope(tenant):
        return supplier_transition(tenant=tenant, by=by, supplier_id=supplier.pk, action=action, **extra)


def test_the_whole_lifecycle_is_recorded_on_the_timeline(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    _move(tenant, supplier, "start")
    _move(tenant, supplier, "approve")
    _move(tenant, supplier, "suspend", reason="Late shipments")
    _move(tenant, supplier, "block", reason="Fraud suspected")
    supplier = _move(tenant, supplier, "reinstate", reason="Cleared by audit")
    assert supplier.status == SupplierStatus.APPROVED
    with tenant_scope(tenant):
        steps = list(StatusChange.objects.order_by("at").values_list("from_status", "to_status", "reason"))
        actions = list(
            AuditEvent.objects.filter(action__startswith="supplier.").order_by("id").values_list("action", flat=True)
        )
    assert steps == [
        ("prospect", "in_qualification", ""),
        ("in_qualification", "approved", ""),
        ("approved", "suspended", "Late shipments"),
        ("suspended", "blocked", "Fraud suspected"),
        ("blocked", "approved", "Cleared by audit"),
    ]
    assert actions == [
        "supplier.create",
        "supplier.start",
        "supplier.approve",
        "supplier.suspend",
        "supplier.block",
        "supplier.reinstate",
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [("prospect", "approve"), ("approved", "approve"), ("rejected", "suspend"), ("blocked", "suspend")],
)
def test_a_move_not_allowed_from_the_status_is_refused_and_changes_nothing(
    tenant: Tenant, status: str, action: str
) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        Supplier.objects.filter(pk=supplier.pk).update(status=status)
        with pytest.raises(DomainError) as caught:
            supplier_transition(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, action=action, reason="r")
        assert caught.value.status == 409
        assert Supplier.objects.get().status == status
        assert not StatusChange.objects.exists()


def test_every_allowed_move_is_a_known_action() -> None:
    for status, keys in lifecycle.ALLOWED.items():
        assert status in SupplierStatus.values
        for key in keys:
            assert lifecycle.ACTIONS[key].to in SupplierStatus.values


def test_reasons_and_conditions_are_required_where_the_move_needs_them(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with pytest.raises(DomainError) as caught:
        _move(tenant, supplier, "reject")
    assert set(caught.value.fields) == {"reason"}
    _move(tenant, supplier, "start")
    with pytest.raises(DomainError) as caught:
        _move(tenant, supplier, "approve_conditionally", expires_on="2001-01-01")
    assert set(caught.value.fields) == {"conditions", "expires_on"}
    until = timezone.localdate() + datetime.timedelta(days=60)
    supplier = _move(
        tenant, supplier, "approve_conditionally", conditions="BSCI audit by March", expires_on=until.isoformat()
    )
    assert (supplier.status, supplier.approval_expires_on) == (SupplierStatus.CONDITIONAL, until)


def test_quality_qualifies_a_buyer_only_starts(tenant: Tenant, make_member: Any) -> None:
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    quality = Actor.for_membership(make_member(tenant, Role.QUALITY))
    supplier = _supplier(tenant)
    _move(tenant, supplier, "start", by=buyer)
    with pytest.raises(ScopeError):
        _move(tenant, supplier, "approve", by=buyer)
    with tenant_scope(tenant):
        assert Supplier.objects.get().status == SupplierStatus.IN_QUALIFICATION
    assert _move(tenant, supplier, "approve", by=quality).status == SupplierStatus.APPROVED


def test_approval_is_blocked_by_a_missing_required_certificate_and_says_which(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code="110", name="Cookware", required_certifications=["iso_9001", "fda_fei"]
        )
    supplier = _supplier(tenant, categories=[category])
    _move(tenant, supplier, "start")
    with tenant_scope(tenant):
        Certification.objects.create(
            tenant=tenant,
            supplier=supplier,
            cert_type="iso_9001",
            valid_until=timezone.localdate() + datetime.timedelta(days=300),
        )
        Certification.objects.create(
            tenant=tenant,
            supplier=supplier,
            cert_type="fda_fei",
            valid_until=timezone.localdate() - datetime.timedelta(days=1),
        )
        assert [b.kind for b in approval_blockers(supplier)] == ["certification"]
    with pytest.raises(ApprovalBlocked) as caught:
        _move(tenant, supplier, "approve")
    assert "FDA facility registration" in caught.value.message
    with tenant_scope(tenant):
        assert Supplier.objects.get().status == SupplierStatus.IN_QUALIFICATION
    # conditional approval is still possible, with the conditions saying what is missing
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert (
        _move(tenant, supplier, "approve_conditionally", conditions="FDA FEI renewal", expires_on=until).status
        == "conditional"
    )


def test_approval_needs_onboarding_where_the_tier_requires_it(tenant: Tenant) -> None:
    from suppliers.services.onboarding import onboarding_start

    supplier = _supplier(tenant, tier="strategic")
    _move(tenant, supplier, "start")
    with tenant_scope(tenant):
        onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        kinds = {b.kind for b in approval_blockers(supplier)}
    assert kinds == {"onboarding"}
    with pytest.raises(ApprovalBlocked):
        _move(tenant, supplier, "approve")


def test_expired_conditional_approvals_are_suspended(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    _move(tenant, supplier, "start")
    until = timezone.localdate() + datetime.timedelta(days=10)
    _move(tenant, supplier, "approve_conditionally", conditions="SMETA", expires_on=until.isoformat())
    with tenant_scope(tenant):
        assert conditional_approvals_expire(tenant=tenant, by=SYSTEM, today=until) == 0
        assert conditional_approvals_expire(tenant=tenant, by=SYSTEM, today=until + datetime.timedelta(days=1)) == 1
        supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUSPENDED
    assert "expired" in supplier.status_reason


def test_another_tenants_supplier_cannot_be_moved(tenant: Tenant, other_tenant: Tenant) -> None:
    from sourcing.errors import NotFoundError

    theirs = _supplier(other_tenant)
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        supplier_transition(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk, action="start")
    with tenant_scope(other_tenant):
        assert Supplier.objects.get().status == SupplierStatus.PROSPECT


def test_approval_is_blocked_while_required_onboarding_has_not_started(tenant: Tenant) -> None:
    supplier = _supplier(tenant, tier="core")
    _move(tenant, supplier, "start")
    with tenant_scope(tenant):
        assert [b.message for b in approval_blockers(supplier)] == ["Onboarding has not been started."]
    with pytest.raises(ApprovalBlocked):
        _move(tenant, supplier, "approve")


def test_the_daily_task_suspends_expired_conditional_approvals(tenant: Tenant) -> None:
    from suppliers.tasks import qualification_daily

    supplier = _supplier(tenant)
    _move(tenant, supplier, "start")
    until = timezone.localdate() + datetime.timedelta(days=5)
    _move(tenant, supplier, "approve_conditionally", conditions="SMETA", expires_on=until.isoformat())
    with tenant_scope(tenant):
        Supplier.objects.filter(pk=supplier.pk).update(
            approval_expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert qualification_daily(str(tenant.pk)) == 1
    assert qualification_daily(str(tenant.pk)) == 0
    with tenant_scope(tenant):
        assert Supplier.objects.get(pk=supplier.pk).status == SupplierStatus.SUSPENDED


def test_the_profile_calls_missing_rules_what_blocks_approval_before_and_compliance_gaps_after(
    tenant: Tenant, make_member: Any
) -> None:
    from django.test import Client

    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code="110", name="Cookware", required_certifications=["iso_9001"]
        )
    supplier = _supplier(tenant, categories=[category])
    _move(tenant, supplier, "start")
    client = Client()
    client.force_login(make_member(tenant, Role.QUALITY).user)
    url = f"/t/acme/suppliers/{supplier.pk}/"
    before = client.get(url).content.decode()
    assert "What blocks approval" in before
    assert "Compliance gaps" not in before
    with tenant_scope(tenant):
        Supplier.objects.filter(pk=supplier.pk).update(status=SupplierStatus.APPROVED)
    after = client.get(url).content.decode()
    assert "Compliance gaps" in after
    assert "What blocks approval" not in after
    assert "ISO 9001" in after  # the gap itself is still listed
