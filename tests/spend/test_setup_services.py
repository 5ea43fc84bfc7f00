"""Spend set-up services: settings, FX rates (one, in bulk, from CSV), category rules and column mappings.
Every validation names its field, nothing is half-written, and audit events exist exactly for changes."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, SpendSettings
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.services import fx_rates
from sourcing.spend.services import setup as services
from sourcing.spend.setup_checks import RatesRejected
from sourcing.tenancy import tenant_scope

D = datetime.date
MakeMember = Callable[..., Membership]


@pytest.fixture
def actor(tenant: Tenant, make_member: MakeMember) -> Callable[[str], Actor]:
    """``actor(role)``: a member of acme with that role, acting."""

    def make(role: str) -> Actor:
        return Actor.for_membership(make_member(tenant, role))

    return make


def _events(tenant: Tenant, action: str) -> list[Any]:  # before/after are loosely typed JSON
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _rates(tenant: Tenant) -> list[tuple[str, str, str, str]]:
    with tenant_scope(tenant):
        return [
            (r.currency, r.rate_date.isoformat(), selectors.decimal_text(r.rate), r.source)
            for r in FxRate.objects.order_by("currency", "rate_date")
        ]


def _category(tenant: Tenant, code: str = "FAST", name: str = "Fasteners") -> Category:
    with tenant_scope(tenant):
        return Category.objects.create(tenant=tenant, code=code, name=name)


# Spend settings


def test_settings_are_created_with_the_defaults_once_and_not_audited(tenant: Tenant) -> None:
    # given no settings yet
    with tenant_scope(tenant):
        # when they are read twice
        first = services.spend_settings_get(tenant=tenant)
        second = services.spend_settings_get(tenant=tenant)
        # then one row with the defaults exists, and nothing was audited
        assert first.pk == second.pk
        assert SpendSettings.objects.count() == 1
        assert (first.fx_max_age_days, first.amount_tolerance_pct) == (31, Decimal("0.50"))
    assert _events(tenant, "spend_settings.update") == []


def test_settings_update_is_audited_with_before_and_after_and_a_repeat_is_not(tenant: Tenant, actor: Any) -> None:
    # given a buyer (spend:write)
    by = actor(Role.BUYER)
    with tenant_scope(tenant):
        # when they change two settings, then send the same values again
        services.spend_settings_update(tenant=tenant, by=by, fx_max_age_days="7", amount_tolerance_pct="1.25")
        services.spend_settings_update(tenant=tenant, by=by, fx_max_age_days=7, amount_tolerance_pct=Decimal("1.250"))
        row = SpendSettings.objects.get()
    # then the change is saved and audited once, with what it was and what it became
    assert (row.fx_max_age_days, row.amount_tolerance_pct) == (7, Decimal("1.25"))
    [event] = _events(tenant, "spend_settings.update")
    assert event.before["fx_max_age_days"] == 31
    assert event.before["amount_tolerance_pct"] == "0.5"
    assert event.after["fx_max_age_days"] == 7
    assert event.after["amount_tolerance_pct"] == "1.25"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("fx_max_age_days", 0),
        ("fx_max_age_days", 3661),
        ("fx_max_age_days", "seven"),
        ("fx_max_age_days", 1.5),
        ("fx_max_age_days", True),
        ("amount_tolerance_pct", "-0.01"),
        ("amount_tolerance_pct", "100.01"),
        ("amount_tolerance_pct", "0.125"),
        ("amount_tolerance_pct", 0.5),  # a float: refused, it may have lost digits
        ("amount_tolerance_pct", "abc"),
        ("one_off_max_invoices", 0),
        ("one_off_max_invoices", 1001),
        ("one_off_window_days", 0),
        ("one_off_window_days", None),
    ],
)
def test_settings_out_of_range_names_the_field_and_changes_nothing(
    tenant: Tenant, actor: Any, name: str, value: Any
) -> None:
    # given an admin
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        # when a setting is out of range (next to a valid change)
        with pytest.raises(DomainError) as caught:
            services.spend_settings_update(tenant=tenant, by=by, **{"one_off_max_invoices": 3, name: value})
        # then the field is named and nothing changed
        assert name in caught.value.fields
        assert services.spend_settings_get(tenant=tenant).one_off_max_invoices == 1
    assert _events(tenant, "spend_settings.update") == []


def test_settings_unknown_field_is_refused(tenant: Tenant, actor: Any) -> None:
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        services.spend_settings_update(tenant=tenant, by=actor(Role.ADMIN), base_currency="EUR")
    assert set(caught.value.fields) == {"base_currency"}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
def test_settings_update_needs_spend_write(tenant: Tenant, actor: Any, role: str) -> None:
    by = actor(role)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            services.spend_settings_update(tenant=tenant, by=by, fx_max_age_days=5)
        assert services.spend_settings_get(tenant=tenant).fx_max_age_days == 31
    assert _events(tenant, "spend_settings.update") == []


# FX rates, one at a time


def test_rate_upsert_creates_then_updates_and_audits_only_changes(tenant: Tenant, actor: Any) -> None:
    # given finance (fx:write)
    by = actor(Role.FINANCE)
    with tenant_scope(tenant):
        # when a rate is stored, stored again unchanged, then changed
        rate, created = fx_rates.fx_rate_upsert(
            tenant=tenant, by=by, currency="cny", rate_date="2026-03-02", rate="0.1381", source="PBOC"
        )
        again, created_again = fx_rates.fx_rate_upsert(
            tenant=tenant, by=by, currency="CNY", rate_date=D(2026, 3, 2), rate=Decimal("0.13810")
        )
        changed, _ = fx_rates.fx_rate_upsert(
            tenant=tenant, by=by, currency="CNY", rate_date="2026-03-02", rate="0.1379"
        )
    # then one row, created once, changed once, its source kept when none was given
    assert (created, created_again) == (True, False)
    assert rate.pk == again.pk == changed.pk
    assert _rates(tenant) == [("CNY", "2026-03-02", "0.1379", "PBOC")]
    [create] = _events(tenant, "fx_rate.create")
    assert create.after == {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381", "source": "PBOC"}
    [update] = _events(tenant, "fx_rate.update")
    assert (update.before["rate"], update.after["rate"]) == ("0.1381", "0.1379")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"currency": ""}, "currency"),
        ({"currency": "XXY"}, "currency"),
        ({"currency": "RMB"}, "currency"),
        ({"currency": "usd"}, "currency"),  # the base currency
        ({"currency": 840}, "currency"),
        ({"rate_date": "2026/03/02"}, "rate_date"),
        ({"rate_date": "02.03.2026"}, "rate_date"),
        ({"rate_date": "2026-02-30"}, "rate_date"),
        ({"rate_date": ""}, "rate_date"),
        ({"rate_date": None}, "rate_date"),
        ({"rate_date": datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)}, "rate_date"),
        ({"rate": "0"}, "rate"),
        ({"rate": "-7.1"}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"rate": "7,1"}, "rate"),
        ({"rate": "1e3"}, "rate"),
        ({"rate": "NaN"}, "rate"),
        ({"rate": "Infinity"}, "rate"),
        ({"rate": Decimal("NaN")}, "rate"),
        ({"rate": 7.1}, "rate"),  # a float: refused
        ({"rate": ""}, "rate"),
        ({"rate": "0.00000000001"}, "rate"),  # 11 decimal places
        ({"rate": "12345678901"}, "rate"),  # 11 integer digits
        ({"source": "x" * 101}, "source"),
        ({"source": 5}, "source"),
    ],
)
def test_rate_validation_names_the_field_and_writes_nothing(
    tenant: Tenant, actor: Any, values: dict[str, Any], field: str
) -> None:
    # given a valid rate but for one bad value
    arguments = {"currency": "EUR", "rate_date": "2026-03-02", "rate": "1.0842", "source": "ECB", **values}
    by = actor(Role.FINANCE)
    # when it is stored
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        fx_rates.fx_rate_upsert(tenant=tenant, by=by, **arguments)
    # then the error names that field (and only that one), and nothing was written
    assert set(caught.value.fields) == {field}
    assert caught.value.message == caught.value.fields[field][0]
    assert _rates(tenant) == []
    assert _events(tenant, "fx_rate.create") == []


def test_rate_accepts_the_extremes_of_its_column(tenant: Tenant, actor: Any) -> None:
    # given the largest and the smallest rate the column holds (10 digits each side of the point)
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        # when they are stored / then they are kept exactly
        fx_rates.fx_rate_upsert(
            tenant=tenant, by=by, currency="JPY", rate_date="2026-03-02", rate="9999999999.0000000001"
        )
        fx_rates.fx_rate_upsert(tenant=tenant, by=by, currency="VND", rate_date="2026-03-02", rate="0.0000000001")
    assert _rates(tenant) == [
        ("JPY", "2026-03-02", "9999999999.0000000001", ""),
        ("VND", "2026-03-02", "0.0000000001", ""),
    ]


@pytest.mark.parametrize("role", [Role.BUYER, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
def test_rate_writes_need_fx_write(tenant: Tenant, actor: Any, role: str) -> None:
    by = actor(role)
    with tenant_scope(tenant):
        rate = FxRate.objects.create(tenant=tenant, currency="EUR", rate_date=D(2026, 3, 2), rate=Decimal("1.08"))
        with pytest.raises(ScopeError):
            fx_rates.fx_rate_upsert(tenant=tenant, by=by, currency="EUR", rate_date="2026-03-03", rate="1.09")
        with pytest.raises(ScopeError):
            fx_rates.fx_rate_delete(tenant=tenant, by=by, fx_rate_id=rate.pk)
        with pytest.raises(ScopeError):
            fx_rates.fx_rates_bulk_upsert(
                tenant=tenant, by=by, rates=[{"currency": "EUR", "rate_date": "2026-03-03", "rate": "1"}]
            )
        with pytest.raises(ScopeError):
            fx_rates.fx_rates_import_csv(
                tenant=tenant, by=by, file=io.BytesIO(b"currency,rate_date,rate\nEUR,2026-03-04,1\n")
            )
    assert _rates(tenant) == [("EUR", "2026-03-02", "1.08", "")]
    with tenant_scope(tenant):
        assert not AuditEvent.objects.filter(action__startswith="fx_rate.").exists()


def test_rate_delete_is_audited_and_another_tenants_rate_is_not_found(
    tenant: Tenant, other_tenant: Tenant, actor: Any
) -> None:
    # given a rate in each tenant
    by = actor(Role.FINANCE)
    with tenant_scope(other_tenant):
        theirs = FxRate.objects.create(
            tenant=other_tenant, currency="EUR", rate_date=D(2026, 3, 2), rate=Decimal("1.1")
        )
    with tenant_scope(tenant):
        ours = FxRate.objects.create(tenant=tenant, currency="EUR", rate_date=D(2026, 3, 2), rate=Decimal("1.08"))
        # when acme deletes globex's rate, a malformed id and its own
        with pytest.raises(NotFoundError):
            fx_rates.fx_rate_delete(tenant=tenant, by=by, fx_rate_id=theirs.pk)
        with pytest.raises(NotFoundError):
            fx_rates.fx_rate_delete(tenant=tenant, by=by, fx_rate_id="not-an-id")
        fx_rates.fx_rate_delete(tenant=tenant, by=by, fx_rate_id=ours.pk)
    # then only its own is gone, with an event that still names it
    assert _rates(tenant) == []
    assert _rates(other_tenant) == [("EUR", "2026-03-02", "1.1", "")]
    [event] = _events(tenant, "fx_rate.delete")
    assert event.object_id == str(ours.pk)
    assert event.before["rate"] == "1.08"


# The rate in force


def test_rate_in_force_is_the_latest_on_or_before_the_day_within_the_age_limit(tenant: Tenant, actor: Any) -> None:
    with tenant_scope(tenant):
        for day, rate in [(D(2026, 1, 1), "7.30"), (D(2026, 2, 1), "7.20"), (D(2026, 3, 1), "7.10")]:
            FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=day, rate=Decimal(rate))
        in_force = selectors.fx_rate_in_force
        assert in_force(currency="CNY", on=D(2026, 2, 15)).rate == Decimal("7.20")
        assert in_force(currency="cny", on=D(2026, 2, 1)).rate == Decimal("7.20")  # on the day itself
        assert in_force(currency="CNY", on=D(2025, 12, 31)) is None  # nothing before
        assert in_force(currency="CNY", on=D(2026, 3, 1) + datetime.timedelta(days=31)).rate == Decimal("7.10")
        assert in_force(currency="CNY", on=D(2026, 3, 1) + datetime.timedelta(days=32)) is None  # too old
        assert in_force(currency="EUR", on=D(2026, 2, 15)) is None
        base = in_force(currency="USD", on=D(2026, 2, 15))
        assert base.rate == Decimal(1)
        assert base._state.adding  # made up for the answer, not a stored row
        # when the age limit is shortened, an older rate is no longer in force
        services.spend_settings_update(tenant=tenant, by=actor(Role.ADMIN), fx_max_age_days=10)
        assert in_force(currency="CNY", on=D(2026, 2, 11)).rate == Decimal("7.20")
        assert in_force(currency="CNY", on=D(2026, 2, 12)) is None


# FX rates from a CSV file


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def _import(tenant: Tenant, by: Actor, data: io.BytesIO) -> fx_rates.RatesResult:
    with tenant_scope(tenant):
        return fx_rates.fx_rates_import_csv(tenant=tenant, by=by, file=data, file_name="rates.csv")


GOOD = "currency,rate_date,rate,source\nCNY,2026-03-02,0.1381,PBOC\nEUR,2026-03-02,1.0842,ECB\n"


def test_csv_import_upserts_and_audits_one_summary(tenant: Tenant, actor: Any) -> None:
    # given one stored rate that the file changes and one it repeats
    by = actor(Role.FINANCE)
    with tenant_scope(tenant):
        FxRate.objects.create(
            tenant=tenant, currency="CNY", rate_date=D(2026, 3, 2), rate=Decimal("0.1380"), source="old"
        )
        FxRate.objects.create(
            tenant=tenant, currency="EUR", rate_date=D(2026, 3, 2), rate=Decimal("1.0842"), source="ECB"
        )
    # when the file is imported
    result = _import(tenant, by, _csv(GOOD + "\nJPY,2026-03-02,0.0067,\n\n"))  # blank lines are skipped
    # then rates are created and updated by currency and date, and one event sums the import up
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert _rates(tenant) == [
        ("CNY", "2026-03-02", "0.1381", "PBOC"),
        ("EUR", "2026-03-02", "1.0842", "ECB"),
        ("JPY", "2026-03-02", "0.0067", ""),
    ]
    [event] = _events(tenant, "fx_rate.import")
    assert {k: event.after[k] for k in ("source", "file", "created", "updated", "unchanged", "currencies")} == {
        "source": "csv",
        "file": "rates.csv",
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "currencies": ["CNY", "EUR", "JPY"],
    }
    assert event.before == {"rates": [{"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.138", "source": "old"}]}
    # and importing the same file again changes nothing and records nothing
    again = _import(tenant, by, _csv(GOOD + "JPY,2026-03-02,0.0067,\n"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(_events(tenant, "fx_rate.import")) == 1


def test_csv_without_a_source_column_keeps_the_stored_sources(tenant: Tenant, actor: Any) -> None:
    with tenant_scope(tenant):
        FxRate.objects.create(
            tenant=tenant, currency="CNY", rate_date=D(2026, 3, 2), rate=Decimal("0.1380"), source="PBOC"
        )
    _import(tenant, actor(Role.FINANCE), _csv("Rate_Date, Currency ,RATE\n2026-03-02,cny,0.139\n"))
    assert _rates(tenant) == [("CNY", "2026-03-02", "0.139", "PBOC")]


def test_csv_in_gb18030_is_read(tenant: Tenant, actor: Any) -> None:
    # given a file saved by Excel on Chinese Windows: GB18030, Chinese text in the source column
    data = _csv("currency,rate_date,rate,source\nCNY,2026-03-02,0.1381,中国人民银行中间价\n", "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.getvalue().decode("utf-8")
    # when it is imported / then the text arrives intact
    _import(tenant, actor(Role.FINANCE), data)
    assert _rates(tenant) == [("CNY", "2026-03-02", "0.1381", "中国人民银行中间价")]


def test_csv_in_utf8_with_a_byte_order_mark_is_read(tenant: Tenant, actor: Any) -> None:
    # given a file that starts with the UTF-8 byte-order mark (Excel's "CSV UTF-8")
    data = io.BytesIO(b"\xef\xbb\xbf" + GOOD.encode())
    # when it is imported / then the first header is "currency", not "\ufeffcurrency"
    _import(tenant, actor(Role.FINANCE), data)
    assert [r[0] for r in _rates(tenant)] == ["CNY", "EUR"]


BAD_FILES = [
    pytest.param("currency,rate_date,rate\nCNY,02/03/2026,0.1381\n", [(2, "rate_date")], id="bad-date"),
    pytest.param("currency,rate_date,rate\nCNY,2026-03-02,0.13.81\n", [(2, "rate")], id="bad-decimal"),
    pytest.param('currency,rate_date,rate\nCNY,2026-03-02,"0,1381"\n', [(2, "rate")], id="decimal-comma"),
    pytest.param("currency,rate_date,rate\nCNY,2026-03-02,-0.1381\n", [(2, "rate")], id="negative-rate"),
    pytest.param("currency,rate_date,rate\nCNY,2026-03-02,0\n", [(2, "rate")], id="zero-rate"),
    pytest.param("currency,rate_date,rate\nRMB,2026-03-02,0.1381\n", [(2, "currency")], id="unknown-currency"),
    pytest.param("currency,rate_date,rate\nUSD,2026-03-02,1\n", [(2, "currency")], id="base-currency"),
    pytest.param(
        "currency,rate_date,rate\nCNY,2026-03-02,0.1381\nEUR,2026-03-02,1.08\ncny,2026-03-02,0.1382\n",
        [(4, "rate_date")],
        id="duplicate-row",
    ),
    pytest.param("currency,rate\nCNY,0.1381\n", [(1, "rate_date")], id="missing-column"),
    pytest.param("currency,rate_date,rate,note\nCNY,2026-03-02,0.1381,x\n", [(1, "note")], id="unknown-column"),
    pytest.param("currency,rate_date,rate,rate\nCNY,2026-03-02,1,1\n", [(1, "rate")], id="column-twice"),
    pytest.param("currency;rate_date;rate\nCNY;2026-03-02;0.1381\n", [(1, "")], id="semicolons"),
    pytest.param("currency,rate_date,rate\nCNY,2026-03-02,0.1381,extra\n", [(2, "")], id="extra-cell"),
    pytest.param("currency,rate_date,rate\nCNY,2026-03-02\n", [(2, "rate")], id="short-row"),
    pytest.param("currency,rate_date,rate\n", [(None, "")], id="no-rates"),
    pytest.param(
        # every problem in the file is listed, good rows around them notwithstanding
        "currency,rate_date,rate,source\n"
        "CNY,2026-03-02,0.1381,ok\n"
        "EUR,2026-13-01,-1,ok\n"
        "JPY,2026-03-02,0.0067,ok\n"
        "XXY,2026-03-03,abc," + "s" * 101 + "\n",
        [(3, "rate_date"), (3, "rate"), (5, "currency"), (5, "rate"), (5, "source")],
        id="many-errors",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_a_bad_csv_is_rejected_as_a_whole_with_every_error_located(
    tenant: Tenant, actor: Any, text: str, expected: list[tuple[int | None, str]]
) -> None:
    # given a stored rate the file would otherwise change
    with tenant_scope(tenant):
        FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=D(2026, 3, 2), rate=Decimal("0.1"))
    # when the file is imported
    with pytest.raises(RatesRejected) as caught:
        _import(tenant, actor(Role.FINANCE), _csv(text))
    # then every problem is reported by row and column, and nothing at all was written
    assert [(e.row, e.column) for e in caught.value.errors] == expected
    assert all(e.message for e in caught.value.errors)
    assert len(caught.value.fields["file"]) == len(expected)
    assert _rates(tenant) == [("CNY", "2026-03-02", "0.1", "")]
    assert _events(tenant, "fx_rate.import") == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", id="pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(b"currency,rate_date,rate\n\x00\x01", id="binary"),
        pytest.param(b"\xff\xfec\x00u\x00r\x00", id="utf-16"),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused(tenant: Tenant, actor: Any, data: bytes) -> None:
    with pytest.raises(DomainError) as caught:
        _import(tenant, actor(Role.FINANCE), io.BytesIO(data))
    assert set(caught.value.fields) == {"file"}
    assert _rates(tenant) == []


# FX rates in bulk (the API)


def test_bulk_upsert_all_or_nothing_with_errors_by_index_and_field(tenant: Tenant, actor: Any) -> None:
    by = actor(Role.FINANCE)
    rates: list[Any] = [
        {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381"},
        {"currency": "EUR", "rate_date": "2026-03-02", "rate": -1},
        "not an object",
        {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1382", "note": "x"},
        {"currency": "JPY", "rate_date": "2026-03-02", "rate": 0.0067},
    ]
    with tenant_scope(tenant), pytest.raises(RatesRejected) as caught:
        fx_rates.fx_rates_bulk_upsert(tenant=tenant, by=by, rates=rates)
    assert set(caught.value.fields) == {
        "rates[1].rate",
        "rates[2]",
        "rates[3].note",
        "rates[3].rate_date",
        "rates[4].rate",
    }
    assert "rates[0]" in caught.value.fields["rates[3].rate_date"][0]
    assert _rates(tenant) == []
    # and a clean list is written, with one summary event
    with tenant_scope(tenant):
        result = fx_rates.fx_rates_bulk_upsert(tenant=tenant, by=by, rates=[rates[0], {**rates[1], "rate": "1.08"}])
    assert (result.created, result.updated) == (2, 0)
    [event] = _events(tenant, "fx_rate.import")
    assert (event.after["source"], event.after["created"]) == ("api", 2)


@pytest.mark.parametrize("rates", [[], None, {"currency": "EUR"}, "EUR"])
def test_bulk_needs_a_list(tenant: Tenant, actor: Any, rates: Any) -> None:
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        fx_rates.fx_rates_bulk_upsert(tenant=tenant, by=actor(Role.FINANCE), rates=rates)
    assert set(caught.value.fields) == {"rates"}


def test_bulk_is_limited(tenant: Tenant, actor: Any) -> None:
    rates = [{"currency": "EUR", "rate_date": "2026-03-02", "rate": "1"}] * (fx_rates.MAX_BULK_RATES + 1)
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        fx_rates.fx_rates_bulk_upsert(tenant=tenant, by=actor(Role.FINANCE), rates=rates)
    assert set(caught.value.fields) == {"rates"}


# Category rules


def test_rule_create_update_delete_are_audited(tenant: Tenant, actor: Any) -> None:
    by = actor(Role.BUYER)
    fasteners = _category(tenant)
    tools = _category(tenant, "TOOL", "Hand tools")
    with tenant_scope(tenant):
        # when a rule is created, saved unchanged, changed, then deleted
        rule = services.category_rule_create(
            tenant=tenant, by=by, field="description", pattern="  hex bolt ", category_id=str(fasteners.pk)
        )
        services.category_rule_update(tenant=tenant, by=by, rule_id=rule.pk, pattern="hex bolt", priority=100)
        services.category_rule_update(tenant=tenant, by=by, rule_id=rule.pk, priority="5", category_id=tools.pk)
        rule.refresh_from_db()
        assert (rule.priority, rule.pattern, rule.category_id) == (5, "hex bolt", tools.pk)
        services.category_rule_delete(tenant=tenant, by=by, rule_id=rule.pk)
        assert not CategoryRule.objects.exists()
    # then each change has one event with the values before and after
    [created] = _events(tenant, "category_rule.create")
    assert created.after == {
        "priority": 100,
        "field": "description",
        "pattern": "hex bolt",
        "category": str(fasteners.pk),
        "category_code": "FAST",
    }
    [updated] = _events(tenant, "category_rule.update")
    assert (updated.before["priority"], updated.after["priority"]) == (100, 5)
    assert (updated.before["category_code"], updated.after["category_code"]) == ("FAST", "TOOL")
    [deleted] = _events(tenant, "category_rule.delete")
    assert deleted.object_id == str(rule.pk)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"pattern": ""}, "pattern"),
        ({"pattern": "   "}, "pattern"),
        ({"pattern": None}, "pattern"),
        ({"pattern": "x" * 201}, "pattern"),
        ({"priority": -1}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"priority": True}, "priority"),
        ({"priority": 2**31}, "priority"),
        ({"field": "po_number"}, "field"),
        ({"category_id": "not-an-id"}, "category"),
        ({"category_id": "00000000-0000-7000-8000-000000000000"}, "category"),
        ({"category_id": None}, "category"),
    ],
)
def test_rule_validation_names_the_field_and_writes_nothing(
    tenant: Tenant, actor: Any, values: dict[str, Any], field: str
) -> None:
    category = _category(tenant)
    arguments = {"field": "supplier_name", "pattern": "Ningbo", "category_id": category.pk, "priority": 10, **values}
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as caught:
            services.category_rule_create(tenant=tenant, by=actor(Role.ADMIN), **arguments)
        assert not CategoryRule.objects.exists()
    assert set(caught.value.fields) == {field}


def test_another_tenants_category_is_a_missing_category(tenant: Tenant, other_tenant: Tenant, actor: Any) -> None:
    # given a category of globex and a rule of acme
    theirs = _category(other_tenant, "SECRET", "Globex category")
    ours = _category(tenant)
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        rule = services.category_rule_create(
            tenant=tenant, by=by, field="description", pattern="x", category_id=ours.pk
        )
        # when acme points a rule at globex's category, or at an id that does not exist
        answers = []
        for category_id in (theirs.pk, "00000000-0000-7000-8000-000000000000"):
            for call in (
                lambda cid: services.category_rule_create(
                    tenant=tenant, by=by, field="description", pattern="y", category_id=cid
                ),
                lambda cid: services.category_rule_update(tenant=tenant, by=by, rule_id=rule.pk, category_id=cid),
            ):
                with pytest.raises(DomainError) as caught:
                    call(category_id)
                answers.append((type(caught.value), caught.value.status, caught.value.message, caught.value.fields))
        rule.refresh_from_db()
        # then both answer the same refusal, and nothing changed
        assert answers[:2] == answers[2:]
        assert rule.category_id == ours.pk
        assert CategoryRule.objects.count() == 1


def test_another_tenants_rule_is_not_found(tenant: Tenant, other_tenant: Tenant, actor: Any) -> None:
    theirs_category = _category(other_tenant)
    with tenant_scope(other_tenant):
        theirs = CategoryRule.objects.create(
            tenant=other_tenant, field="description", pattern="x", category=theirs_category
        )
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        with pytest.raises(NotFoundError):
            services.category_rule_update(tenant=tenant, by=by, rule_id=theirs.pk, pattern="y")
        with pytest.raises(NotFoundError):
            services.category_rule_delete(tenant=tenant, by=by, rule_id=theirs.pk)
    with tenant_scope(other_tenant):
        assert CategoryRule.objects.get().pattern == "x"


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
def test_rule_writes_need_spend_write(tenant: Tenant, actor: Any, role: str) -> None:
    category = _category(tenant)
    with tenant_scope(tenant), pytest.raises(ScopeError):
        services.category_rule_create(
            tenant=tenant, by=actor(role), field="description", pattern="x", category_id=category.pk
        )


# Column mappings

COLUMNS = {
    "invoice_date": "Belegdatum",
    "invoice_number": "Rechnung",
    "supplier_name": "Lieferant",
    "quantity": "Menge",
    "unit_price": "Preis",
    "currency": "Währung",
    "amount": "Betrag",
}


def test_mapping_create_update_delete_are_audited(tenant: Tenant, actor: Any) -> None:
    by = actor(Role.BUYER)
    with tenant_scope(tenant):
        mapping = services.column_mapping_create(
            tenant=tenant,
            by=by,
            name=" SAP export ",
            columns={**COLUMNS, "po_number": " Bestellung "},
            date_format="%d.%m.%Y",
            decimal_comma=True,
        )
        assert mapping.columns["po_number"] == "Bestellung"
        assert mapping.name == "SAP export"
        services.column_mapping_update(
            tenant=tenant, by=by, mapping_id=mapping.pk, name="SAP export", decimal_comma=True
        )
        services.column_mapping_update(tenant=tenant, by=by, mapping_id=mapping.pk, columns=COLUMNS, date_format="")
        mapping.refresh_from_db()
        assert (mapping.columns, mapping.date_format) == (COLUMNS, "")
        services.column_mapping_delete(tenant=tenant, by=by, mapping_id=mapping.pk)
        assert not ColumnMapping.objects.exists()
    [created] = _events(tenant, "column_mapping.create")
    assert created.after["date_format"] == "%d.%m.%Y"
    [updated] = _events(tenant, "column_mapping.update")
    assert "po_number" in updated.before["columns"]
    assert "po_number" not in updated.after["columns"]
    assert len(_events(tenant, "column_mapping.delete")) == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"columns": []}, "columns"),
        ({"columns": {k: v for k, v in COLUMNS.items() if k != "amount"}}, "columns.amount"),
        ({"columns": {**COLUMNS, "amount": ""}}, "columns.amount"),
        ({"columns": {**COLUMNS, "amount": "  "}}, "columns.amount"),
        ({"columns": {**COLUMNS, "amount": 5}}, "columns.amount"),
        ({"columns": {**COLUMNS, "po_number": ""}}, "columns.po_number"),
        ({"columns": {**COLUMNS, "tax": "MwSt"}}, "columns.tax"),
        ({"columns": {**COLUMNS, "po_number": "MENGE"}}, "columns.po_number"),  # the header of quantity
        ({"date_format": "%d/%m"}, "date_format"),  # loses the year
        ({"date_format": "%m/%Y"}, "date_format"),  # loses the day
        ({"date_format": "%d/%m/%Q"}, "date_format"),  # not a directive
        ({"date_format": "dd/mm/yyyy"}, "date_format"),
        ({"date_format": "%-d/%-m/%Y"}, "date_format"),  # writes, but strptime cannot read it
        ({"date_format": "%d/%m/%Y" + " " * 20 + "x"}, "date_format"),
        ({"date_format": 5}, "date_format"),
        ({"decimal_comma": "yes"}, "decimal_comma"),
    ],
)
def test_mapping_validation_names_the_field_and_writes_nothing(
    tenant: Tenant, actor: Any, values: dict[str, Any], field: str
) -> None:
    arguments = {"name": "SAP", "columns": COLUMNS, "date_format": "%d.%m.%Y", "decimal_comma": False, **values}
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as caught:
            services.column_mapping_create(tenant=tenant, by=actor(Role.ADMIN), **arguments)
        assert not ColumnMapping.objects.exists()
    assert set(caught.value.fields) == {field}


@pytest.mark.parametrize(
    "date_format", ["", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%y", "%d.%m.%Y %H:%M", "%Y年%m月%d日", "%d %b %Y"]
)
def test_mapping_accepts_date_formats_that_read_back(tenant: Tenant, actor: Any, date_format: str) -> None:
    with tenant_scope(tenant):
        mapping = services.column_mapping_create(
            tenant=tenant, by=actor(Role.ADMIN), name="m", columns=COLUMNS, date_format=date_format
        )
    assert mapping.date_format == date_format


def test_mapping_names_are_unique_ignoring_case(tenant: Tenant, actor: Any) -> None:
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        services.column_mapping_create(tenant=tenant, by=by, name="SAP", columns=COLUMNS)
        other = services.column_mapping_create(tenant=tenant, by=by, name="Oracle", columns=COLUMNS)
        with pytest.raises(DomainError) as caught:
            services.column_mapping_create(tenant=tenant, by=by, name="sap", columns=COLUMNS)
        assert set(caught.value.fields) == {"name"}
        with pytest.raises(DomainError):
            services.column_mapping_update(tenant=tenant, by=by, mapping_id=other.pk, name="Sap")
        # renaming a mapping to its own name in another case is fine
        services.column_mapping_update(tenant=tenant, by=by, mapping_id=other.pk, name="ORACLE")


def test_another_tenants_mapping_is_not_found(tenant: Tenant, other_tenant: Tenant, actor: Any) -> None:
    with tenant_scope(other_tenant):
        theirs = ColumnMapping.objects.create(tenant=other_tenant, name="Theirs", columns=COLUMNS)
    by = actor(Role.ADMIN)
    with tenant_scope(tenant):
        with pytest.raises(NotFoundError):
            services.column_mapping_update(tenant=tenant, by=by, mapping_id=theirs.pk, name="Mine")
        with pytest.raises(NotFoundError):
            services.column_mapping_delete(tenant=tenant, by=by, mapping_id=theirs.pk)
    with tenant_scope(other_tenant):
        assert ColumnMapping.objects.get().name == "Theirs"


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
def test_mapping_writes_need_spend_write(tenant: Tenant, actor: Any, role: str) -> None:
    with tenant_scope(tenant), pytest.raises(ScopeError):
        services.column_mapping_create(tenant=tenant, by=actor(role), name="m", columns=COLUMNS)
