"""The demo audits: two checklists, about 40 audits of every outcome, the agent's on their own suppliers (two
awaiting review), and findings with owners and due dates, some overdue."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.demo.audits import seed_audits
from suppliers.models import AuditFinding, AuditTemplate, FactoryAudit, Site, Supplier
from tests.conftest import SYSTEM


def test_seed_audits(tenant: Tenant, make_member: Any) -> None:
    # given members of each auditing role, 60 suppliers (some with a factory) and an agent with three of them
    members = {role: make_member(tenant, role) for role in (Role.ADMIN, Role.QUALITY, Role.BUYER, Role.AGENT)}
    with tenant_scope(tenant):
        suppliers = [Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {n:03d}") for n in range(60)]
        for supplier in suppliers[::3]:
            Site.objects.create(tenant=tenant, supplier=supplier, name=f"{supplier.legal_name} plant")
        for supplier in suppliers[10:13]:
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=members[Role.AGENT].pk, obj=supplier)
        # when the demo audits are seeded
        audits = seed_audits(tenant=tenant, by=SYSTEM, suppliers=suppliers, members=members)
        questions = {
            t.audit_type: (t.questions.count(), t.questions.filter(is_critical=True).count())
            for t in AuditTemplate.objects.all()
        }
        statuses = dict(FactoryAudit.objects.values_list("status").annotate(n=Count("id")))
        critical_fails = list(FactoryAudit.objects.filter(critical_failed=True))
        agents = FactoryAudit.objects.filter(auditor=members[Role.AGENT])
        agent_planned = agents.filter(status="planned").count()
        agent_awaiting = agents.filter(status="submitted").count()
        today = timezone.localdate()
        open_findings = AuditFinding.objects.filter(is_closed=False)
        overdue = open_findings.filter(due_on__lt=today).count()
        closed = AuditFinding.objects.filter(is_closed=True).count()
        owned = open_findings.exclude(owner=None).count()
        undated = open_findings.filter(due_on=None).count()
        agents_suppliers = set(agents.values_list("supplier_id", flat=True))
    # then two checklists of the right size
    assert questions == {"quality_system": (20, 3), "social": (12, 2)}
    # and about 40 audits of every outcome
    assert 35 <= len(audits) <= 45
    assert {"passed", "failed", "in_progress", "planned"} <= set(statuses)
    # one failed on a critical item although its score reached the pass mark
    assert len(critical_fails) == 1
    assert critical_fails[0].score is not None and critical_fails[0].score >= critical_fails[0].pass_score
    # the agent audits only the suppliers assigned to them, some still planned, two awaiting quality's review
    assert agent_planned > 0
    assert agent_awaiting == 2 and statuses["submitted"] == 2
    assert agents_suppliers <= {s.pk for s in suppliers[10:13]}
    # findings with owners and due dates, some overdue, some closed
    assert overdue > 0 and closed > 0 and owned > 0
    assert undated == 0


def test_seed_audits_is_deterministic(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    results = []
    for t in (tenant, other_tenant):
        members = {role: make_member(t, role) for role in (Role.ADMIN, Role.QUALITY)}
        with tenant_scope(t):
            suppliers = [Supplier.objects.create(tenant=t, legal_name=f"Supplier {n:03d}") for n in range(45)]
            seed_audits(tenant=t, by=SYSTEM, suppliers=suppliers, members=members)
            results.append(
                sorted(FactoryAudit.objects.values_list("supplier__legal_name", "audit_type", "status", "score"))
            )
    assert results[0] == results[1]
