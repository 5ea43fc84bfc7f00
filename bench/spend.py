"""Spend benchmarks: the import of a generated canonical file, against a plain COPY of the same file.

The file is generated once (deterministically) into var/bench/ and reused. The import is measured two ways:

- in-process: the import's own steps (record the file, then validate, normalise, match and write every line as
  the runtime role under RLS) in a forked child, timed from the first step to the last, against a COPY of the
  file sent from this process;
- whole, as a person runs it: ``python manage.py import_spend --org <slug> <file>`` as a process of its own
  (interpreter and Django start-up included, connecting as the runtime role), from process start to exit, with
  that process's peak resident memory, against ``psql -c "\\copy bench_copy FROM '<file>' …"`` of the same file
  into a plain typed table, also from process start to exit.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sourcing.spend.columns import CANONICAL_COLUMNS

CITIES = ["Ningbo", "Yiwu", "Shenzhen", "Dongguan", "Xiamen", "Qingdao", "Suzhou", "Foshan", "Taizhou", "Jinhua"]
GOODS = ["Housewares", "Kitchenware", "Textile", "Plastic Products", "Hardware", "Electric Appliance", "Packaging"]
CN_CITIES = ["宁波", "义乌", "深圳", "东莞", "厦门", "青岛", "苏州", "佛山", "台州", "金华"]
CN_GOODS = ["家居用品", "厨具", "纺织品", "塑料制品", "五金", "电器", "包装材料"]
CURRENCIES = [("CNY", 0.6), ("USD", 0.3), ("EUR", 0.1)]
START = date(2024, 1, 1)
DAYS = 730


def category_codes() -> list[str]:
    return [f"{top}{mid}{leaf}" for top in range(1, 6) for mid in range(1, 4) for leaf in range(1, 5)]


def generate(path: Path, rows: int, *, seed: int = 42) -> None:
    """A canonical file of ``rows`` lines: 2,000 vendors (a third with Chinese names), 60 categories,
    20,000 SKUs, three currencies, two years, five lines per invoice."""
    rng = random.Random(seed)
    vendors = []
    for i in range(2000):
        if i % 3 == 0:
            name = f"{rng.choice(CN_CITIES)}{rng.choice(CN_GOODS)}{i}有限公司"
        else:
            name = f"{rng.choice(CITIES)} {rng.choice(GOODS)} {i} Co., Ltd."
        vendors.append((name, f"V{i:05d}" if i % 10 else ""))
    codes = category_codes()
    skus = [
        (f"SKU-{i:06d}", rng.choice(["pcs", "set", "ctn", "kg"]), Decimal(rng.randint(50, 5000)) / 100)
        for i in range(20000)
    ]
    currencies = [c for c, _w in CURRENCIES]
    weights = [w for _c, w in CURRENCIES]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CANONICAL_COLUMNS)
        invoice: list[Any] = []
        for i in range(rows):
            if i % 5 == 0:
                vendor = rng.choice(vendors)
                invoice = [
                    (START + timedelta(days=rng.randrange(DAYS))).isoformat(),
                    f"INV-{i // 5:08d}",
                    rng.choices(currencies, weights)[0],
                    f"PO-{i // 50:07d}" if rng.random() > 0.1 else "",
                    f"CC-{rng.randint(1, 30):02d}",
                    rng.choice(codes),
                ]
            day, number, currency, po, cost_center, code = invoice
            sku, uom, price = rng.choice(skus)
            price = price * Decimal(rng.randint(90, 110)) / 100
            quantity = rng.randint(1, 2000)
            amount = (price * quantity).quantize(Decimal("0.01"))
            writer.writerow(
                [
                    day,
                    number,
                    vendor[0],
                    vendor[1],
                    code,
                    sku,
                    f"Item {sku} {uom}",
                    quantity,
                    uom,
                    f"{price:.4f}",
                    currency,
                    amount,
                    po,
                    cost_center,
                ]
            )
    tmp.replace(path)


def seed_tenant(tenant: Any) -> None:
    """The categories and FX rates the generated file needs, in ``tenant``."""
    from sourcing.categories.models import Category
    from sourcing.spend.models import FxRate
    from sourcing.tenancy import tenant_scope

    with tenant_scope(tenant):
        if Category.objects.exists():
            return
        for code in category_codes():
            Category.objects.create(
                tenant=tenant, code=code, name=f"Category {code}", is_production_material=code < "4"
            )
        month = date(2023, 12, 1)
        rates = []
        while month < date(2026, 2, 1):
            rates += [
                FxRate(tenant=tenant, currency="CNY", rate_date=month, rate=Decimal("0.1390")),
                FxRate(tenant=tenant, currency="EUR", rate_date=month, rate=Decimal("1.0850")),
            ]
            month = (month + timedelta(days=32)).replace(day=1)
        FxRate.objects.bulk_create(rates)


COPY_TABLE = (
    "CREATE TABLE bench_copy (invoice_date date, invoice_number text, supplier_name text, "
    "supplier_erp_id text, category_code text, item_sku text, description text, quantity numeric, "
    "uom text, unit_price numeric, currency text, amount numeric, po_number text, cost_center text)"
)


def copy_baseline(admin_url: str, path: Path) -> float:
    """Seconds for a plain COPY of the file into a table of its columns (the reference the import is held to)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(COPY_TABLE)
        start = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_copy")
    return elapsed


def _import_child(tenant_id: str, path: str, queue: Any) -> None:
    from django.db import connection

    from sourcing.actors import Actor
    from sourcing.models import Tenant
    from sourcing.spend.services import imports as services
    from sourcing.tenancy import tenant_scope

    connection.close()  # a fresh connection of the child's own
    tenant = Tenant.objects.get(pk=tenant_id)
    by = Actor.system("bench")
    start = time.perf_counter()
    with tenant_scope(tenant), open(path, "rb") as upload:
        created = services.spend_import_create(
            tenant=tenant, by=by, upload=upload, file_name=Path(path).name, source="command"
        )
    with tenant_scope(tenant):
        result = services.spend_import_run(tenant=tenant, by=by, import_id=created.pk)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, peak_kib, result.status, result.lines_created, result.error_count, result.errors[:3]))


def run_import(tenant: Any, path: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB of the importing process, lines created)."""
    from django.db import connection

    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_import_child, args=(str(tenant.pk), str(path), queue))
    child.start()
    elapsed, peak_kib, status, created, error_count, errors = queue.get()
    child.join()
    if status != "succeeded":
        raise RuntimeError(f"the benchmark import was rejected: {error_count} errors, e.g. {errors}")
    return elapsed, peak_kib / 1024, created


# --- whole processes, as a person runs them ----------------------------------------------------------------


@dataclass
class Process:
    seconds: float  # from process start to exit
    peak_mib: float  # peak resident memory of the process
    cpu_seconds: float  # the process's own CPU time, user and system (not the database server's)
    returncode: int
    stdout: str
    stderr: str


def _timed_process(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Process:
    """Run ``args`` as a process of its own: wall time from start to exit and its own peak memory (wait4's
    resource usage of that one child, not of every child this process has had)."""
    with open(os.devnull, "rb") as stdin, _scratch() as out, _scratch() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdin=stdin, stdout=out, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Process(
            seconds,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
            child.returncode,
            out.read().decode(),
            err.read().decode(),
        )


def _scratch() -> Any:
    import tempfile

    return tempfile.TemporaryFile()


def psql_copy(admin_url: str, path: Path) -> Process:
    """``psql -c "\\copy …"`` of the file into a fresh plain typed table, as a person would load it by hand."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(COPY_TABLE)
    command = f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)"
    run = _timed_process(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", command])
    with psycopg.connect(admin_url, autocommit=True) as conn:
        copied = conn.execute("SELECT count(*) FROM bench_copy").fetchone()
        conn.execute("DROP TABLE bench_copy")
    if run.returncode != 0 or copied is None or copied[0] == 0:
        raise RuntimeError(f"psql \\copy failed ({run.returncode}): {run.stderr.strip()[:500]}")
    return run


def import_command(root: Path, env: dict[str, str], slug: str, path: Path) -> Process:
    """``python manage.py import_spend --org <slug> <file>``, as a person runs it against the database that
    ``env``'s DATABASE_URL names."""
    run = _timed_process([sys.executable, "manage.py", "import_spend", "--org", slug, str(path)], env=env, cwd=root)
    if run.returncode != 0:
        raise RuntimeError(f"import_spend exited with {run.returncode}: {run.stderr.strip()[-2000:]}")
    return run


# --- analysis queries over the imported lines ---------------------------------------------------------------

HAND_CUBE = """
WITH RECURSIVE up(id, ancestor) AS (
    SELECT id, id FROM categories_category WHERE tenant_id = %(tenant)s
    UNION ALL
    SELECT up.id, c.parent_id FROM up JOIN categories_category c ON c.id = up.ancestor WHERE c.parent_id IS NOT NULL
), cells AS (
    SELECT category_id, date_trunc('quarter', invoice_date)::date AS quarter, sum(amount_base) AS amount
    FROM spend_spendline WHERE tenant_id = %(tenant)s GROUP BY 1, 2
)
SELECT up.ancestor, cells.quarter, sum(cells.amount) FROM cells JOIN up ON up.id = cells.category_id GROUP BY 1, 2
UNION ALL
SELECT NULL, quarter, amount FROM cells WHERE category_id IS NULL
"""

HAND_PRICE_VARIANCE = """
SELECT item_sku, uom, count(*), count(DISTINCT vendor_id), sum(quantity), sum(amount_base),
       min(unit_price * fx_rate), max(unit_price * fx_rate), max(description),
       sum(amount_base) - min(unit_price * fx_rate) * sum(quantity) AS saving
FROM spend_spendline
WHERE tenant_id = %(tenant)s AND item_sku <> '' AND quantity > 0
GROUP BY item_sku, uom
HAVING max(unit_price * fx_rate) > min(unit_price * fx_rate)
ORDER BY saving DESC, item_sku
LIMIT 200
"""


def _median_s(fn: Any, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def analysis_queries(admin_url: str, tenant: Any, *, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """(hand-written SQL as a superuser, the application's analysis as the runtime role) seconds, median of
    ``repeat``, for the cube (category rolled up the tree × quarter) and price variance; each pair is checked to
    return the same numbers before it is timed."""
    import psycopg

    from sourcing.spend.selectors import analysis, variance
    from sourcing.spend.selectors.analysis import SpendFilter
    from sourcing.tenancy import tenant_scope

    results: dict[str, tuple[float, float]] = {}
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("ANALYZE spend_spendline")

        def hand_cube() -> dict[tuple[str, str], Decimal]:
            rows = conn.execute(HAND_CUBE, {"tenant": tenant.pk}).fetchall()
            return {(str(c) if c else "uncategorised", q.isoformat()): a for c, q, a in rows}

        def app_cube() -> dict[tuple[str, str], Decimal]:
            with tenant_scope(tenant):
                cube = analysis.spend_cube(SpendFilter(), rows="category", columns="period", period="quarter", limit=0)
            return {k: v for k, v in cube.cells.items() if v}

        assert hand_cube() == app_cube(), "the hand-written cube and the application's differ"
        results["spend cube (category x quarter)"] = (_median_s(hand_cube, repeat), _median_s(app_cube, repeat))

        def hand_prices() -> list[tuple[str, Decimal]]:
            return [
                (r[0], r[9].quantize(Decimal("0.01"))) for r in conn.execute(HAND_PRICE_VARIANCE, {"tenant": tenant.pk})
            ]

        def app_prices() -> list[tuple[str, Decimal]]:
            with tenant_scope(tenant):
                return [(r.item_sku, r.saving) for r in variance.price_variance(SpendFilter(), limit=200)]

        assert hand_prices() == app_prices(), "the hand-written price variance and the application's differ"
        results["price variance (top 200 SKUs)"] = (_median_s(hand_prices, repeat), _median_s(app_prices, repeat))
    return results
