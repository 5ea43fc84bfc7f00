"""Landed cost against hand-computed cases: the domain reference's worked example (§1.6), every Incoterm,
the MPF minimum and maximum, entry shares, air freight, FX, tooling and financing."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal as D

import pytest

from rfq import freight, landed_cost
from rfq.landed_cost import AdditionalDuty, Costs, DutyRate, Itemised, LineInput, MpfLimits, Payment

COSTS = Costs(
    cost_of_capital_pct=D("8"),
    insurance_rate_pct=D("0.3"),
    insurance_cover_pct=D("110"),
    broker_fee=D("150"),
    inland_charge=D("800"),
    origin_charge=D("200"),
    mpf_rate_pct=D("0.3464"),
    hmf_rate_pct=D("0.125"),
    mpf_limits={2025: MpfLimits(D("32.71"), D("634.62")), 2026: MpfLimits(D("33.58"), D("651.50"))},
)
# 100 cartons of 50 units, 0.096 m³ and 10 kg each: 9.6 m³, 1,000 kg.
CARTONS = freight.Cartons(50, D("60"), D("40"), D("40"), D("10"))
LANE_40 = freight.LaneRates("USD", per_40=D("3000"))
DUTY = DutyRate(
    "848180",
    D("4"),
    (AdditionalDuty("Section 301 List 3", D("25")), AdditionalDuty("Section 122", D("10"))),
)
# The domain reference's example: FOB Ningbo $10.00 × 5,000, ocean, entered between 24 Feb and 24 Jul 2026;
# 30 % paid 75 days before receipt, 70 % (at the B/L copy) 30 days before.
EXAMPLE = LineInput(
    unit_price=D("10.00"),
    currency="USD",
    incoterm="FOB",
    quantity=5000,
    cartons=CARTONS,
    mode="ocean",
    lane=LANE_40,
    duty=DUTY,
    entry_date=datetime.date(2026, 3, 16),
    payments=(Payment(D("30"), 75), Payment(D("70"), 30)),
)


def run(line: LineInput = EXAMPLE, *, costs: Costs = COSTS, fx: dict[str, D] | None = None) -> landed_cost.Result:
    return landed_cost.compute(line, costs=costs, base_currency="USD", fx=fx or {})


def amounts(result: landed_cost.Result) -> dict[str, tuple[D, str]]:
    return {
        f"{c.code}:{c.program}" if c.code == "duty_additional" else c.code: (c.amount, c.paid_by)
        for c in result.components
    }


def test_worked_example_of_the_domain_reference() -> None:
    result = run()
    assert amounts(result) == {
        "goods": (D("50000.00"), "buyer"),
        "freight": (D("3000.00"), "buyer"),
        "insurance": (D("174.90"), "buyer"),
        "duty_mfn": (D("2000.00"), "buyer"),
        "duty_additional:Section 301 List 3": (D("12500.00"), "buyer"),
        "duty_additional:Section 122": (D("5000.00"), "buyer"),
        "mpf": (D("173.20"), "buyer"),
        "hmf": (D("62.50"), "buyer"),
        "broker": (D("150.00"), "buyer"),
        "inland": (D("800.00"), "buyer"),
        "financing": (D("476.72"), "buyer"),
    }
    # 74,337.32 in the reference, whose broker line is 150 and inland 800
    assert result.total == D("74337.32")
    assert {c.code: c.basis for c in result.components if c.code != "duty_additional"} == {
        "goods": "USD 10.00 × 5000",
        "freight": "1 × 40 @ USD 3000",
        "insurance": "0.3 % × 110 % × CFR",
        "duty_mfn": "4 % × 50000.00",
        "mpf": "0.3464 %, FY2026 USD 33.58–651.50 × 1",
        "hmf": "0.125 % × 50000.00",
        "broker": "150 × 1",
        "inland": "800.00 × 1",
        "financing": "8 % × (30 % × 75/365, 70 % × 30/365)",
    }
    assert result.per_unit == D("14.8675")
    assert result.customs_value == D("50000.00")
    assert result.fob_equivalent == D("50000.00")
    assert (result.load.cartons, result.load.cbm, result.load.gross_kg) == (100, D("9.600"), D("1000.00"))


# Incoterm → (total, FOB-equivalent, customs value, what the seller's price covers), all by hand from the example:
# duties 19,500 = 4 % + 25 % + 10 % of 50,000; MPF 173.20; HMF 62.50; broker 150; inland 800; financing 476.72.
# Insurance is 0.3 % × 110 % of the CFR value: 174.90 on goods + freight, 165.00 when the price holds the freight.
INCOTERM_CASES = [
    ("EXW", D("74537.32"), D("50000.00"), set()),  # + 200 origin charges
    ("FCA", D("74337.32"), D("50000.00"), set()),
    ("FOB", D("74337.32"), D("50000.00"), set()),
    # 50,000 + 165 + 19,500 + 173.20 + 62.50 + 150 + 800 + 476.72
    ("CFR", D("71327.42"), D("47000.00"), {"freight"}),
    ("CPT", D("71327.42"), D("47000.00"), {"freight"}),
    # 50,000 + 19,500 + 173.20 + 62.50 + 150 + 800 + 476.72; FOB-equivalent 50,000 − 3,000 − 165
    ("CIF", D("71162.42"), D("46835.00"), {"freight", "insurance"}),
    ("CIP", D("71162.42"), D("46835.00"), {"freight", "insurance"}),
    ("DAP", D("70362.42"), D("46035.00"), {"freight", "insurance", "inland"}),
    # 50,000 + 476.72; FOB-equivalent 50,000 − 3,000 − 165 − 800 − 19,500 − 173.20 − 62.50 − 150
    (
        "DDP",
        D("50476.72"),
        D("26149.30"),
        {"freight", "insurance", "inland", "duty_mfn", "duty_additional", "mpf", "hmf", "broker"},
    ),
]


@pytest.mark.parametrize(("incoterm", "total", "fob_equivalent", "seller_pays"), INCOTERM_CASES)
def test_each_incoterm_splits_the_costs(incoterm: str, total: D, fob_equivalent: D, seller_pays: set[str]) -> None:
    result = run(dataclasses.replace(EXAMPLE, incoterm=incoterm))
    assert result.total == total
    assert result.fob_equivalent == fob_equivalent
    assert {c.code for c in result.components if c.paid_by == "seller"} == seller_pays
    assert result.customs_value == D("50000.00")  # nothing itemised: the whole price is dutiable
    assert any(c.code == "origin" for c in result.components) == (incoterm == "EXW")


def test_itemised_freight_leaves_the_customs_value() -> None:
    """CFR with 3,000 of freight itemised: duty, MPF and HMF on 47,000 (19 CFR 152.103)."""
    line = dataclasses.replace(EXAMPLE, incoterm="CFR", itemised=Itemised(freight=D("3000")))
    result = run(line)
    got = amounts(result)
    assert result.customs_value == D("47000.00")
    assert got["duty_mfn"] == (D("1880.00"), "buyer")
    assert got["duty_additional:Section 301 List 3"] == (D("11750.00"), "buyer")
    assert got["mpf"] == (D("162.81"), "buyer")  # 0.3464 % × 47,000 = 162.808
    assert got["hmf"] == (D("58.75"), "buyer")
    # 50,000 + 165 + 18,330 + 162.81 + 58.75 + 150 + 800 + 476.72
    assert result.total == D("70143.28")


# (unit price, quantity, entry date, entry customs value, MPF)
MPF_CASES = [
    (D("1.00"), 1000, datetime.date(2026, 3, 16), None, D("33.58")),  # 3.46 → the FY2026 minimum
    (D("1.00"), 1000, datetime.date(2025, 9, 30), None, D("32.71")),  # FY2025's minimum
    (D("1.00"), 1000, datetime.date(2025, 10, 1), None, D("33.58")),  # FY2026 starts 1 October
    (D("100.00"), 5000, datetime.date(2026, 3, 16), None, D("651.50")),  # 1,732 → the maximum
    (D("100.00"), 5000, datetime.date(2025, 9, 1), None, D("634.62")),
    (D("10.00"), 5000, datetime.date(2026, 3, 16), D("100000"), D("173.20")),  # half of 346.40
    (D("10.00"), 5000, datetime.date(2026, 3, 16), D("200000"), D("162.88")),  # a quarter of the 651.50 cap
    (D("1.80"), 5000, datetime.date(2026, 3, 16), D("9000"), D("33.58")),  # 31.18 for the whole entry
    (D("9694.00"), 1, datetime.date(2026, 3, 16), None, D("33.58")),  # [derived] the minimum binds below 9,694
    (D("9700.00"), 1, datetime.date(2026, 3, 16), None, D("33.60")),
    (D("188077.00"), 1, datetime.date(2026, 3, 16), None, D("651.50")),
    (D("188000.00"), 1, datetime.date(2026, 3, 16), None, D("651.23")),
]


@pytest.mark.parametrize(("price", "quantity", "day", "entry", "mpf"), MPF_CASES)
def test_mpf_minimum_maximum_and_entry_share(
    price: D, quantity: int, day: datetime.date, entry: D | None, mpf: D
) -> None:
    line = dataclasses.replace(EXAMPLE, unit_price=price, quantity=quantity, entry_date=day, entry_customs_value=entry)
    assert amounts(run(line))["mpf"] == (mpf, "buyer")


def test_entry_share_splits_broker_and_inland() -> None:
    line = dataclasses.replace(EXAMPLE, entry_customs_value=D("200000"))
    got = amounts(run(line))
    assert got["broker"] == (D("37.50"), "buyer")
    assert got["inland"] == (D("200.00"), "buyer")


def test_a_fiscal_year_without_limits_uses_the_latest_earlier_one_and_says_so() -> None:
    small = dataclasses.replace(EXAMPLE, unit_price=D("1.00"), quantity=1000, entry_date=datetime.date(2026, 10, 1))
    [mpf] = [c for c in run(small).components if c.code == "mpf"]
    assert (mpf.amount, mpf.basis) == (D("33.58"), "0.3464 %, FY2027 ← FY2026 USD 33.58–651.50 × 1")
    with pytest.raises(landed_cost.LandedCostError) as caught:
        run(dataclasses.replace(EXAMPLE, entry_date=datetime.date(2024, 9, 30)))  # FY2024: before every year given
    assert caught.value.field == "entry_date"


def test_air_has_no_hmf_and_charges_the_volumetric_weight() -> None:
    line = dataclasses.replace(EXAMPLE, mode="air", lane=freight.LaneRates("USD", per_kg=D("5")))
    result = run(line)
    got = amounts(result)
    assert (result.freight.basis, result.freight.units) == ("kg", D("1600.00"))  # 9.6 m³ × 166.67 > 1,000 kg
    assert got["freight"] == (D("8000.00"), "buyer")
    assert got["hmf"] == (D("0.00"), "buyer")
    assert got["insurance"] == (D("191.40"), "buyer")  # 0.3 % × 110 % × 58,000


def test_foreign_currency_converts_at_the_dated_rate() -> None:
    line = dataclasses.replace(EXAMPLE, unit_price=D("72.00"), currency="CNY", tooling_cost=D("7000"))
    result = run(line, fx={"CNY": D("0.14")})
    got = amounts(result)
    assert got["goods"] == (D("50400.00"), "buyer")
    assert got["tooling"] == (D("980.00"), "buyer")
    assert result.customs_value == D("51380.00")
    with pytest.raises(landed_cost.LandedCostError) as caught:
        run(line)
    assert caught.value.field == "currency"


def test_tooling_is_amortised_over_the_awarded_quantity() -> None:
    line = dataclasses.replace(EXAMPLE, tooling_cost=D("5000"), tooling_quantity=20000)
    result = run(line)
    assert amounts(result)["tooling"] == (D("1250.00"), "buyer")
    assert result.customs_value == D("51250.00")  # tooling paid to the seller is part of the price paid


# (payments, financing): the reference's 476.72, a payment after receipt, cash in advance
FINANCING_CASES = [
    ((Payment(D("30"), 75), Payment(D("70"), 30)), D("476.72")),
    ((Payment(D("30"), 75), Payment(D("70"), -30)), D("16.44")),  # 246.58 − 230.14
    ((Payment(D("100"), 60),), D("657.53")),  # 50,000 × 8 % × 60 / 365
    ((), D("0")),
]


@pytest.mark.parametrize(("payments", "financing"), FINANCING_CASES)
def test_financing_cost_of_each_payment(payments: tuple[Payment, ...], financing: D) -> None:
    assert amounts(run(dataclasses.replace(EXAMPLE, payments=payments)))["financing"] == (financing, "buyer")


BAD_INPUTS = [
    ({"quantity": 0}, "quantity"),
    ({"unit_price": D("-1")}, "unit_price"),
    ({"incoterm": "FAS"}, "incoterm"),
    ({"mode": "rail"}, "mode"),
    ({"tooling_quantity": 0}, "tooling_quantity"),
    ({"payments": (Payment(D("60"), 1), Payment(D("50"), 1))}, "payments"),
    ({"mode": "air"}, "lane"),  # the lane has no per-kg rate
    ({"entry_customs_value": D("40000")}, "entry_customs_value"),  # less than the line's own 50,000
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS)
def test_bad_input_names_its_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(landed_cost.LandedCostError) as caught:
        run(dataclasses.replace(EXAMPLE, **change))  # type: ignore[arg-type]
    assert caught.value.field == field


# (quantity, lane, basis, units, amount): the cheapest way the lane prices the load
FREIGHT_CASES = [
    (5000, freight.LaneRates("USD", per_cbm=D("90"), per_40=D("3000")), "cbm", D("9.600"), D("864")),
    (50000, freight.LaneRates("USD", per_cbm=D("90"), per_40=D("3000")), "40", D("2"), D("6000")),  # 96 m³
    (50000, freight.LaneRates("USD", per_20=D("1800"), per_40hc=D("3300")), "40hc", D("2"), D("6600")),
]


@pytest.mark.parametrize(("quantity", "lane", "basis", "units", "amount"), FREIGHT_CASES)
def test_freight_takes_the_cheapest_priced_option(
    quantity: int, lane: freight.LaneRates, basis: str, units: D, amount: D
) -> None:
    load = freight.load_of(quantity, CARTONS)
    shipped = freight.freight_for(load, mode="ocean", rates=lane)
    assert (shipped.basis, shipped.units, shipped.amount) == (basis, units, amount)


def test_containers_by_weight_when_weight_binds() -> None:
    heavy = freight.Load(cartons=3000, cbm=D("20"), gross_kg=D("60000"))
    assert freight.containers_needed(heavy, freight.CONTAINERS[0]) == 3  # 60 t over 28 t payloads
    assert freight.load_of(101, CARTONS).cartons == 3  # a part carton ships as a carton


def test_financing_costs_nothing_and_says_so_when_nothing_is_paid_before_receipt() -> None:
    result = run(dataclasses.replace(EXAMPLE, payments=()))
    financing = next(c for c in result.components if c.code == "financing")
    assert (financing.amount, financing.basis) == (D("0.00"), "—")
