"""Onboarding services: default checklists on first use, starting (idempotent, extended with new items), the
task actions and who may take them, refusals that write nothing, completion by ERP id, and the award rule."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import OnboardingItem, OnboardingTask, OnboardingTemplate, Supplier, TaskStatus, Tier
from suppliers.selectors.onboarding import onboarding_missing, onboarding_overdue, onboarding_progress
from suppliers.services import onboarding as services
from suppliers.services import onboarding_templates as template_services
from tests.conftest import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
DEFAULT_CODES = [
    "nda_signed",
    "quality_agreement_signed",
    "bank_details_verified",
    "code_of_conduct_acknowledged",
    "erp_vendor_created",
    "first_sample_approved",
]


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **values)


def _actor(member: Membership) -> Actor:
    return Actor.for_membership(member)


def _events(tenant: Tenant, prefix: str = "onboarding") -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.filter(action__startswith=prefix).count()


def _start(tenant: Tenant, supplier: Supplier) -> list[OnboardingTask]:
    with tenant_scope(tenant):
        services.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        return list(OnboardingTask.objects.filter(supplier=supplier).order_by("position"))


def _task(tenant: Tenant, supplier: Supplier, code: str) -> OnboardingTask:
    with tenant_scope(tenant):
        task = OnboardingTask.objects.filter(supplier=supplier, code=code).first()
        assert task is not None
        return task


# Templates


def test_a_tenant_without_templates_gets_the_defaults_on_first_start(tenant: Tenant) -> None:
    # given a strategic supplier and no checklist at all
    supplier = _supplier(tenant, tier=Tier.STRATEGIC)
    # when onboarding starts
    tasks = _start(tenant, supplier)
    # then the strategic checklist was made from the defaults, every item required
    assert [t.code for t in tasks] == DEFAULT_CODES
    assert all(t.is_required for t in tasks)
    with tenant_scope(tenant):
        assert OnboardingTemplate.objects.filter(tier=Tier.STRATEGIC).count() == 1
        assert _events(tenant, "onboarding_template.create") == 1


def test_transactional_defaults_make_the_quality_agreement_and_first_sample_optional(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        templates = template_services.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)
        assert sorted(t.tier for t in templates) == sorted(Tier.values)
        transactional = next(t for t in templates if t.tier == Tier.TRANSACTIONAL)
        optional = set(transactional.items.filter(is_required=False).values_list("code", flat=True))
    assert optional == {"quality_agreement_signed", "first_sample_approved"}


def test_ensuring_templates_twice_makes_them_once(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        template_services.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)
        template_services.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)
        assert OnboardingTemplate.objects.count() == 3
        assert OnboardingItem.objects.count() == 3 * len(DEFAULT_CODES)


def test_items_are_added_edited_and_removed_by_those_who_configure(tenant: Tenant, make_member: Any) -> None:
    quality = _actor(make_member(tenant, Role.QUALITY))
    with tenant_scope(tenant):
        template = template_services.onboarding_templates_ensure(tenant=tenant, by=quality)[0]
        item = template_services.onboarding_item_add(
            tenant=tenant, by=quality, template_id=template.pk, code="factory_visit", title="Factory visit", due_days=30
        )
        assert item.position == len(DEFAULT_CODES) + 1
        template_services.onboarding_item_update(
            tenant=tenant, by=quality, item_id=item.pk, title="Factory visited", is_required=False, due_days="21"
        )
        item.refresh_from_db()
        assert (item.title, item.is_required, item.due_days) == ("Factory visited", False, 21)
        template_services.onboarding_item_remove(tenant=tenant, by=quality, item_id=item.pk)
        assert not OnboardingItem.objects.filter(pk=item.pk).exists()
    assert _events(tenant, "onboarding_item.") == 3


def test_item_add_refuses_a_taken_code_and_bad_values_naming_each_field(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        template = template_services.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)[0]
        before = OnboardingItem.objects.count()
        with pytest.raises(DomainError) as taken:
            template_services.onboarding_item_add(
                tenant=tenant, by=SYSTEM, template_id=template.pk, code="nda_signed", title="x"
            )
        with pytest.raises(DomainError) as bad:
            template_services.onboarding_item_add(
                tenant=tenant, by=SYSTEM, template_id=template.pk, code="Bad Code!", title="", due_days="-1"
            )
        assert OnboardingItem.objects.count() == before
    assert set(taken.value.fields) == {"code"}
    assert set(bad.value.fields) == {"code", "title", "due_days"}


@pytest.mark.parametrize("role", [Role.BUYER, Role.FINANCE, Role.EXECUTIVE, Role.AGENT])
def test_only_configurers_may_change_checklists(tenant: Tenant, make_member: Any, role: str) -> None:
    with tenant_scope(tenant):
        template = template_services.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)[0]
    member = make_member(tenant, role)
    with tenant_scope(tenant), pytest.raises(ScopeError):
        template_services.onboarding_item_add(
            tenant=tenant, by=_actor(member), template_id=template.pk, code="factory_visit", title="Factory visit"
        )
    with tenant_scope(tenant):
        assert not OnboardingItem.objects.filter(code="factory_visit").exists()


def test_another_tenants_template_is_a_missing_one(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant_scope(other_tenant):
        theirs = template_services.onboarding_templates_ensure(tenant=other_tenant, by=SYSTEM)[0]
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        template_services.onboarding_item_add(tenant=tenant, by=SYSTEM, template_id=theirs.pk, code="x", title="X")
    with tenant_scope(other_tenant):
        assert not OnboardingItem.objects.filter(code="x").exists()


# Starting


def test_start_gives_tasks_to_the_owner_due_after_the_items_days(tenant: Tenant, make_member: Any) -> None:
    owner = make_member(tenant, Role.BUYER)
    supplier = _supplier(tenant, tier=Tier.CORE, owner=owner)
    tasks = _start(tenant, supplier)
    today = timezone.localdate()
    nda = next(t for t in tasks if t.code == "nda_signed")
    assert nda.owner_id == owner.pk
    assert nda.due_on == today + datetime.timedelta(days=14)
    assert {t.status for t in tasks} == {TaskStatus.OPEN}


def test_start_is_idempotent_and_adds_only_new_items(tenant: Tenant) -> None:
    # given a started supplier with one task done
    supplier = _supplier(tenant, tier=Tier.CORE)
    _start(tenant, supplier)
    nda = _task(tenant, supplier, "nda_signed")
    with tenant_scope(tenant):
        services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=nda.pk, note="Signed")
        # when it is started again, nothing changes
        assert services.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk) == []
        # and when the checklist gains an item, starting again adds just that one
        template = OnboardingTemplate.objects.get(tier=Tier.CORE)
        template_services.onboarding_item_add(
            tenant=tenant, by=SYSTEM, template_id=template.pk, code="visit", title="Visit"
        )
        added = services.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        assert [t.code for t in added] == ["visit"]
        assert OnboardingTask.objects.filter(supplier=supplier).count() == len(DEFAULT_CODES) + 1
    # then the done task is untouched
    assert _task(tenant, supplier, "nda_signed").status == TaskStatus.DONE


@pytest.mark.parametrize("role", [Role.QUALITY, Role.FINANCE, Role.EXECUTIVE, Role.AGENT])
def test_start_is_refused_without_supplier_write_and_writes_nothing(
    tenant: Tenant, make_member: Any, role: str
) -> None:
    supplier = _supplier(tenant)
    member = make_member(tenant, role)
    with tenant_scope(tenant), pytest.raises((ScopeError, NotFoundError)):
        services.onboarding_start(tenant=tenant, by=_actor(member), supplier_id=supplier.pk)
    with tenant_scope(tenant):
        assert not OnboardingTask.objects.exists()
        assert not OnboardingTemplate.objects.exists()
    assert _events(tenant) == 0


def test_start_for_another_tenants_supplier_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = _supplier(other_tenant, "Xiamen Peakline")
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        services.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk)
    with tenant_scope(other_tenant):
        assert not OnboardingTask.objects.exists()


# Task actions


def test_complete_with_evidence_checked_by_its_bytes(
    tenant: Tenant, make_member: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    buyer = make_member(tenant, Role.BUYER)
    supplier = _supplier(tenant)
    _start(tenant, supplier)
    nda = _task(tenant, supplier, "nda_signed")
    with tenant_scope(tenant):
        # a file whose bytes are not a document is refused, and nothing changes
        with pytest.raises(DomainError) as bad:
            services.onboarding_task_complete(
                tenant=tenant, by=_actor(buyer), task_id=nda.pk, file=io.BytesIO(b"MZ\x90\x00\x03"), file_name="nda.pdf"
            )
        assert set(bad.value.fields) == {"file"}
        assert OnboardingTask.objects.get(pk=nda.pk).status == TaskStatus.OPEN
        # a PDF is kept, under the task, with the note
        task = services.onboarding_task_complete(
            tenant=tenant,
            by=_actor(buyer),
            task_id=nda.pk,
            note="Countersigned",
            file=io.BytesIO(PDF),
            file_name="nda.pdf",
        )
    assert task.status == TaskStatus.DONE
    assert (task.file_name, task.content_type, task.note) == ("nda.pdf", "application/pdf", "Countersigned")
    assert task.completed_by_label == buyer.user.email
    stored = task.file.name or ""
    assert stored.endswith(".pdf") and "nda" not in stored  # stored under a name of our own


def test_waive_needs_a_reason_and_the_qualify_scope(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    _start(tenant, supplier)
    sample = _task(tenant, supplier, "first_sample_approved")
    buyer, quality = make_member(tenant, Role.BUYER), make_member(tenant, Role.QUALITY)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            services.onboarding_task_waive(tenant=tenant, by=_actor(buyer), task_id=sample.pk, reason="Catalogue item")
        with pytest.raises(DomainError) as no_reason:
            services.onboarding_task_waive(tenant=tenant, by=_actor(quality), task_id=sample.pk, reason="  ")
        assert OnboardingTask.objects.get(pk=sample.pk).status == TaskStatus.OPEN
        assert _events(tenant, "onboarding_task") == 0
        task = services.onboarding_task_waive(
            tenant=tenant, by=_actor(quality), task_id=sample.pk, reason="Catalogue item"
        )
    assert set(no_reason.value.fields) == {"reason"}
    assert (task.status, task.note) == (TaskStatus.WAIVED, "Catalogue item")


def test_reopen_assign_and_due(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    _start(tenant, supplier)
    task = _task(tenant, supplier, "nda_signed")
    buyer, agent = make_member(tenant, Role.BUYER), make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=task.pk)
        reopened = services.onboarding_task_reopen(tenant=tenant, by=_actor(buyer), task_id=task.pk)
        assert (reopened.status, reopened.completed_at) == (TaskStatus.OPEN, None)
        assigned = services.onboarding_task_assign(tenant=tenant, by=_actor(buyer), task_id=task.pk, owner_id=buyer.pk)
        assert assigned.owner_id == buyer.pk
        # an agent is not a possible owner, nor a date that is not one
        with pytest.raises(DomainError) as not_offered:
            services.onboarding_task_assign(tenant=tenant, by=_actor(buyer), task_id=task.pk, owner_id=agent.pk)
        with pytest.raises(DomainError) as bad_date:
            services.onboarding_task_set_due(tenant=tenant, by=_actor(buyer), task_id=task.pk, due_on="31/12/2026")
        dated = services.onboarding_task_set_due(tenant=tenant, by=_actor(buyer), task_id=task.pk, due_on="2026-12-31")
        assert OnboardingTask.objects.get(pk=task.pk).owner_id == buyer.pk
    assert set(not_offered.value.fields) == {"owner"}
    assert set(bad_date.value.fields) == {"due_on"}
    assert dated.due_on == datetime.date(2026, 12, 31)


def test_a_done_task_completed_again_changes_nothing_and_a_waived_one_is_refused(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    _start(tenant, supplier)
    nda, sample = _task(tenant, supplier, "nda_signed"), _task(tenant, supplier, "first_sample_approved")
    with tenant_scope(tenant):
        first = services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=nda.pk)
        events = _events(tenant)
        again = services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=nda.pk)
        assert again.completed_at == first.completed_at
        assert _events(tenant) == events
        services.onboarding_task_waive(tenant=tenant, by=SYSTEM, task_id=sample.pk, reason="Catalogue item")
        with pytest.raises(DomainError):
            services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=sample.pk)
        assert OnboardingTask.objects.get(pk=sample.pk).status == TaskStatus.WAIVED


def test_complete_by_erp_id_and_code(tenant: Tenant, other_tenant: Tenant) -> None:
    supplier = _supplier(tenant, external_id="V-100")
    _start(tenant, supplier)
    theirs = _supplier(other_tenant, "Xiamen Peakline", external_id="V-200")
    _start(other_tenant, theirs)
    with tenant_scope(tenant):
        task = services.onboarding_task_complete_by_code(
            tenant=tenant, by=SYSTEM, supplier_external_id="V-100", code="erp_vendor_created"
        )
        assert task.status == TaskStatus.DONE and task.supplier_id == supplier.pk
        # another tenant's ERP id, an unknown code: not found alike
        for external_id, code in [("V-200", "erp_vendor_created"), ("V-100", "no_such_task"), ("V-999", "nda_signed")]:
            with pytest.raises(NotFoundError):
                services.onboarding_task_complete_by_code(
                    tenant=tenant, by=SYSTEM, supplier_external_id=external_id, code=code
                )
    assert _task(other_tenant, theirs, "erp_vendor_created").status == TaskStatus.OPEN


# Reads


def test_missing_progress_and_overdue(tenant: Tenant, make_member: Any) -> None:
    buyer = make_member(tenant, Role.BUYER)
    started, idle = _supplier(tenant, "Started Co", owner=buyer, tier=Tier.CORE), _supplier(tenant, "Idle Co")
    _start(tenant, started)
    with tenant_scope(tenant):
        tasks = {t.code: t for t in OnboardingTask.objects.filter(supplier=started)}
        services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=tasks["nda_signed"].pk)
        services.onboarding_task_waive(
            tenant=tenant, by=SYSTEM, task_id=tasks["first_sample_approved"].pk, reason="n/a"
        )
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        OnboardingTask.objects.filter(pk=tasks["erp_vendor_created"].pk).update(due_on=yesterday)
        OnboardingTask.objects.filter(pk=tasks["nda_signed"].pk).update(due_on=yesterday)  # done: not overdue
        missing = [t.code for t in onboarding_missing(started)]
        progress = onboarding_progress([started.pk, idle.pk])
        overdue = list(onboarding_overdue())
        mine = list(onboarding_overdue(owner=str(buyer.pk)))
        nobody = list(onboarding_overdue(owner="none"))
    assert missing == [c for c in DEFAULT_CODES if c not in {"nda_signed", "first_sample_approved"}]
    assert progress == {started.pk: (2, 6), idle.pk: (0, 0)}
    assert [t.code for t in overdue] == ["erp_vendor_created"]
    assert [t.code for t in mine] == ["erp_vendor_created"] and nobody == []


def test_progress_is_one_query(tenant: Tenant, django_assert_num_queries: Any) -> None:
    suppliers = [_supplier(tenant, f"Supplier {i}") for i in range(3)]
    for supplier in suppliers:
        _start(tenant, supplier)
    with tenant_scope(tenant), django_assert_num_queries(1):
        assert set(onboarding_progress([s.pk for s in suppliers]).values()) == {(0, 6)}


# The award rule


def _blockers(tenant: Tenant, supplier: Supplier, today: datetime.date | None = None) -> list[str]:
    with tenant_scope(tenant):
        supplier.refresh_from_db()
        return services.supplier_award_blockers(supplier, today=today)


@pytest.mark.parametrize(
    ("status", "expires", "blocked"),
    [
        ("approved", None, False),
        ("conditional", None, False),
        ("conditional", datetime.date(2026, 6, 30), False),  # expires that day: still valid
        ("conditional", datetime.date(2026, 6, 29), True),
        ("prospect", None, True),
        ("in_qualification", None, True),
        ("rejected", None, True),
        ("suspended", None, True),
        ("blocked", None, True),
    ],
)
def test_award_needs_an_approval_in_force(tenant: Tenant, status: str, expires: Any, blocked: bool) -> None:
    # a transactional supplier: its governance does not require onboarding, so the status alone decides
    supplier = _supplier(tenant, tier=Tier.TRANSACTIONAL, status=status, approval_expires_on=expires)
    blockers = _blockers(tenant, supplier, today=datetime.date(2026, 6, 30))
    assert bool(blockers) is blocked
    if expires is None:  # the plain rule reads today's date
        with tenant_scope(tenant):
            assert services.supplier_can_be_awarded(supplier) is not blocked


def test_award_needs_required_onboarding_where_the_tier_requires_it(tenant: Tenant, make_member: Any) -> None:
    # given an approved core supplier (onboarding required) that has not started onboarding
    supplier = _supplier(tenant, tier=Tier.CORE, status="approved")
    assert _blockers(tenant, supplier) == ["Onboarding has not been started."]
    # when it starts, each open required task blocks
    _start(tenant, supplier)
    assert len(_blockers(tenant, supplier)) == len(DEFAULT_CODES)
    # and once every required task is done or waived, nothing does
    from suppliers.services.bank import bank_change_approve, bank_change_request

    with tenant_scope(tenant):
        for task in OnboardingTask.objects.filter(supplier=supplier):
            if task.code == "first_sample_approved":
                services.onboarding_task_waive(tenant=tenant, by=SYSTEM, task_id=task.pk, reason="Stock item")
            elif task.code != "bank_details_verified":
                services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=task.pk)
        # bank details are verified by a second person approving them
        account = bank_change_request(
            tenant=tenant,
            by=_actor(make_member(tenant, Role.FINANCE)),
            supplier_id=supplier.pk,
            account_name=supplier.legal_name,
            bank_name="Bank of Ningbo",
            account_number="6222020200112233",
            swift_code="BKNBCN2N",
            currency="USD",
        )
        bank_change_approve(tenant=tenant, by=_actor(make_member(tenant, Role.ADMIN)), bank_account_id=account.pk)
    assert _blockers(tenant, supplier) == []
    with tenant_scope(tenant):
        assert services.supplier_can_be_awarded(supplier)


def test_a_transactional_supplier_is_not_held_by_onboarding(tenant: Tenant) -> None:
    supplier = _supplier(tenant, tier=Tier.TRANSACTIONAL, status="approved")
    _start(tenant, supplier)
    assert _blockers(tenant, supplier) == []


def test_bank_details_are_verified_only_by_approving_them(tenant: Tenant) -> None:
    # given a supplier whose onboarding has started
    supplier = _supplier(tenant, external_id="V-77")
    _start(tenant, supplier)
    task = _task(tenant, supplier, "bank_details_verified")
    before = _events(tenant)
    # when someone ticks the step, waives it, or the ERP completes it by code
    with tenant_scope(tenant):
        for call in (
            lambda: services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=task.pk),
            lambda: services.onboarding_task_waive(tenant=tenant, by=SYSTEM, task_id=task.pk, reason="Trust them"),
            lambda: services.onboarding_task_complete_by_code(
                tenant=tenant, by=SYSTEM, supplier_external_id="V-77", code="bank_details_verified"
            ),
        ):
            with pytest.raises(DomainError) as caught:
                call()
            assert caught.value.status == 409
        # then the step stays open and nothing is recorded
        task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert _events(tenant) == before
