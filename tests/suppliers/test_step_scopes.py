"""Steps that other services call with a supplier (region and compliance flags, automatic flags, an onboarding
step done by another service) check the caller's right again: a person without the scope, or an agent the
supplier is not granted to, is refused and nothing is written; system actors (tasks, merges) pass."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import OnboardingTask, RiskFlag, RiskKind, Supplier, TaskStatus
from suppliers.services import certifications, onboarding, onboarding_templates, risk
from tests.conftest import SYSTEM
from tests.suppliers.builders import make_supplier, require_certifications


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    # Registered in Xinjiang, and in a category that requires a certificate it does not hold.
    found = make_supplier(tenant, province="Xinjiang")
    require_certifications(tenant, found, "iso_9001")
    return found


def _written(tenant: Tenant) -> tuple[list[tuple[str, bool]], int, list[str]]:
    with tenant_scope(tenant):
        flags = sorted(RiskFlag.objects.values_list("source", "is_open"))
        tasks = sorted(OnboardingTask.objects.filter(status=TaskStatus.DONE).values_list("code", flat=True))
        return flags, AuditEvent.objects.count(), tasks


def _as(make_member: Any, tenant: Tenant, role: str, email: str | None = None) -> Actor:
    return Actor.for_membership(make_member(tenant, role, email=email))


def _steps(tenant: Tenant, supplier: Supplier) -> dict[str, Any]:
    return {
        "risk_region_refresh": lambda by: risk.risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk),
        "compliance_evaluate": lambda by: certifications.compliance_evaluate(tenant=tenant, by=by, supplier=supplier),
        "compliance_refresh": lambda by: certifications.compliance_refresh(tenant=tenant, by=by),
        "risk_flag_raise": lambda by: risk.risk_flag_raise(
            tenant=tenant,
            by=by,
            supplier=supplier,
            kind=RiskKind.DEPENDENCY,
            source="dependency:111",
            title_code="single_source",
            title_params={"code": "111", "name": "x"},
        ),
        "risk_flag_resolve": lambda by: risk.risk_flag_resolve(
            tenant=tenant, by=by, supplier=supplier, source=risk.REGION_SOURCE
        ),
        "complete_if_open": lambda by: onboarding.complete_if_open(
            tenant=tenant, by=by, supplier=supplier, code="nda_signed", note="x"
        ),
        "complete_bank_step": lambda by: onboarding.complete_if_open(
            tenant=tenant, by=by, supplier=supplier, code=onboarding_templates.BANK_DETAILS_VERIFIED, note="x"
        ),
    }


# The role without the step's scope, per step.
REFUSED_ROLE = {
    "risk_region_refresh": Role.QUALITY,  # no supplier:write
    "compliance_evaluate": Role.FINANCE,  # no supplier:evidence
    "compliance_refresh": Role.FINANCE,
    "risk_flag_raise": Role.FINANCE,  # neither supplier:write nor supplier:evidence
    "risk_flag_resolve": Role.EXECUTIVE,
    "complete_if_open": Role.QUALITY,  # no supplier:write
    "complete_bank_step": Role.BUYER,  # no bank:write
}


@pytest.fixture
def started(tenant: Tenant, supplier: Supplier) -> Supplier:
    """The supplier with its flags raised and onboarding started, so every step has something to change."""
    with tenant_scope(tenant):
        risk.risk_region_refresh(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        onboarding.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
    return supplier


@pytest.mark.parametrize("step", sorted(REFUSED_ROLE))
def test_a_person_without_the_scope_is_refused_and_nothing_written(
    tenant: Tenant, started: Supplier, make_member: Any, step: str
) -> None:
    by = _as(make_member, tenant, REFUSED_ROLE[step])
    before = _written(tenant)
    with tenant_scope(tenant), pytest.raises(ScopeError):
        _steps(tenant, started)[step](by)
    assert _written(tenant) == before


@pytest.mark.parametrize("step", sorted(REFUSED_ROLE))
def test_an_agent_is_refused_unless_the_step_is_theirs_on_a_granted_supplier(
    tenant: Tenant, started: Supplier, make_member: Any, step: str
) -> None:
    unassigned = _as(make_member, tenant, Role.AGENT, "agent.chen@bridge.test")
    before = _written(tenant)
    with tenant_scope(tenant), pytest.raises((ScopeError, NotFoundError)):
        _steps(tenant, started)[step](unassigned)
    assert _written(tenant) == before


def test_an_assigned_agents_upload_still_keeps_the_flags(tenant: Tenant, started: Supplier, make_member: Any) -> None:
    member = make_member(tenant, Role.AGENT, email="agent.li@bridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=started)
        assert certifications.compliance_evaluate(tenant=tenant, by=Actor.for_membership(member), supplier=started) == [
            "iso_9001"
        ]
        assert risk.risk_region_refresh(tenant=tenant, by=Actor.for_membership(member), supplier_id=started.pk)
        with pytest.raises(ScopeError):  # an agent never completes an onboarding step
            onboarding.complete_if_open(
                tenant=tenant, by=Actor.for_membership(member), supplier=started, code="nda_signed", note="x"
            )


@pytest.mark.parametrize(
    ("step", "role"),
    [
        ("risk_region_refresh", Role.BUYER),
        ("compliance_evaluate", Role.QUALITY),
        ("compliance_refresh", Role.QUALITY),
        ("risk_flag_raise", Role.QUALITY),
        ("risk_flag_resolve", Role.BUYER),
        ("complete_if_open", Role.BUYER),
        ("complete_bank_step", Role.FINANCE),
    ],
)
def test_people_with_the_scope_and_system_actors_pass(
    tenant: Tenant, started: Supplier, make_member: Any, step: str, role: str
) -> None:
    with tenant_scope(tenant):
        _steps(tenant, started)[step](_as(make_member, tenant, role))
        _steps(tenant, started)[step](SYSTEM)
