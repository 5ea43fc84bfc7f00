"""Frozen baselines: the numbers of a period checked against hand-computed figures (distinct suppliers through
supplier links and vendor merges, the uncategorised row, the period's edges), a baseline that does not move
when more spend arrives, the comparison with a period of the same length, validation, scopes and audit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Baseline, Vendor
from sourcing.spend.selectors import findings as selectors
from sourcing.spend.services import findings as services
from sourcing.spend.services.imports import spend_lines_bulk
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row

D = datetime.date
MakeMember = Callable[..., Membership]
Q1 = (D(2026, 1, 1), D(2026, 3, 31))  # 90 days


def _line(day: str, number: str, erp_id: str, name: str, code: str, quantity: str, price: str, **extra: str) -> dict:
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    return row(
        invoice_date=day,
        invoice_number=number,
        supplier_erp_id=erp_id,
        supplier_name=name,
        category_code=code,
        quantity=quantity,
        unit_price=price,
        amount=str(amount),
        **extra,
    )


EVERBRIGHT = "Ningbo Everbright Housewares Co., Ltd."
PEAKLINE = "Xiamen Peakline Trading Co., Ltd."
BOXWORKS = "Shenzhen Boxworks Packaging"

# In the first quarter:
#   111 pots:     1250.00 + 200.00 (V-100) + 100.00 (V-201, same supplier by name) + 99.99 (Peakline)
#                 = 1649.99, 4 lines, 2 suppliers
#   110 cookware: 99.99 (Boxworks V-400) + 100.00 (V-401, merged into V-400) = 199.99, 2 lines, 1 supplier
#   510 freight:  1000 CNY × 0.1380 = 138.00, 1 line, 1 supplier
#   no category:  10.00 on the last day, 1 line, 1 supplier
#   total 1997.98 in 8 lines
Q1_LINES = [
    _line("2026-01-10", "INV-1", "V-100", EVERBRIGHT, "111", "100", "12.50"),
    _line("2026-02-15", "INV-2", "V-100", EVERBRIGHT, "111", "10", "20"),
    _line("2026-03-05", "INV-3", "V-201", EVERBRIGHT, "111", "4", "25"),
    _line("2026-03-10", "INV-4", "V-300", PEAKLINE, "111", "1", "99.99"),
    _line("2026-01-20", "INV-5", "V-400", BOXWORKS, "110", "3", "33.33"),
    _line("2026-02-20", "INV-6", "V-401", "Boxworks (old account)", "110", "2", "50"),
    _line("2026-03-20", "INV-7", "V-300", PEAKLINE, "510", "1", "1000", currency="CNY"),
    _line("2026-03-31", "INV-8", "V-400", BOXWORKS, "", "1", "10"),
]
# Around it: the day before, and the following quarter (1 April to 29 June is as long as Q1).
OTHER_LINES = [
    _line("2025-12-31", "INV-9", "V-100", EVERBRIGHT, "111", "1", "500"),
    _line("2026-04-01", "INV-10", "V-100", EVERBRIGHT, "111", "1", "300"),
    _line("2026-05-01", "INV-11", "V-300", PEAKLINE, "510", "1", "2000", currency="CNY"),
    _line("2026-06-01", "INV-12", "V-400", BOXWORKS, "100", "1", "50"),
    _line("2026-06-30", "INV-13", "V-100", EVERBRIGHT, "111", "1", "1000"),
]


def _import(tenant: Tenant, lines: list[dict]) -> None:
    with tenant_scope(tenant):
        spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)


@pytest.fixture
def spend(tenant: Tenant, spend_world: dict[str, Any]) -> dict[str, Any]:
    """acme's spend around the first quarter of 2026, with one vendor merged into another."""
    _import(tenant, Q1_LINES + OTHER_LINES)
    with tenant_scope(tenant):
        boxworks = Vendor.objects.get(erp_id="V-400")
        Vendor.objects.filter(erp_id="V-401").update(merged_into=boxworks)
        linked = dict(Vendor.objects.values_list("erp_id", "supplier_id"))
    # the import linked V-100 by ERP id and V-201 by name to the same supplier, and Peakline by name
    assert linked["V-100"] == linked["V-201"] == spend_world["everbright"].pk
    assert linked["V-300"] == spend_world["peakline"].pk
    assert linked["V-400"] is None
    return spend_world


@pytest.fixture
def actor(tenant: Tenant, make_member: MakeMember) -> Callable[[str], Actor]:
    def make(role: str) -> Actor:
        return Actor.for_membership(make_member(tenant, role))

    return make


def _freeze(tenant: Tenant, by: Actor = SYSTEM, name: str = "Q1 2026", period: tuple[Any, Any] = Q1) -> Baseline:
    with tenant_scope(tenant):
        return services.baseline_freeze(tenant=tenant, by=by, name=name, period_start=period[0], period_end=period[1])


def _rows(baseline: Baseline) -> list[tuple[str, str, int, int]]:
    return [(r["code"], r["amount"], r["lines"], r["suppliers"]) for r in baseline.by_category]


Q1_ROWS = [
    ("111", "1649.99", 4, 2),
    ("110", "199.99", 2, 1),
    ("510", "138.00", 1, 1),
    ("", "10.00", 1, 1),
]


# Freezing


def test_freeze_snapshots_the_period_by_category(tenant: Tenant, spend: dict[str, Any], actor: Any) -> None:
    # given acme's spend and a buyer
    by = actor(Role.BUYER)
    # when the first quarter is frozen
    baseline = _freeze(tenant, by, period=("2026-01-01", "2026-03-31"))
    # then the totals and each category's amount, lines and distinct suppliers are the hand-computed ones
    assert (baseline.total, baseline.line_count, baseline.currency) == (Decimal("1997.98"), 8, "USD")
    assert (baseline.period_start, baseline.period_end) == Q1
    assert _rows(baseline) == Q1_ROWS
    pots, cookware, freight, uncategorised = baseline.by_category
    assert pots == {
        "category_id": str(spend["pots"].pk),
        "code": "111",
        "name": "Stainless steel pots",
        "amount": "1649.99",
        "lines": 4,
        "suppliers": 2,
    }
    assert (cookware["category_id"], freight["name"]) == (str(spend["cookware"].pk), "Freight")
    assert (uncategorised["category_id"], uncategorised["code"], uncategorised["name"]) == (None, "", "")
    # the rows add up to the total
    assert sum(Decimal(r["amount"]) for r in baseline.by_category) == baseline.total
    # and it is stored as shown, by whom, and audited
    with tenant_scope(tenant):
        stored = selectors.baseline_get(baseline_id=baseline.pk)
        [event] = AuditEvent.objects.filter(action="baseline.freeze")
    assert _rows(stored) == Q1_ROWS
    assert stored.frozen_by_id == by.user.pk
    assert event.after == {
        "name": "Q1 2026",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "currency": "USD",
        "total": "1997.98",
        "line_count": 8,
        "categories": 3,
    }


def test_a_baseline_of_one_day_takes_only_that_day(tenant: Tenant, spend: dict[str, Any]) -> None:
    baseline = _freeze(tenant, name="Last day", period=(D(2026, 3, 31), D(2026, 3, 31)))
    assert (baseline.total, baseline.line_count) == (Decimal("10.00"), 1)
    assert _rows(baseline) == [("", "10.00", 1, 1)]


def test_the_uncategorised_row_is_there_even_when_empty(tenant: Tenant, spend: dict[str, Any]) -> None:
    baseline = _freeze(tenant, name="April", period=(D(2026, 4, 1), D(2026, 4, 30)))
    assert _rows(baseline) == [("111", "300.00", 1, 1), ("", "0.00", 0, 0)]


def test_a_merge_undone_later_does_not_change_a_frozen_baseline(tenant: Tenant, spend: dict[str, Any]) -> None:
    # given the quarter frozen while V-401 is merged into V-400
    baseline = _freeze(tenant)
    # when the merge is undone and more spend for the quarter arrives
    with tenant_scope(tenant):
        Vendor.objects.filter(erp_id="V-401").update(merged_into=None)
    _import(tenant, [_line("2026-02-25", "INV-LATE", "V-500", "Late Vendor Ltd", "111", "1", "1000")])
    # then the frozen baseline reads as it was
    with tenant_scope(tenant):
        stored = selectors.baseline_get(baseline_id=baseline.pk)
    assert (stored.total, stored.line_count) == (Decimal("1997.98"), 8)
    assert _rows(stored) == Q1_ROWS
    # while a baseline frozen now sees the new line and the two vendors apart
    again = _freeze(tenant, name="Q1 2026, again")
    assert (again.total, again.line_count) == (Decimal("2997.98"), 9)
    assert _rows(again)[:2] == [("111", "2649.99", 5, 3), ("110", "199.99", 2, 2)]


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"name": "  "}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"period_start": "2026-13-01"}, {"period_start"}),
        ({"period_end": "31/03/2026"}, {"period_end"}),
        ({"period_start": datetime.datetime(2026, 1, 1, 0, 0)}, {"period_start"}),
        ({"period_start": None, "period_end": None}, {"period_start", "period_end"}),
        ({"period_start": "2026-04-01", "period_end": "2026-03-31"}, {"period_end"}),
        ({"period_start": "2024-01-01", "period_end": "2024-12-31"}, {"period_start", "period_end"}),  # no spend
    ],
)
def test_freeze_names_the_bad_field_and_writes_nothing(
    tenant: Tenant, spend: dict[str, Any], values: dict[str, Any], fields: set[str]
) -> None:
    arguments = {"name": "Q1", "period_start": "2026-01-01", "period_end": "2026-03-31", **values}
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as caught:
            services.baseline_freeze(tenant=tenant, by=SYSTEM, **arguments)
        assert set(caught.value.fields) == fields
        assert not Baseline.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="baseline.").exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY])
def test_only_spend_writers_freeze_and_delete(tenant: Tenant, spend: dict[str, Any], actor: Any, role: str) -> None:
    # given a frozen baseline and a member who cannot write spend
    baseline = _freeze(tenant)
    by = actor(role)
    with tenant_scope(tenant):
        # when they freeze or delete
        with pytest.raises(ScopeError):
            services.baseline_freeze(tenant=tenant, by=by, name="Mine", period_start=Q1[0], period_end=Q1[1])
        with pytest.raises(ScopeError):
            services.baseline_delete(tenant=tenant, by=by, baseline_id=baseline.pk)
        # then nothing changed, and only the first freeze is in the log
        assert list(Baseline.objects.values_list("pk", flat=True)) == [baseline.pk]
        assert AuditEvent.objects.filter(action__startswith="baseline.").count() == 1


def test_delete_is_audited_with_what_was_deleted(tenant: Tenant, spend: dict[str, Any], actor: Any) -> None:
    baseline = _freeze(tenant)
    with tenant_scope(tenant):
        services.baseline_delete(tenant=tenant, by=actor(Role.CATEGORY_MANAGER), baseline_id=baseline.pk)
        assert not Baseline.objects.exists()
        event = AuditEvent.objects.get(action="baseline.delete")
    assert event.object_id == str(baseline.pk)
    assert (event.before["name"], event.before["total"], event.after) == ("Q1 2026", "1997.98", None)


def test_another_tenants_baseline_is_a_missing_baseline(
    tenant: Tenant, other_tenant: Tenant, spend: dict[str, Any]
) -> None:
    _import(other_tenant, [_line("2026-02-01", "G-1", "G-1", "Globex Vendor", "", "1", "5")])
    theirs = _freeze(other_tenant, name="Globex Q1")
    with tenant_scope(tenant):
        for baseline_id in (theirs.pk, "00000000-0000-7000-8000-000000000000", "x"):
            with pytest.raises(NotFoundError):
                selectors.baseline_get(baseline_id=baseline_id)
            with pytest.raises(NotFoundError):
                services.baseline_delete(tenant=tenant, by=SYSTEM, baseline_id=baseline_id)
    with tenant_scope(other_tenant):
        assert Baseline.objects.filter(pk=theirs.pk).exists()


# Comparing


def _compared(comparison: selectors.Comparison) -> list[tuple[str, str, str, str, str | None, bool]]:
    return [
        (
            r.code,
            str(r.baseline),
            str(r.current),
            str(r.difference),
            str(r.pct) if r.pct is not None else None,
            r.in_baseline,
        )
        for r in comparison.rows
    ]


def test_compare_with_the_period_of_the_same_length_right_after(tenant: Tenant, spend: dict[str, Any]) -> None:
    # given the first quarter frozen
    baseline = _freeze(tenant)
    # when it is compared without choosing a period
    with tenant_scope(tenant):
        comparison = selectors.baseline_compare(baseline=baseline)
    # then the period is 1 April to 29 June (90 days; 30 June is outside), and each category's change is
    #   111: 300.00 vs 1649.99 → -1349.99, -81.8 %; 110: nothing → -100 %; 510: 2000 CNY × 0.14 = 280.00 vs
    #   138.00 → +142.00, +102.9 %; 100 (new): 50.00; uncategorised: -10.00, -100 %
    assert (comparison.period_start, comparison.period_end, comparison.currency) == (
        D(2026, 4, 1),
        D(2026, 6, 29),
        "USD",
    )
    assert _compared(comparison) == [
        ("111", "1649.99", "300.00", "-1349.99", "-81.8", True),
        ("110", "199.99", "0", "-199.99", "-100.0", True),
        ("510", "138.00", "280.00", "142.00", "102.9", True),
        ("100", "0", "50.00", "50.00", None, False),
        ("", "10.00", "0", "-10.00", "-100.0", True),
    ]
    total = comparison.total
    assert (str(total.baseline), str(total.current), str(total.difference), str(total.pct)) == (
        "1997.98",
        "630.00",
        "-1367.98",
        "-68.5",
    )
    assert comparison.rows[3].name == "Kitchenware"


def test_compare_with_a_period_the_user_chooses(tenant: Tenant, spend: dict[str, Any]) -> None:
    baseline = _freeze(tenant)
    with tenant_scope(tenant):
        # when compared from 31 December (so to 30 March: the last day's uncategorised line is outside)
        comparison = selectors.baseline_compare(baseline=baseline, period_start=D(2025, 12, 31))
        # and a period of another length is refused, naming its end
        with pytest.raises(DomainError) as caught:
            selectors.baseline_compare(baseline=baseline, period_start=D(2026, 4, 1), period_end=D(2026, 6, 30))
    assert (comparison.period_start, comparison.period_end) == (D(2025, 12, 31), D(2026, 3, 30))
    assert _compared(comparison)[0] == ("111", "1649.99", "2149.99", "500.00", "30.3", True)
    assert _compared(comparison)[-1] == ("", "10.00", "0", "-10.00", "-100.0", True)
    assert str(comparison.total.current) == "2487.98"
    assert set(caught.value.fields) == {"period_end"}


def test_compare_reads_at_most_two_queries(
    tenant: Tenant, spend: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    baseline = _freeze(tenant)
    with tenant_scope(tenant), django_assert_max_num_queries(2):
        selectors.baseline_compare(baseline=baseline)


def test_freeze_reads_the_same_few_queries_whatever_the_volume(
    tenant: Tenant, spend: dict[str, Any], django_assert_num_queries: Any
) -> None:
    # Savepoint and its release around the service, the grouped lines, vendors, categories, the insert and
    # the audit event: the same for 13 lines as for 13 million.
    with tenant_scope(tenant), django_assert_num_queries(7):
        services.baseline_freeze(tenant=tenant, by=SYSTEM, name="Q1", period_start=Q1[0], period_end=Q1[1])
    _import(
        tenant,
        [_line(f"2026-02-{d:02d}", f"MORE-{d}", f"V-9{d}", f"Vendor {d} Ltd", "510", "1", "1") for d in range(1, 28)],
    )
    with tenant_scope(tenant), django_assert_num_queries(7):
        services.baseline_freeze(tenant=tenant, by=SYSTEM, name="Q1 again", period_start=Q1[0], period_end=Q1[1])
