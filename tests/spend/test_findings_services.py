"""Finding services and selectors: every validation names its field, status moves only along the allowed
transitions, assignees are internal members of the same tenant, audit events exist exactly for changes, and
the list filters (a category's whole subtree, assignee, mine) and open totals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Finding, FindingKind, FindingStatus
from sourcing.spend.selectors import findings as selectors
from sourcing.spend.services import findings as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM

MakeMember = Callable[..., Membership]
MISSING_ID = "00000000-0000-7000-8000-000000000000"


@pytest.fixture
def actor(tenant: Tenant, make_member: MakeMember) -> Callable[[str], Actor]:
    """``actor(role)``: a member of acme with that role, acting."""

    def make(role: str) -> Actor:
        return Actor.for_membership(make_member(tenant, role))

    return make


def _events(tenant: Tenant, action: str = "finding.") -> list[Any]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action__startswith=action).order_by("id"))


def _finding(tenant: Tenant, **values: Any) -> Finding:
    with tenant_scope(tenant):
        arguments = {"kind": FindingKind.OTHER, "title": "Cartons bought off contract", **values}
        return services.finding_create(tenant=tenant, by=SYSTEM, **arguments)


def _reload(tenant: Tenant, finding: Finding) -> Finding:
    with tenant_scope(tenant):
        return selectors.finding_get(finding_id=finding.pk)


# Creating


def test_create_stores_a_manual_finding_in_the_base_currency_and_audits_it(
    tenant: Tenant, spend_world: dict[str, Any], actor: Any
) -> None:
    # given a buyer (spend:write) and a category
    by = actor(Role.BUYER)
    pots = spend_world["pots"]
    # when they raise a finding with text amounts
    with tenant_scope(tenant):
        finding = services.finding_create(
            tenant=tenant,
            by=by,
            kind=FindingKind.PRICE_VARIANCE,
            title="  Pots bought at three prices  ",
            category_id=str(pots.pk),
            amount="12500.50",
            estimated_saving=Decimal("900"),
            note="Quote from March is lower.",
        )
    # then it is open, in USD, with the values as given (title trimmed), and the creation is audited
    finding = _reload(tenant, finding)
    assert (finding.kind, finding.title, finding.category_id) == (
        "price_variance",
        "Pots bought at three prices",
        pots.pk,
    )
    assert (finding.amount, finding.estimated_saving, finding.currency) == (Decimal("12500.50"), Decimal("900"), "USD")
    assert (finding.status, finding.assignee_id, finding.closed_at, finding.key) == ("open", None, None, "")
    [event] = _events(tenant)
    assert event.action == "finding.create"
    assert event.actor_label == "buyer@acme.test"
    assert event.before is None
    assert event.after["category_code"] == "111"
    assert event.after["amount"] == "12500.50"
    assert event.after["estimated_saving"] == "900.00"
    assert event.after["status"] == "open"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "savings"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": None}, "title"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": 10.5}, "amount"),  # a float: refused, it may have lost digits
        ({"amount": "1e30"}, "amount"),
        ({"estimated_saving": "-0.01"}, "estimated_saving"),
        ({"estimated_saving": "abc"}, "estimated_saving"),
        ({"estimated_saving": True}, "estimated_saving"),
        ({"category_id": "not-an-id"}, "category"),
        ({"category_id": MISSING_ID}, "category"),
        ({"note": 42}, "note"),
    ],
)
def test_create_names_the_bad_field_and_writes_nothing(
    tenant: Tenant, actor: Any, values: dict[str, Any], field: str
) -> None:
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        arguments = {"kind": "other", "title": "Cartons", **values}
        with pytest.raises(DomainError) as caught:
            services.finding_create(tenant=tenant, by=by, **arguments)
        assert field in caught.value.fields
        assert not Finding.objects.exists()
    assert _events(tenant) == []


def test_another_tenants_category_is_no_such_category(tenant: Tenant, other_tenant: Tenant, actor: Any) -> None:
    # given a category of globex
    with tenant_scope(other_tenant):
        theirs = Category.objects.create(tenant=other_tenant, code="TENT", name="Tent poles")
    by = actor(Role.ADMIN)
    # when acme's admin raises a finding on it, and on an id that does not exist
    errors = []
    with tenant_scope(tenant):
        for category_id in (theirs.pk, MISSING_ID):
            with pytest.raises(DomainError) as caught:
                services.finding_create(tenant=tenant, by=by, kind="other", title="x", category_id=category_id)
            errors.append((caught.value.message, caught.value.fields))
    # then both answers are the same "No such category", and nothing was written
    assert errors[0] == errors[1] == ("No such category.", {"category": ["No such category."]})
    assert _events(tenant) == []


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY])
def test_roles_without_spend_write_cannot_write_findings(tenant: Tenant, actor: Any, role: str) -> None:
    # given a finding, and a member whose role only reads spend (or not even that)
    finding = _finding(tenant)
    before = len(_events(tenant))
    by = actor(role)
    with tenant_scope(tenant):
        # when they try each write
        calls = [
            lambda: services.finding_create(tenant=tenant, by=by, kind="other", title="x"),
            lambda: services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, title="Changed"),
            lambda: services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=None),
            lambda: services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status="in_progress"),
        ]
        for call in calls:
            with pytest.raises(ScopeError):
                call()
        # then nothing changed and nothing was audited
        assert Finding.objects.count() == 1
    assert _reload(tenant, finding).status == "open"
    assert len(_events(tenant)) == before


# Changing


def test_update_saves_and_audits_what_changed_and_a_repeat_is_not_audited(
    tenant: Tenant, spend_world: dict[str, Any], actor: Any
) -> None:
    # given a finding on the pots category
    finding = _finding(tenant, category_id=spend_world["pots"].pk, amount="100")
    by = actor(Role.CATEGORY_MANAGER)
    with tenant_scope(tenant):
        # when the title and the saving change, the category is taken off; then the same is sent again
        changes = {"title": "Cartons from two vendors", "estimated_saving": "250.5", "category_id": None}
        services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, **changes)
        services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, **changes)
    # then the change is saved and audited once, with before and after
    finding = _reload(tenant, finding)
    assert (finding.title, finding.estimated_saving, finding.category_id) == (
        "Cartons from two vendors",
        Decimal("250.50"),
        None,
    )
    [event] = _events(tenant, "finding.update")
    assert event.before["title"] == "Cartons bought off contract"
    assert event.after["title"] == "Cartons from two vendors"
    assert (event.before["estimated_saving"], event.after["estimated_saving"]) == ("0.00", "250.50")
    assert (event.before["category_code"], event.after["category"]) == ("111", None)
    assert event.before["amount"] == event.after["amount"] == "100.00"


def test_update_refuses_unknown_fields_and_bad_values_without_writing(tenant: Tenant, actor: Any) -> None:
    finding = _finding(tenant)
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as unknown:
            services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, status="closed", kind="maverick")
        with pytest.raises(DomainError) as bad:
            services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, title="New", amount="-5")
    assert set(unknown.value.fields) == {"status", "kind"}
    assert set(bad.value.fields) == {"amount"}
    assert _reload(tenant, finding).title == "Cartons bought off contract"  # the good change went nowhere either
    assert _events(tenant, "finding.update") == []


def test_a_finding_of_another_tenant_is_a_missing_finding(tenant: Tenant, other_tenant: Tenant, actor: Any) -> None:
    # given a finding of globex
    theirs = _finding(other_tenant)
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        # when acme reads or changes it, or an id that does not exist
        for finding_id in (theirs.pk, MISSING_ID, "nonsense"):
            with pytest.raises(NotFoundError):
                selectors.finding_get(finding_id=finding_id)
            with pytest.raises(NotFoundError):
                services.finding_update(tenant=tenant, by=by, finding_id=finding_id, title="Mine now")
            with pytest.raises(NotFoundError):
                services.finding_set_status(tenant=tenant, by=by, finding_id=finding_id, status="in_progress")
    # then it is untouched
    assert _reload(other_tenant, theirs).title == "Cartons bought off contract"


# Assigning


def test_assign_to_an_internal_member_then_to_nobody(tenant: Tenant, make_member: MakeMember, actor: Any) -> None:
    # given a finding and a buyer who works with spend
    finding = _finding(tenant)
    buyer = make_member(tenant, Role.BUYER, email="lin@acme.test")
    by = actor(Role.CATEGORY_MANAGER)
    with tenant_scope(tenant):
        # when it is given to the buyer, given again (no change), then to nobody
        services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=str(buyer.pk))
        assert _reload(tenant, finding).assignee_id == buyer.pk
        services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=buyer.pk)
        services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=None)
    # then two assignments are audited, with who held it before and after
    assert _reload(tenant, finding).assignee_id is None
    first, second = _events(tenant, "finding.assign")
    assert (first.before["assignee"], first.after["assignee"]) == (None, str(buyer.pk))
    assert first.after["assignee_email"] == "lin@acme.test"
    assert (second.before["assignee"], second.after["assignee"]) == (str(buyer.pk), None)


@pytest.mark.parametrize("who", ["agent", "quality", "inactive", "other_tenant", "missing"])
def test_assignee_must_be_an_active_internal_member_of_this_tenant_who_reads_spend(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember, actor: Any, who: str
) -> None:
    # given a finding, and someone who may not hold it
    finding = _finding(tenant)
    if who == "agent":
        member_id: Any = make_member(tenant, Role.AGENT).pk
    elif who == "quality":
        member_id = make_member(tenant, Role.QUALITY).pk
    elif who == "inactive":
        member_id = make_member(tenant, Role.BUYER, email="gone@acme.test").pk
        with tenant_scope(tenant):
            Membership.objects.filter(pk=member_id).update(is_active=False)
    elif who == "other_tenant":
        member_id = make_member(other_tenant, Role.BUYER).pk
    else:
        member_id = MISSING_ID
    by = actor(Role.ADMIN)
    # when the finding is given to them
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=member_id)
    # then the same refusal names the assignee field, and nothing changed
    assert caught.value.fields == {"assignee": ["Choose an active member of this organisation who works with spend."]}
    assert _reload(tenant, finding).assignee_id is None
    assert _events(tenant, "finding.assign") == []


# Status


S = FindingStatus
ALLOWED = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.DISMISSED),
    (S.IN_PROGRESS, S.OPEN),
    (S.IN_PROGRESS, S.CLOSED),
    (S.IN_PROGRESS, S.DISMISSED),
    (S.CLOSED, S.OPEN),
    (S.DISMISSED, S.OPEN),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_status_moves_only_along_the_allowed_transitions(tenant: Tenant, actor: Any, current: str, target: str) -> None:
    # given a finding with the current status (closed_at set when it is finished)
    finding = _finding(tenant)
    with tenant_scope(tenant):
        finished = current in {S.CLOSED, S.DISMISSED}
        Finding.objects.filter(pk=finding.pk).update(status=current, closed_at=finding.created_at if finished else None)
    by = actor(Role.BUYER)
    # when it is moved to the target (with a reason, so dismissing is possible)
    with tenant_scope(tenant):
        try:
            services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status=target, note="Reason")
        except DomainError as exc:
            refused: DomainError | None = exc
        else:
            refused = None
    # then exactly the allowed moves happen, each audited, and closed_at follows the status
    after = _reload(tenant, finding)
    events = _events(tenant, "finding.status")
    if current == target:
        assert refused is None
        assert after.status == current
        assert events == []  # the note alone changed: an update, not a status change
    elif (current, target) in ALLOWED:
        assert refused is None
        assert after.status == target
        assert (after.closed_at is not None) == (target in {S.CLOSED, S.DISMISSED})
        [event] = events
        assert (event.before["status"], event.after["status"]) == (current, target)
    else:
        assert refused is not None
        assert set(refused.fields) == {"status"}
        assert after.status == current
        assert after.note == ""
        assert events == []


def test_dismissing_needs_a_note_which_is_kept(tenant: Tenant, actor: Any) -> None:
    finding = _finding(tenant)
    by = actor(Role.BUYER)
    with tenant_scope(tenant):
        # when it is dismissed without a reason, or with only spaces
        for note in (None, "", "   "):
            with pytest.raises(DomainError) as caught:
                services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status="dismissed", note=note)
            assert set(caught.value.fields) == {"note"}
        assert _reload(tenant, finding).status == "open"
        # and with one
        services.finding_set_status(
            tenant=tenant, by=by, finding_id=finding.pk, status="dismissed", note="One-off order, no contract needed."
        )
    # then it is dismissed, the reason is its note, closed_at is set, and the change is audited once
    finding = _reload(tenant, finding)
    assert (finding.status, finding.note) == ("dismissed", "One-off order, no contract needed.")
    assert finding.closed_at is not None
    [event] = _events(tenant, "finding.status")
    assert (event.before["note"], event.after["note"]) == ("", "One-off order, no contract needed.")
    assert event.before["closed_at"] is None
    assert event.after["closed_at"] is not None


def test_closing_stamps_closed_at_and_reopening_clears_it(tenant: Tenant, actor: Any) -> None:
    finding = _finding(tenant, note="Keep me")
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status="in_progress")
        services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status="closed")
        closed = _reload(tenant, finding)
        services.finding_set_status(tenant=tenant, by=by, finding_id=finding.pk, status="open")
    reopened = _reload(tenant, finding)
    assert closed.status == "closed"
    assert closed.closed_at is not None
    assert (reopened.status, reopened.closed_at) == ("open", None)
    assert reopened.note == "Keep me"  # no note given: the note stays
    assert [e.after["status"] for e in _events(tenant, "finding.status")] == ["in_progress", "closed", "open"]


def test_an_unknown_status_names_the_field(tenant: Tenant, actor: Any) -> None:
    finding = _finding(tenant)
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        services.finding_set_status(tenant=tenant, by=actor(Role.ADMIN), finding_id=finding.pk, status="done")
    assert set(caught.value.fields) == {"status"}


# Selectors: filters and totals


def test_list_filters_by_status_kind_category_subtree_assignee_and_mine(
    tenant: Tenant, spend_world: dict[str, Any], make_member: MakeMember
) -> None:
    # given findings on pots (under cookware, under kitchenware), on freight, and on no category
    buyer = make_member(tenant, Role.BUYER)
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    pots = _finding(tenant, title="Pots", kind="price_variance", category_id=spend_world["pots"].pk)
    freight = _finding(tenant, title="Freight", kind="maverick", category_id=spend_world["freight"].pk)
    loose = _finding(tenant, title="Loose", kind="maverick")
    with tenant_scope(tenant):
        services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=pots.pk, assignee_id=buyer.pk)
        services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=freight.pk, assignee_id=manager.pk)
        services.finding_set_status(tenant=tenant, by=SYSTEM, finding_id=freight.pk, status="in_progress")
        services.finding_set_status(tenant=tenant, by=SYSTEM, finding_id=loose.pk, status="dismissed", note="No")

        def titles(**filters: Any) -> set[str]:
            return {f.title for f in selectors.finding_list(**filters)}

        # then each filter keeps what it says
        assert titles() == {"Pots", "Freight", "Loose"}
        assert titles(status="open") == {"Pots"}
        assert titles(status="active") == {"Pots", "Freight"}
        assert titles(kind="maverick") == {"Freight", "Loose"}
        assert titles(category_id=spend_world["kitchen"].pk) == {"Pots"}  # the grandchild counts
        assert titles(category_id=spend_world["pots"].pk) == {"Pots"}
        assert titles(category_id=MISSING_ID) == set()
        assert titles(assignee=str(buyer.pk)) == {"Pots"}
        assert titles(assignee="none") == {"Loose"}
        assert titles(assignee="garbage") == set()
        assert titles(mine=manager) == {"Freight"}


def test_totals_count_open_and_in_progress_findings_by_kind(tenant: Tenant) -> None:
    # given findings of two kinds in every status
    specs = [
        ("price_variance", "100.00", None),
        ("price_variance", "50.25", "in_progress"),
        ("maverick", "30.00", None),
        ("maverick", "999.00", "dismissed"),
        ("price_variance", "500.00", "closed"),
    ]
    for kind, saving, status in specs:
        finding = _finding(tenant, kind=kind, estimated_saving=saving)
        with tenant_scope(tenant):
            if status == "closed":
                services.finding_set_status(tenant=tenant, by=SYSTEM, finding_id=finding.pk, status="in_progress")
            if status:
                services.finding_set_status(tenant=tenant, by=SYSTEM, finding_id=finding.pk, status=status, note="x")
    # when the totals are read
    with tenant_scope(tenant):
        totals = selectors.finding_totals()
        maverick_only = selectors.finding_totals(selectors.finding_list(kind="maverick"))
    # then only open and in-progress findings count, largest kind first
    assert (totals.open_count, totals.open_saving) == (3, Decimal("180.25"))
    assert [(t.kind, t.count, t.saving) for t in totals.by_kind] == [
        ("price_variance", 2, Decimal("150.25")),
        ("maverick", 1, Decimal("30.00")),
    ]
    assert (maverick_only.open_count, maverick_only.open_saving) == (1, Decimal("30.00"))
