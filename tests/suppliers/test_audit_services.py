"""Factory audit services: checklist templates, planning (the questions copied), performing by the auditor
only, submission rules, findings, and the reads the qualification rules use."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign, agent_unassign
from sourcing.tenancy import tenant_scope
from suppliers.models import (
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    FactoryAudit,
    Site,
    Supplier,
)
from suppliers.selectors.audits import audit_blockers, latest_audits
from suppliers.services import audit_findings as finding_services
from suppliers.services import audit_templates as template_services
from suppliers.services import audits as services
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF, QUESTIONS, answer_all, make_template, plan


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright Housewares Co., Ltd.")


@pytest.fixture
def quality(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.QUALITY)


@pytest.fixture
def agent(tenant: Tenant, make_member: Any, supplier: Supplier) -> Membership:
    member = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    return member


def _as(member: Membership) -> Actor:
    return Actor.for_membership(member)


def _events(tenant: Tenant, action: str = "") -> int:
    with tenant_scope(tenant):
        events = AuditEvent.objects.all()
        return (events.filter(action=action) if action else events).count()


def _counts(tenant: Tenant) -> tuple[int, ...]:
    with tenant_scope(tenant):
        return tuple(
            m.objects.count()
            for m in (AuditTemplate, AuditQuestion, FactoryAudit, AuditItem, AuditEvidence, AuditFinding, AuditEvent)
        )


# Checklist templates


def test_a_template_is_created_edited_and_deactivated_with_events(tenant: Tenant, quality: Membership) -> None:
    # given a quality engineer
    by = _as(quality)
    with tenant_scope(tenant):
        # when they create, edit and deactivate a checklist
        template = template_services.audit_template_create(
            tenant=tenant, by=by, name=" Social audit ", audit_type="social", pass_score="80"
        )
        template_services.audit_template_update(
            tenant=tenant,
            by=by,
            template_id=template.pk,
            name="Social-compliance audit",
            audit_type="social",
            description="amfori BSCI based",
            pass_score="85.5",
        )
        template_services.audit_template_set_active(tenant=tenant, by=by, template_id=template.pk, active=False)
        template.refresh_from_db()
    # then it holds the changes, and each step is an event
    assert (template.name, template.pass_score, template.is_active) == (
        "Social-compliance audit",
        Decimal("85.50"),
        False,
    )
    assert _events(tenant, "audit_template.create") == 1
    assert _events(tenant, "audit_template.update") == 1
    assert _events(tenant, "audit_template.deactivate") == 1


@pytest.mark.parametrize("role", [Role.BUYER, Role.FINANCE, Role.EXECUTIVE, Role.AGENT])
def test_who_may_not_configure_writes_nothing(tenant: Tenant, make_member: Any, role: str) -> None:
    # given a checklist and someone without the configure scope
    template = make_template(tenant)
    by = _as(make_member(tenant, role))
    with tenant_scope(tenant):
        question = AuditQuestion.objects.filter(template_id=template.pk).first()
    assert question is not None
    before = _counts(tenant)
    calls = [
        lambda: template_services.audit_template_create(tenant=tenant, by=by, name="X", audit_type="social"),
        lambda: template_services.audit_template_set_active(
            tenant=tenant, by=by, template_id=template.pk, active=False
        ),
        lambda: template_services.audit_question_add(
            tenant=tenant, by=by, template_id=template.pk, section="S", text="T"
        ),
        lambda: template_services.audit_question_remove(tenant=tenant, by=by, question_id=question.pk),
        lambda: template_services.audit_question_move(tenant=tenant, by=by, question_id=question.pk, up=False),
    ]
    for call in calls:
        # when they try; then they are refused
        with tenant_scope(tenant), pytest.raises(ScopeError):
            call()
    # and nothing was written
    assert _counts(tenant) == before


def test_a_bad_question_names_every_bad_field(tenant: Tenant) -> None:
    template = make_template(tenant, questions=[])
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        template_services.audit_question_add(
            tenant=tenant, by=SYSTEM, template_id=template.pk, section=" ", text="", weight=11
        )
    assert set(caught.value.fields) == {"section", "text", "weight"}
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        template_services.audit_template_create(tenant=tenant, by=SYSTEM, name="", audit_type="bogus", pass_score="101")
    assert set(caught.value.fields) == {"name", "audit_type", "pass_score"}


def test_questions_move_within_their_section(tenant: Tenant) -> None:
    # given two sections of two questions
    template = make_template(tenant)
    with tenant_scope(tenant):
        _first, second, third, _fourth = AuditQuestion.objects.filter(template_id=template.pk).order_by("position")
        # when the second moves up, then the first moves up at the top of its section, then the third moves up
        template_services.audit_question_move(tenant=tenant, by=SYSTEM, question_id=second.pk, up=True)
        template_services.audit_question_move(tenant=tenant, by=SYSTEM, question_id=second.pk, up=True)
        template_services.audit_question_move(tenant=tenant, by=SYSTEM, question_id=third.pk, up=True)
        order = list(
            AuditQuestion.objects.filter(template_id=template.pk).order_by("position").values_list("text", flat=True)
        )
    # then the first section is reversed and the second (its first question at the top) unchanged
    assert order == [QUESTIONS[1][1], QUESTIONS[0][1], QUESTIONS[2][1], QUESTIONS[3][1]]
    assert _events(tenant, "audit_question.move") == 1


# Planning


def test_planning_copies_the_questions_so_template_edits_change_no_audit(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    # given a checklist and a site of the supplier
    template = make_template(tenant, pass_score=75)
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=supplier, name="Cixi plant")
    # when an audit is planned for that site
    audit = plan(tenant, supplier, template, quality, site_id=site.pk, planned_on=datetime.date(2026, 5, 4))
    # and the template is edited afterwards
    with tenant_scope(tenant):
        question = AuditQuestion.objects.filter(template_id=template.pk).order_by("position").first()
        assert question is not None
        template_services.audit_question_update(
            tenant=tenant,
            by=SYSTEM,
            question_id=question.pk,
            section="Changed",
            text="Changed",
            weight=9,
            is_critical=True,
        )
        template_services.audit_question_remove(tenant=tenant, by=SYSTEM, question_id=question.pk)
        template_services.audit_template_update(
            tenant=tenant,
            by=SYSTEM,
            template_id=template.pk,
            name="New",
            audit_type="social",
            description="",
            pass_score=10,
        )
        items = list(AuditItem.objects.filter(audit_id=audit.pk).order_by("position"))
        audit.refresh_from_db()
    # then the audit keeps the questions, type and pass score it was planned with
    assert [(i.section, i.text, i.weight, i.is_critical) for i in items] == QUESTIONS
    assert (audit.audit_type, audit.pass_score, audit.site_id, audit.status) == (
        "quality_system",
        Decimal("75.00"),
        site.pk,
        AuditStatus.PLANNED,
    )
    assert _events(tenant, "audit.plan") == 1


def test_planning_refusals_write_nothing(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, supplier: Supplier, quality: Membership
) -> None:
    template = make_template(tenant)
    empty = make_template(tenant, questions=[], name="Empty")
    inactive = make_template(tenant, name="Old")
    with tenant_scope(tenant):
        template_services.audit_template_set_active(tenant=tenant, by=SYSTEM, template_id=inactive.pk, active=False)
        other_supplier = Supplier.objects.create(tenant=tenant, legal_name="Other")
        foreign_site = Site.objects.create(tenant=tenant, supplier=other_supplier, name="Not theirs")
    unassigned_agent = make_member(tenant, Role.AGENT, email="agent.chen@szbridge.test")
    buyer = make_member(tenant, Role.BUYER)
    globex_supplier = _globex_supplier(other_tenant)
    before = _counts(tenant)
    base = {"supplier_id": supplier.pk, "template_id": template.pk, "auditor_id": quality.pk}
    cases: list[tuple[Actor, dict[str, Any], type[Exception], set[str]]] = [
        (_as(buyer), {}, ScopeError, set()),  # a buyer does not plan audits
        (_as(unassigned_agent), {}, ScopeError, set()),  # nor does an agent
        (SYSTEM, {"supplier_id": globex_supplier.pk}, NotFoundError, set()),  # another tenant's supplier
        (SYSTEM, {"template_id": inactive.pk}, DomainError, {"template"}),
        (SYSTEM, {"template_id": empty.pk}, DomainError, {"template"}),
        (SYSTEM, {"auditor_id": buyer.pk}, DomainError, {"auditor"}),  # no audit scope
        (SYSTEM, {"auditor_id": unassigned_agent.pk}, DomainError, {"auditor"}),  # not assigned to the supplier
        (SYSTEM, {"site_id": foreign_site.pk}, DomainError, {"site"}),
    ]
    for by, change, error, fields in cases:
        with tenant_scope(tenant), pytest.raises(error) as caught:
            services.audit_plan(tenant=tenant, by=by, **{**base, **change})
        assert set(caught.value.fields) == fields  # type: ignore[attr-defined]
    assert _counts(tenant) == before


def _globex_supplier(other_tenant: Tenant) -> Supplier:
    with tenant_scope(other_tenant):
        return Supplier.objects.create(tenant=other_tenant, legal_name="Xiamen Peakline")


def test_an_agent_assigned_to_the_supplier_may_be_the_auditor(
    tenant: Tenant, supplier: Supplier, agent: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), agent)
    assert audit.auditor_id == agent.pk


# Performing: the auditor and nobody else


def test_only_the_auditor_performs(
    tenant: Tenant, make_member: Any, supplier: Supplier, quality: Membership, agent: Membership
) -> None:
    # given an audit performed by the assigned agent, another agent assigned to the same supplier, and quality
    template = make_template(tenant)
    audit = plan(tenant, supplier, template, agent)
    colleague = make_member(tenant, Role.AGENT, email="agent.wu@szbridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=colleague.pk, obj=supplier)
        item = AuditItem.objects.filter(audit_id=audit.pk).first()
    assert item is not None
    before = _counts(tenant)
    steps = [
        lambda by: services.audit_answers_save(
            tenant=tenant, by=by, audit_id=audit.pk, answers={str(item.pk): ("compliant", "")}
        ),
        lambda by: services.audit_evidence_upload(tenant=tenant, by=by, audit_id=audit.pk, file=io.BytesIO(PDF)),
        lambda by: finding_services.audit_finding_add(
            tenant=tenant, by=by, audit_id=audit.pk, severity="minor", description="x"
        ),
        lambda by: services.audit_submit(tenant=tenant, by=by, audit_id=audit.pk),
    ]
    for step in steps:
        # the other agent: the audit does not exist for them
        with tenant_scope(tenant), pytest.raises(NotFoundError):
            step(_as(colleague))
        # quality, internal but not the auditor: refused
        with tenant_scope(tenant), pytest.raises(ScopeError):
            step(_as(quality))
        # the system (a task, an API key): refused too
        with tenant_scope(tenant), pytest.raises(ScopeError):
            step(SYSTEM)
    assert _counts(tenant) == before
    # when the auditor answers, the audit is in progress
    answer_all(tenant, audit, agent, ["compliant"])
    with tenant_scope(tenant):
        audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    # and once the agent is no longer assigned to the supplier, the audit is gone for them too
    with tenant_scope(tenant):
        agent_unassign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    before = _counts(tenant)
    for step in steps:
        with tenant_scope(tenant), pytest.raises(NotFoundError):
            step(_as(agent))
    assert _counts(tenant) == before


def test_evidence_is_accepted_by_its_bytes(tenant: Tenant, supplier: Supplier, quality: Membership) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    with tenant_scope(tenant):
        item = AuditItem.objects.filter(audit_id=audit.pk).first()
    assert item is not None
    before = _counts(tenant)
    # a "PDF" that is a script, and an empty file, are refused naming the file field
    for bad in (b"#!/bin/sh\x00rm -rf /", b""):
        with tenant_scope(tenant), pytest.raises(DomainError) as caught:
            services.audit_evidence_upload(
                tenant=tenant, by=_as(quality), audit_id=audit.pk, file=io.BytesIO(bad), file_name="report.pdf"
            )
        assert "file" in caught.value.fields
    assert _counts(tenant) == before
    # a real PDF on an item is kept under its file name
    with tenant_scope(tenant):
        evidence = services.audit_evidence_upload(
            tenant=tenant,
            by=_as(quality),
            audit_id=audit.pk,
            file=io.BytesIO(PDF),
            file_name="../../calibration.pdf",
            item_id=item.pk,
        )
    assert (evidence.file_name, evidence.content_type, evidence.item_id) == (
        "calibration.pdf",
        "application/pdf",
        item.pk,
    )
    stored = str(evidence.file.name)
    assert stored.endswith(".pdf") and "calibration" not in stored


# Submission


def test_submission_is_refused_while_items_are_unanswered_naming_them(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    answer_all(tenant, audit, quality, ["compliant", "", "compliant"])
    before = _counts(tenant)
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk)
    message = caught.value.message
    assert "2. Are measuring instruments calibrated?" in message
    assert "4. Is first-article inspection recorded?" in message
    assert "quality manual" not in message
    assert _counts(tenant) == before


def test_submission_with_everything_not_applicable_is_refused(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    answer_all(tenant, audit, quality, ["not_applicable"] * 4)
    with tenant_scope(tenant), pytest.raises(DomainError, match="not applicable"):
        services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk)


def test_a_submitted_audit_is_scored_and_passes_at_the_pass_score(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    # given weights 3, 2 (critical), 1, 4 and a pass score of 75
    audit = plan(tenant, supplier, make_template(tenant, pass_score=75), quality)
    # when the weight-1 item is non-compliant and the weight-3 one not applicable
    answer_all(tenant, audit, quality, ["not_applicable", "compliant", "non_compliant", "compliant"])
    with tenant_scope(tenant):
        audit = services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk, summary="Good shop floor.")
    # then the score is 6 of 7 and the audit passed, on today's date
    assert (audit.status, audit.score, audit.critical_failed) == (AuditStatus.PASSED, Decimal("85.71"), False)
    assert audit.performed_on is not None and audit.summary == "Good shop floor."
    assert _events(tenant, "audit.submit") == 1
    # and it can no longer be changed
    with tenant_scope(tenant), pytest.raises(DomainError, match="submitted"):
        finding_services.audit_finding_add(
            tenant=tenant, by=_as(quality), audit_id=audit.pk, severity="minor", description="x"
        )


def test_a_critical_item_not_met_fails_the_audit_and_raises_one_critical_finding(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    # given an audit where only the critical item (weight 2 of 10) is not met, with a pass score of 50
    audit = plan(tenant, supplier, make_template(tenant, pass_score=50), quality)
    answer_all(tenant, audit, quality, ["compliant", "non_compliant", "compliant", "compliant"])
    with tenant_scope(tenant):
        audit = services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk)
        findings = list(AuditFinding.objects.filter(audit_id=audit.pk))
    # then it failed at 80 %, and a critical finding names the item
    assert (audit.status, audit.score, audit.critical_failed) == (AuditStatus.FAILED, Decimal("80.00"), True)
    assert len(findings) == 1
    assert findings[0].severity == "critical" and "calibrated" in findings[0].description
    assert findings[0].due_on is not None


def test_no_second_critical_finding_when_the_auditor_recorded_one(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    answer_all(tenant, audit, quality, ["compliant", "non_compliant", "compliant", "compliant"])
    with tenant_scope(tenant):
        critical_item = AuditItem.objects.get(audit_id=audit.pk, is_critical=True)
        finding_services.audit_finding_add(
            tenant=tenant,
            by=_as(quality),
            audit_id=audit.pk,
            severity="critical",
            description="Calibration lapsed in 2025",
            item_id=critical_item.pk,
        )
        services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk)
        descriptions = list(AuditFinding.objects.filter(audit_id=audit.pk).values_list("description", flat=True))
    assert descriptions == ["Calibration lapsed in 2025"]


# Findings


def test_a_finding_is_closed_with_a_note_by_internal_quality_only(
    tenant: Tenant, make_member: Any, supplier: Supplier, quality: Membership, agent: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), agent)
    with tenant_scope(tenant):
        finding = finding_services.audit_finding_add(
            tenant=tenant,
            by=_as(agent),
            audit_id=audit.pk,
            severity="major",
            description="Fire exits blocked",
            owner_id=quality.pk,
            due_on=datetime.date(2026, 6, 1),
        )
    buyer = make_member(tenant, Role.BUYER)
    before = _counts(tenant)
    for by in (_as(agent), _as(buyer)):
        with tenant_scope(tenant), pytest.raises(ScopeError):
            finding_services.audit_finding_close(tenant=tenant, by=by, finding_id=finding.pk, note="done")
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        finding_services.audit_finding_close(tenant=tenant, by=_as(quality), finding_id=finding.pk, note=" ")
    assert set(caught.value.fields) == {"note"}
    assert _counts(tenant) == before
    with tenant_scope(tenant):
        finding_services.audit_finding_close(
            tenant=tenant, by=_as(quality), finding_id=finding.pk, note="Exits cleared"
        )
        finding.refresh_from_db()
        event = AuditEvent.objects.get(action="audit_finding.close")
    assert finding.is_closed and event.after["note"] == "Exits cleared"


def test_an_agent_may_not_name_an_agent_as_owner(tenant: Tenant, supplier: Supplier, agent: Membership) -> None:
    audit = plan(tenant, supplier, make_template(tenant), agent)
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        finding_services.audit_finding_add(
            tenant=tenant, by=_as(agent), audit_id=audit.pk, severity="minor", description="x", owner_id=agent.pk
        )
    assert set(caught.value.fields) == {"owner"}


# What qualification reads


def _submitted(
    tenant: Tenant, supplier: Supplier, auditor: Membership, answers: list[str], **template: Any
) -> FactoryAudit:
    audit = plan(tenant, supplier, make_template(tenant, **template), auditor)
    answer_all(tenant, audit, auditor, answers)
    with tenant_scope(tenant):
        return services.audit_submit(tenant=tenant, by=_as(auditor), audit_id=audit.pk)


def test_latest_audits_and_blockers(tenant: Tenant, supplier: Supplier, quality: Membership) -> None:
    ok = ["compliant"] * 4
    critical_miss = ["compliant", "non_compliant", "compliant", "compliant"]
    with tenant_scope(tenant):
        # nothing yet: every required type blocks, once each
        assert audit_blockers(supplier, ["quality_system", "social", "social"]) == [
            "Factory quality-system audit: no audit passed yet.",
            "Social-compliance audit: no audit passed yet.",
        ]
    # a failed quality audit, then a passed social audit
    failed = _submitted(tenant, supplier, quality, critical_miss)
    social = _submitted(tenant, supplier, quality, ok, audit_type="social", name="Social")
    with tenant_scope(tenant):
        assert latest_audits(supplier) == {"quality_system": failed, "social": social}
        blockers = audit_blockers(supplier, ["quality_system", "social"])
    assert len(blockers) == 1 and "latest audit" in blockers[0] and "failed" in blockers[0]
    # a re-audit passes, but the critical finding of the failed one is still open
    passed = _submitted(tenant, supplier, quality, ok)
    with tenant_scope(tenant):
        FactoryAudit.objects.filter(pk=passed.pk).update(performed_on=failed.performed_on)  # same day: by creation
        assert latest_audits(supplier)["quality_system"] == passed
        assert audit_blockers(supplier, ["quality_system"]) == [
            "Factory quality-system audit: 1 open critical finding."
        ]
        finding = AuditFinding.objects.get(audit_id=failed.pk)
        finding_services.audit_finding_close(tenant=tenant, by=_as(quality), finding_id=finding.pk, note="Recalibrated")
        # then nothing blocks
        assert audit_blockers(supplier, ["quality_system", "social"]) == []
        # a planned or in-progress audit is not a completed one
        plan(tenant, supplier, make_template(tenant, name="Again"), quality)
        assert latest_audits(supplier)["quality_system"] == passed


def test_the_visit_date_is_kept_and_never_in_the_future(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    answer_all(tenant, audit, quality, ["compliant", "non_compliant", "compliant", "compliant"])
    with tenant_scope(tenant):
        today = timezone.localdate()
        with pytest.raises(DomainError) as caught:
            services.audit_submit(
                tenant=tenant, by=_as(quality), audit_id=audit.pk, performed_on=today + datetime.timedelta(days=1)
            )
        assert set(caught.value.fields) == {"performed_on"}
        visit = today - datetime.timedelta(days=20)
        audit = services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk, performed_on=visit)
        finding = AuditFinding.objects.get(audit_id=audit.pk)
    # the critical finding is due 30 days after the visit, not after the report
    assert audit.performed_on == visit
    assert finding.due_on == visit + datetime.timedelta(days=services.CRITICAL_FOLLOW_UP_DAYS)
