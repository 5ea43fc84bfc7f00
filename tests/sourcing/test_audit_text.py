"""The audit log and activity feeds in words: sentences for actions, field names, names for ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.audit_text import ACTION_CODE_RE, ACTION_TEXT, action_text, describe_events
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.lifecycle import ACTIONS
from suppliers.models import AuditFinding, BankAccount, RiskFlag, Severity

ROOT = Path(__file__).resolve().parents[2]


def _recorded_actions() -> set[str]:
    """Every action code the services record: the literal ones and the lifecycle and task families."""
    found: set[str] = set()
    for path in [
        *(ROOT / "sourcing").rglob("*.py"),
        *(ROOT / "suppliers").rglob("*.py"),
        *(ROOT / "rfq").rglob("*.py"),
    ]:
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    onboarding = (ROOT / "suppliers" / "services" / "onboarding.py").read_text()
    found |= {f"onboarding_task.{verb}" for verb in re.findall(r'_task_event\([^)]*?"([a-z_]+)"', onboarding)}
    found |= {f"supplier.{key}" for key in ACTIONS}
    return found


def test_every_recorded_action_has_a_sentence() -> None:
    recorded = _recorded_actions()
    assert len(recorded) > 90
    assert recorded - set(ACTION_TEXT) == set()


def test_sentences_are_in_the_viewers_language() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert action_text("onboarding_task.complete") == "完成了准入任务"
        assert action_text("bank_account.approve") == "批准了银行账户变更"
    with translation.override("en"):
        assert action_text("onboarding_task.complete") == "Completed an onboarding task"
        assert action_text("unknown.thing_done") == "Unknown thing done"


def test_the_action_code_pattern_finds_codes_and_nothing_else() -> None:
    assert ACTION_CODE_RE.findall("done: onboarding_task.complete, supplier.create") == [
        "onboarding_task.complete",
        "supplier.create",
    ]
    assert ACTION_CODE_RE.findall("buyer@acme.test opened document.pdf; supplier.created") == []


def test_changes_name_fields_and_records_and_leave_out_what_did_not_change(
    tenant: Tenant, make_member: Any, make_agency: Any
) -> None:
    agent = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    agency = make_agency(tenant)
    with tenant_scope(tenant):
        event = AuditEvent.objects.get(action="member.invite", object_id=str(agent.pk))
        event.before = {"role": "buyer", "agency": None, "is_active": True, "note": ""}
        event.after = {"role": "agent", "agency": str(agency.pk), "is_active": True, "note": None}
        [entry] = describe_events([event])
    assert entry.sentence == "Invited a member"
    assert entry.object_kind == "Membership"
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("Role", "Buyer", "Sourcing agent"),
        ("Agency", "—", "Shenzhen Bridge Sourcing"),
    ]


def test_removed_records_and_empty_fields_of_a_create_are_not_shown(tenant: Tenant, make_member: Any) -> None:
    member = make_member(tenant, Role.BUYER)
    with tenant_scope(tenant):
        event = AuditEvent.objects.get(action="member.invite", object_id=str(member.pk))
        event.after = {"agency": "01a25214-0000-7000-8000-000000000000", "role": None, "note": ""}
        event.before = None
        [entry] = describe_events([event])
    assert [(c.field, c.after) for c in entry.changes] == [("Agency", "(removed)")]


def test_a_generic_object_name_reads_as_the_kind_of_record(tenant: Tenant) -> None:
    event = AuditEvent(
        tenant=tenant,
        action="audit_finding.add",
        object_type="suppliers.auditfinding",
        object_id="01a25214-0000-7000-8000-000000000000",
        object_repr="AuditFinding object (01a25214-0000-7000-8000-000000000000)",
    )
    [entry] = describe_events([event], changes=False)
    assert (entry.sentence, entry.object_name) == ("Recorded an audit finding", "Audit finding")


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        (AuditFinding(severity=Severity.MAJOR, description="No fire drill records"), "Major: No fire drill records"),
        (RiskFlag(title="Single source for 530"), "Single source for 530"),
        (BankAccount(bank_name="Bank of China", account_number="6217000012345678"), "Bank of China •••• 5678"),
    ],
)
def test_records_people_see_have_names(instance: Any, expected: str) -> None:
    assert str(instance) == expected


def test_the_audit_log_page_reads_in_words_in_both_languages(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    agent = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    client = Client()
    client.force_login(admin.user)
    url = reverse("audit_list", kwargs={"tenant_slug": "acme"})
    body = client.get(url).content.decode()
    assert "Invited a member" in body and "Shenzhen Bridge Sourcing" in body
    assert not ACTION_CODE_RE.search(body.replace(f'value="{agent.pk}"', ""))
    assert str(agent.agency_id) not in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    body = client.get(url).content.decode()
    assert "邀请了成员" in body and "Invited a member" not in body


def test_the_dashboard_feed_reads_in_words(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    with tenant_scope(tenant):
        from sourcing.services import agency_create

        agency_create(tenant=tenant, by=Actor.for_membership(admin), name="Ningbo Bridge")
    client = Client()
    client.force_login(admin.user)
    body = client.get(reverse("dashboard", kwargs={"tenant_slug": "acme"})).content.decode()
    assert "Added an agency" in body and "Ningbo Bridge" in body
    assert not ACTION_CODE_RE.search(body)
