"""Bank detail services: the request (validated, one pending at a time, approvers e-mailed), the decision by a
second person only, the switch of the active row, audit events that never hold the full number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail

from sourcing.actors import Actor
from sourcing.errors import ConflictError, DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import BankAccount, BankStatus, OnboardingTask, Supplier, TaskStatus
from suppliers.services import bank as services
from suppliers.services.onboarding import onboarding_start
from tests.conftest import SYSTEM

NUMBER = "6217856000012345"
DETAILS = {
    "account_name": "Ningbo Everbright Housewares Co., Ltd.",
    "bank_name": "Bank of China, Ningbo Branch",
    "account_number": "6217 8560 0001 2345",
    "swift_code": "bkchcnbj92a",
    "currency": "usd",
}


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.") -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name)


def _request(tenant: Tenant, member: Membership, supplier: Supplier, **values: Any) -> BankAccount:
    by = Actor.for_membership(member)
    with tenant_scope(tenant):
        return services.bank_change_request(tenant=tenant, by=by, supplier_id=supplier.pk, **{**DETAILS, **values})


def _rows(tenant: Tenant) -> list[tuple[str, str]]:
    with tenant_scope(tenant):
        return sorted(BankAccount.objects.values_list("account_number", "status"))


def _bank_events(tenant: Tenant) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action__startswith="bank_account."))


@pytest.fixture
def finance(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.FINANCE)


@pytest.fixture
def admin(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.ADMIN)


def test_a_request_is_pending_normalised_and_masked_in_the_audit(tenant: Tenant, finance: Membership) -> None:
    supplier = _supplier(tenant)
    account = _request(tenant, finance, supplier)
    assert (account.status, account.account_number, account.swift_code, account.currency) == (
        BankStatus.PENDING,
        NUMBER,
        "BKCHCNBJ92A",
        "USD",
    )
    assert account.requested_by_id == finance.user_id
    (event,) = _bank_events(tenant)
    recorded = json.dumps([event.before, event.after])
    assert NUMBER not in recorded and "2345" in recorded  # the last four only


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"account_name": "", "bank_name": " "}, {"account_name", "bank_name"}),
        ({"account_number": "6217-8560-00?1"}, {"account_number"}),
        ({"account_number": "12"}, {"account_number"}),
        ({"swift_code": "BKCHCN"}, {"swift_code"}),  # 6 characters
        ({"swift_code": "BKCHCNBJ9"}, {"swift_code"}),  # 9 characters
        ({"swift_code": "1KCHCNBJ"}, {"swift_code"}),  # the bank code is letters
        ({"currency": "RMB"}, {"currency"}),  # not ISO 4217 (CNY is)
        ({"currency": "US"}, {"currency"}),
    ],
)
def test_bad_details_are_named_and_nothing_is_written(
    tenant: Tenant, finance: Membership, values: Any, fields: Any
) -> None:
    supplier = _supplier(tenant)
    with pytest.raises(DomainError) as refused:
        _request(tenant, finance, supplier, **values)
    assert set(refused.value.fields) == fields
    assert _rows(tenant) == [] and _bank_events(tenant) == []


@pytest.mark.parametrize("swift", ["BKCHCNBJ", "BKCHCNBJ92A", "", "icbk cn bj"])
def test_swift_codes_of_8_or_11_characters_or_none(tenant: Tenant, finance: Membership, swift: str) -> None:
    account = _request(tenant, finance, _supplier(tenant), swift_code=swift)
    assert len(account.swift_code) in {0, 8, 11}


def test_one_pending_change_at_a_time(tenant: Tenant, finance: Membership, admin: Membership) -> None:
    supplier = _supplier(tenant)
    _request(tenant, finance, supplier)
    with pytest.raises(ConflictError):
        _request(tenant, admin, supplier, account_number="999900001111")
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


@pytest.mark.parametrize("role", [Role.BUYER, Role.CATEGORY_MANAGER, Role.QUALITY, Role.EXECUTIVE, Role.AGENT])
def test_only_bank_writers_may_request(tenant: Tenant, make_member: Any, role: str) -> None:
    supplier = _supplier(tenant)
    with pytest.raises((ScopeError, NotFoundError)):
        _request(tenant, make_member(tenant, role), supplier)
    assert _rows(tenant) == [] and _bank_events(tenant) == []


def test_another_tenants_supplier_is_not_found(tenant: Tenant, other_tenant: Tenant, finance: Membership) -> None:
    theirs = _supplier(other_tenant, "Xiamen Peakline")
    with pytest.raises(NotFoundError):
        _request(tenant, finance, theirs)
    assert _rows(other_tenant) == []


def test_the_other_approvers_are_emailed_once_the_request_is_saved(
    tenant: Tenant, finance: Membership, admin: Membership, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_member(tenant, Role.BUYER)
    second = make_member(tenant, Role.FINANCE, email="finance.two@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        _request(tenant, finance, _supplier(tenant))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.user.email, second.user.email])
    for message in mail.outbox:
        assert NUMBER not in message.body and "2345" in message.body
        assert "Ningbo Everbright" in message.subject


def test_approval_by_a_second_person_makes_it_active_and_supersedes_the_old(
    tenant: Tenant, finance: Membership, admin: Membership
) -> None:
    supplier = _supplier(tenant)
    first = _request(tenant, finance, supplier, account_number="1111222233334444")
    with tenant_scope(tenant):
        services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=first.pk)
    second = _request(tenant, admin, supplier)
    with tenant_scope(tenant):
        approved = services.bank_change_approve(
            tenant=tenant, by=Actor.for_membership(finance), bank_account_id=second.pk, note="Called the CFO"
        )
    assert (approved.status, approved.decided_by_id, approved.decision_note) == (
        BankStatus.ACTIVE,
        finance.user_id,
        "Called the CFO",
    )
    assert _rows(tenant) == [("1111222233334444", BankStatus.SUPERSEDED), (NUMBER, BankStatus.ACTIVE)]
    for event in _bank_events(tenant):
        recorded = json.dumps([event.before, event.after])
        assert NUMBER not in recorded and "1111222233334444" not in recorded


def test_the_requester_cannot_decide_their_own_change(tenant: Tenant, finance: Membership) -> None:
    supplier = _supplier(tenant)
    account = _request(tenant, finance, supplier)
    events = len(_bank_events(tenant))
    with tenant_scope(tenant):
        for decide in (services.bank_change_approve, services.bank_change_reject):
            with pytest.raises(DomainError) as refused:
                decide(tenant=tenant, by=Actor.for_membership(finance), bank_account_id=account.pk, note="Mine")
            assert refused.value.code == "same_person"
            assert "another person" in refused.value.message
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]
    assert len(_bank_events(tenant)) == events


def test_a_system_actor_cannot_approve(tenant: Tenant, finance: Membership) -> None:
    account = _request(tenant, finance, _supplier(tenant))
    with tenant_scope(tenant), pytest.raises(DomainError) as refused:
        services.bank_change_approve(tenant=tenant, by=SYSTEM, bank_account_id=account.pk)
    assert refused.value.code == "person_required"
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


@pytest.mark.parametrize("by", [SYSTEM, Actor.system("erp import", scopes=frozenset({"bank:write"}))])
def test_a_change_is_requested_by_a_person_only(tenant: Tenant, by: Actor) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant), pytest.raises(DomainError) as refused:
        services.bank_change_request(tenant=tenant, by=by, supplier_id=supplier.pk, **DETAILS)
    assert refused.value.code == "person_required"
    assert "by a person" in refused.value.message
    assert _rows(tenant) == [] and _bank_events(tenant) == []


def test_a_change_with_no_known_requester_can_be_rejected_but_not_approved(
    tenant: Tenant, finance: Membership, admin: Membership
) -> None:
    # A row whose requester is unknown (asked before the rule, or the requester's user is gone).
    account = _request(tenant, finance, _supplier(tenant))
    with tenant_scope(tenant):
        BankAccount.objects.filter(pk=account.pk).update(requested_by=None)
        with pytest.raises(DomainError) as refused:
            services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=account.pk)
        assert refused.value.code == "requester_unknown"
        assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]
        services.bank_change_reject(
            tenant=tenant, by=Actor.for_membership(admin), bank_account_id=account.pk, note="Ask again"
        )
    assert _rows(tenant) == [(NUMBER, BankStatus.REJECTED)]


def test_rejection_needs_a_reason_and_leaves_the_active_details(
    tenant: Tenant, finance: Membership, admin: Membership
) -> None:
    supplier = _supplier(tenant)
    first = _request(tenant, finance, supplier, account_number="1111222233334444")
    with tenant_scope(tenant):
        services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=first.pk)
    change = _request(tenant, finance, supplier)
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as no_reason:
            services.bank_change_reject(
                tenant=tenant, by=Actor.for_membership(admin), bank_account_id=change.pk, note=""
            )
        assert set(no_reason.value.fields) == {"note"}
        services.bank_change_reject(
            tenant=tenant, by=Actor.for_membership(admin), bank_account_id=change.pk, note="Not confirmed by phone"
        )
        # a decided change is not decided again
        with pytest.raises(DomainError):
            services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=change.pk)
    assert _rows(tenant) == [("1111222233334444", BankStatus.ACTIVE), (NUMBER, BankStatus.REJECTED)]


@pytest.mark.parametrize("role", [Role.BUYER, Role.EXECUTIVE, Role.AGENT])
def test_only_bank_writers_may_decide(tenant: Tenant, finance: Membership, make_member: Any, role: str) -> None:
    account = _request(tenant, finance, _supplier(tenant))
    with tenant_scope(tenant), pytest.raises(ScopeError):
        services.bank_change_approve(
            tenant=tenant, by=Actor.for_membership(make_member(tenant, role)), bank_account_id=account.pk
        )
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


def test_another_tenants_change_is_not_found(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, admin: Membership
) -> None:
    theirs = _request(other_tenant, make_member(other_tenant, Role.FINANCE), _supplier(other_tenant, "Xiamen Peakline"))
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=theirs.pk)
    assert _rows(other_tenant) == [(NUMBER, BankStatus.PENDING)]


def test_approval_completes_the_bank_onboarding_task(tenant: Tenant, finance: Membership, admin: Membership) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
    account = _request(tenant, finance, supplier)
    with tenant_scope(tenant):
        services.bank_change_approve(tenant=tenant, by=Actor.for_membership(admin), bank_account_id=account.pk)
        task = OnboardingTask.objects.filter(supplier=supplier, code="bank_details_verified").first()
    assert task is not None and task.status == TaskStatus.DONE


def test_the_e_mail_subject_is_plain_text(
    tenant: Tenant, finance: Membership, admin: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _request(tenant, finance, _supplier(tenant, "Smith & O'Brien <Trading> Co."))
    assert [m.subject for m in mail.outbox] == [
        "Bank details change for Smith & O'Brien <Trading> Co. waits for your approval"
    ]
