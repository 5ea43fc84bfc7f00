"""Landed-cost benchmarks (pure modules, no database): what a comparison of an RFQ of 200 lines × 20 suppliers
(4,000 quote lines) spends computing, against a baseline of the same loop doing only the goods' multiplication.

landed cost  every component of 4,000 quote lines in mixed Incoterms (median of BENCH_RFQ_REPEAT runs)
ready dates  4,000 ready dates of 45 factory working days from start dates spread over a year
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

INCOTERMS = ["EXW", "FCA", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DDP"]


def _median_s(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(repeat: int = 5) -> None:
    from rfq import freight, landed_cost
    from rfq.factory_calendar import ShutdownWindow, ready_date

    costs = landed_cost.Costs(
        cost_of_capital_pct=Decimal(8),
        insurance_rate_pct=Decimal("0.3"),
        insurance_cover_pct=Decimal(110),
        broker_fee=Decimal(150),
        inland_charge=Decimal(800),
        origin_charge=Decimal(200),
        mpf_rate_pct=Decimal("0.3464"),
        hmf_rate_pct=Decimal("0.125"),
        mpf_limits={2026: landed_cost.MpfLimits(Decimal("33.58"), Decimal("651.50"))},
    )
    base = landed_cost.LineInput(
        unit_price=Decimal("72.50"),
        currency="CNY",
        incoterm="FOB",
        quantity=5000,
        cartons=freight.Cartons(10, Decimal(60), Decimal(40), Decimal(40), Decimal(10)),
        mode="ocean",
        lane=freight.LaneRates("USD", per_20=Decimal(1800), per_40=Decimal(3000), per_cbm=Decimal(95)),
        duty=landed_cost.DutyRate("8481", Decimal(4), (landed_cost.AdditionalDuty("Section 301 List 3", Decimal(25)),)),
        entry_date=datetime.date(2026, 3, 16),
        payments=(landed_cost.Payment(Decimal(30), 75), landed_cost.Payment(Decimal(70), 30)),
        tooling_cost=Decimal(20000),
    )
    lines = [dataclasses.replace(base, quantity=1000 + i, incoterm=INCOTERMS[i % len(INCOTERMS)]) for i in range(4000)]
    fx = {"CNY": Decimal("0.1381")}

    def goods_only() -> None:
        for line in lines:
            (line.unit_price * line.quantity * fx["CNY"]).quantize(Decimal("0.01"))

    def compute_all() -> None:
        for line in lines:
            landed_cost.compute(line, costs=costs, base_currency="USD", fx=fx)

    baseline = _median_s(goods_only, repeat)
    computed = _median_s(compute_all, repeat)
    print(
        f"landed cost, 4,000 quote lines: {computed * 1000:.0f} ms ({computed / 4000 * 1e6:.0f} µs a line; "
        f"the goods' multiplication alone {baseline * 1000:.1f} ms, ×{computed / baseline:.0f})"
    )
    window = ShutdownWindow()
    starts = [datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 365) for i in range(4000)]
    dates = _median_s(lambda: [ready_date(start, 45, window) for start in starts], repeat)
    print(f"ready dates, 4,000 of 45 working days: {dates * 1000:.0f} ms ({dates / 4000 * 1e6:.1f} µs each)")
