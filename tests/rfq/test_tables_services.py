"""The landed-cost tables' services: each write audited, bad input named by field with nothing written,
overlapping periods refused, scopes checked, the longest HTS prefix in force found, and the demo seed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from rfq.models import DutyRate, LandedCostSettings, LaneRate
from rfq.selectors.tables import duty_rate_in_force, landed_cost_settings_find, lane_rate_in_force
from rfq.services import tables as services
from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role, scopes_for_role
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.rfq.conftest import seed

d = datetime.date


def _duty(tenant: Tenant, **values: Any) -> DutyRate:
    base = {"hts_prefix": "8507.60", "mfn_rate_pct": "3.4", "effective_from": d(2026, 1, 1)}
    return services.duty_rate_create(tenant=tenant, by=SYSTEM, **(base | values))


def _change(event: AuditEvent, name: str) -> tuple[Any, Any]:
    assert event.before is not None and event.after is not None
    return event.before[name], event.after[name]


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_duty_rate_create_update_delete_are_audited(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        row = _duty(tenant, additional_duties=[{"program": "Section 301", "rate_pct": "25"}])
        assert (row.hts_prefix, row.mfn_rate_pct, row.total_rate_pct()) == ("850760", Decimal("3.4"), Decimal("28.4"))
        services.duty_rate_update(tenant=tenant, by=SYSTEM, duty_rate_id=row.pk, mfn_rate_pct="3.5")
        services.duty_rate_update(tenant=tenant, by=SYSTEM, duty_rate_id=row.pk, mfn_rate_pct="3.5")  # no change
        services.duty_rate_delete(tenant=tenant, by=SYSTEM, duty_rate_id=row.pk)
        assert len(_events("duty_rate.create")) == 1
        [update] = _events("duty_rate.update")
        assert _change(update, "mfn_rate_pct") == ("3.4", "3.5")
        assert len(_events("duty_rate.delete")) == 1
        assert not DutyRate.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hts_prefix": "85A"}, "hts_prefix"),
        ({"hts_prefix": "8"}, "hts_prefix"),
        ({"mfn_rate_pct": "-1"}, "mfn_rate_pct"),
        ({"mfn_rate_pct": 3.4}, "mfn_rate_pct"),  # a float may have lost digits
        ({"additional_duties": [{"program": "", "rate_pct": "25"}]}, "additional_duties[0].program"),
        ({"additional_duties": [{"program": "301", "rate_pct": "x"}]}, "additional_duties[0].rate_pct"),
        ({"effective_to": d(2025, 12, 31)}, "effective_to"),
        ({"effective_from": "tomorrow"}, "effective_from"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_duty_input_names_the_field_and_writes_nothing(tenant: Tenant, values: dict[str, Any], field: str) -> None:
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as caught:
            _duty(tenant, **values)
        assert field in caught.value.fields
        assert not DutyRate.objects.exists()
        assert not AuditEvent.objects.exists()


def test_overlapping_periods_of_one_prefix_are_refused(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        _duty(tenant, effective_to=d(2026, 2, 23))
        with pytest.raises(DomainError) as caught:
            _duty(tenant, effective_from=d(2026, 2, 23))
        assert "2026-01-01" in caught.value.fields["effective_from"][0]
        _duty(tenant, effective_from=d(2026, 2, 24))  # the next day is free
        _duty(tenant, hts_prefix="8507", effective_from=d(2026, 2, 1))  # another prefix may overlap
        assert DutyRate.objects.count() == 3


def test_longest_prefix_in_force_on_the_day_wins(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        chapter = _duty(tenant, hts_prefix="85", mfn_rate_pct="2")
        early = _duty(tenant, hts_prefix="8507.60.0020", mfn_rate_pct="3.4", effective_to=d(2026, 2, 23))
        late = _duty(tenant, hts_prefix="8507.60.0020", mfn_rate_pct="3.5", effective_from=d(2026, 2, 24))
        assert duty_rate_in_force(hts_code="8507.60.0020", on=d(2026, 2, 23)) == early
        assert duty_rate_in_force(hts_code="8507.60.0020", on=d(2026, 2, 24)) == late
        assert duty_rate_in_force(hts_code="8507.60.0010", on=d(2026, 3, 1)) == chapter
        assert duty_rate_in_force(hts_code="8507.60.0010", on=d(2025, 12, 31)) is None
        assert duty_rate_in_force(hts_code="6109.10.00", on=d(2026, 3, 1)) is None


def test_lane_rates_need_a_price_for_their_mode_and_do_not_overlap(tenant: Tenant) -> None:
    lane = {"origin_port": "cnngb", "destination_port": "USLAX", "currency": "USD", "effective_from": d(2026, 1, 1)}
    with tenant_scope(tenant):
        with pytest.raises(DomainError) as caught:
            services.lane_rate_create(tenant=tenant, by=SYSTEM, mode="air", per_40="3000", **lane)
        assert "per_kg" in caught.value.fields
        with pytest.raises(DomainError) as caught:
            services.lane_rate_create(tenant=tenant, by=SYSTEM, mode="ocean", **(lane | {"origin_port": "XXNGB"}))
        assert "origin_port" in caught.value.fields
        row = services.lane_rate_create(tenant=tenant, by=SYSTEM, mode="ocean", per_40="3000", **lane)
        assert row.origin_port == "CNNGB"
        with pytest.raises(DomainError):
            services.lane_rate_create(tenant=tenant, by=SYSTEM, mode="ocean", per_cbm="90", **lane)
        services.lane_rate_create(tenant=tenant, by=SYSTEM, mode="air", per_kg="5", **lane)
        services.lane_rate_update(tenant=tenant, by=SYSTEM, lane_rate_id=row.pk, effective_to=d(2026, 6, 30))
        assert lane_rate_in_force(origin="CNNGB", destination="USLAX", mode="ocean", on=d(2026, 6, 30)) == row
        assert lane_rate_in_force(origin="CNNGB", destination="USLAX", mode="ocean", on=d(2026, 7, 1)) is None
        assert [_change(e, "effective_to") for e in _events("lane_rate.update")] == [(None, "2026-06-30")]


def test_settings_update_checks_each_value_and_audits_the_change(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        assert landed_cost_settings_find().mpf_limits["2026"] == {"minimum": "33.58", "maximum": "651.50"}
        with pytest.raises(DomainError) as caught:
            services.landed_cost_settings_update(
                tenant=tenant,
                by=SYSTEM,
                mpf_limits={"2027": {"minimum": "700", "maximum": "650"}},
                cny_days_before=90,
            )
        assert set(caught.value.fields) == {"mpf_limits.2027.maximum", "cny_days_before"}
        assert not LandedCostSettings.objects.exists()
        limits = {"2026": {"minimum": "33.58", "maximum": "651.50"}, "2027": {"minimum": "34.50", "maximum": "670"}}
        row = services.landed_cost_settings_update(tenant=tenant, by=SYSTEM, mpf_limits=limits, cny_days_after="15")
        assert row.cny_days_after == 15
        assert row.mpf_limits["2027"] == {"minimum": "34.50", "maximum": "670"}
        [event] = _events("landed_cost_settings.update")
        assert _change(event, "cny_days_after") == (21, 15)
        assert _change(event, "mpf_limits")[1]["2027"] == {"minimum": "34.50", "maximum": "670"}


@pytest.mark.parametrize("role", [Role.BUYER, Role.FINANCE, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
def test_only_configuring_roles_change_the_tables(tenant: Tenant, role: str) -> None:
    actor = Actor(scopes=scopes_for_role(role), system_label=role)
    with tenant_scope(tenant):
        row = _duty(tenant)
        with pytest.raises(ScopeError):
            services.duty_rate_create(
                tenant=tenant, by=actor, hts_prefix="61", mfn_rate_pct="1", effective_from=d(2026, 1, 1)
            )
        with pytest.raises(ScopeError):
            services.duty_rate_delete(tenant=tenant, by=actor, duty_rate_id=row.pk)
        with pytest.raises(ScopeError):
            services.landed_cost_settings_update(tenant=tenant, by=actor, cny_days_after=10)
        assert DutyRate.objects.count() == 1


def test_another_tenants_row_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant_scope(other_tenant):
        foreign = _duty(other_tenant)
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        services.duty_rate_update(tenant=tenant, by=SYSTEM, duty_rate_id=foreign.pk, mfn_rate_pct="9")
    with tenant_scope(other_tenant):
        assert DutyRate.objects.get().mfn_rate_pct == Decimal("3.4")


def test_demo_seed_is_idempotent_and_follows_the_reference(tenant: Tenant) -> None:
    assert seed(tenant) == 9
    assert seed(tenant) == 0
    with tenant_scope(tenant):
        in_march = duty_rate_in_force(hts_code="6109.10.0012", on=d(2026, 3, 16))
        assert in_march is not None
        assert in_march.total_rate_pct() == Decimal("34")  # 16.5 MFN + 7.5 List 4A + 10 Section 122
        august = duty_rate_in_force(hts_code="6109.10.0012", on=d(2026, 8, 1))
        assert august is not None and august.total_rate_pct() == Decimal("24")  # the reference's T-shirt
        assert LaneRate.objects.count() == 4
