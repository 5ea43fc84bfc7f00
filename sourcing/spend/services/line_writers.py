"""Writing checked chunks of spend lines to the database, for the import pipeline (``importer.py``): on
PostgreSQL each chunk is copied (binary) into a temporary table and inserted from there on a second thread,
with the decimals rounded and converted and the chunk's distinct vendors and categories checked against the
tenant's; the embedded SQLite default uses the ORM's bulk inserts. Also the per-tenant import lock."""

from __future__ import annotations

import abc
import struct
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone

from sourcing.models import Tenant
from sourcing.spend import frame as frames
from sourcing.spend.models import SpendLine, Vendor
from sourcing.spend.normalise import VendorRef

# What a chunk carries to the database, in this order: ids as 32 hex digits (line) or text (vendor, category),
# the day as a date, and the decimals as written in the file, cleaned.
CHUNK_COLUMNS = [
    "id",
    "vendor_id",
    "category_id",
    "invoice_date",
    "invoice_number",
    "item_sku",
    "description",
    "quantity",
    "uom",
    "unit_price",
    "currency",
    "amount",
    "fx_rate",
    "po_number",
    "cost_center",
    "classification",
]
# The staging table takes the decimals as text: binary COPY would want them in PostgreSQL's own numeric
# format, and they are converted in the insert anyway.
_STAGED_TEXT = CHUNK_COLUMNS[4:]
_STAGING_COLUMNS = "id uuid, vendor_id uuid, category_id uuid, invoice_date date, " + ", ".join(
    f"{name} text" for name in _STAGED_TEXT
)
_STAGED = (
    "SELECT id, vendor_id, category_id, invoice_date, invoice_number, item_sku, description, "
    "quantity::numeric AS quantity, uom, unit_price::numeric AS unit_price, currency, amount::numeric AS amount, "
    "fx_rate::numeric AS fx_rate, po_number, cost_center, classification FROM spend_load"
)
_LINE_COLUMNS = (
    "id, vendor_id, category_id, invoice_date, invoice_number, item_sku, description, quantity, uom, "
    "unit_price, currency, amount, fx_rate, amount_base, po_number, cost_center, classification"
)
# Rounded as the columns hold them, half away from zero; an amount left empty is quantity × unit price. (Rates
# come from the rates table, which holds them at the column's scale already.)
_ROUNDED = (
    "id, vendor_id, category_id, invoice_date, invoice_number, item_sku, description, round(quantity, 4), uom, "
    "round(unit_price, 6), currency, round(coalesce(amount, quantity * unit_price), 2), fx_rate, "
    "round(round(coalesce(amount, quantity * unit_price), 2) * fx_rate, 2), po_number, cost_center, classification"
)
# The same when every value of a chunk already fits its column (the usual case): only the converted amount
# is worked out.
_AS_GIVEN = (
    "id, vendor_id, category_id, invoice_date, invoice_number, item_sku, description, quantity, uom, unit_price, "
    "currency, amount, fx_rate, round(amount * fx_rate, 2), po_number, cost_center, classification"
)


def _insert_sql(*, checked: bool, as_given: bool) -> str:
    """Lines whose id is already there are skipped when ``checked``: re-importing a file or a line adds nothing.
    (A probe of the primary key per line; an anti-join would be planned on statistics that a growing table has
    outrun.)"""
    values = _AS_GIVEN if as_given else _ROUNDED
    target = f"spend_spendline (tenant_id, spend_import_id, {_LINE_COLUMNS})"
    sql = f"INSERT INTO {target} SELECT %s, %s, {values} FROM ({_STAGED}) AS staged"  # noqa: S608 - constant columns
    return sql + " ON CONFLICT (id) DO NOTHING" if checked else sql


def _fits_columns(chunk: pl.DataFrame) -> bool:
    """Every quantity, unit price and amount of the chunk is given, in plain digits, within its column's scale."""
    found = chunk.select(
        pl.col("quantity").str.contains(r"\.\d{5,}|[eE]").any().alias("q"),
        pl.col("unit_price").str.contains(r"\.\d{7,}|[eE]").any().alias("p"),
        (pl.col("amount").is_null().any() | pl.col("amount").str.contains(r"\.\d{3,}|[eE]").any()).alias("a"),
    ).row(0)
    return not any(found)


# PostgreSQL's binary COPY: a header, then per row the number of fields and each field as its length (-1 for
# NULL) and its bytes, then -1.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_NULL_FIELD = struct.pack(">i", -1)
_UUID_LENGTH = struct.pack(">i", 16)
_LENGTHS = pl.Series("lengths", [struct.pack(">i", n) for n in range(1 << 16)], dtype=pl.Binary)
_POSTGRES_EPOCH = 10957  # 2000-01-01 in days since 1970-01-01


class CopyRows:
    """Chunks as binary COPY rows of the staging table: nothing for the server to parse but the decimals."""

    def __init__(self) -> None:
        self._uuid_fields: dict[str, bytes] = {}  # vendor and category ids seen so far, as fields

    def _uuid_field(self, value: str) -> bytes:
        found = self._uuid_fields.get(value)
        if found is None:
            found = self._uuid_fields[value] = _UUID_LENGTH + uuid.UUID(value).bytes
        return found

    def _uuids(self, chunk: pl.DataFrame, name: str) -> pl.Expr:
        values = chunk.get_column(name).unique().drop_nulls().to_list()
        fields = {value: self._uuid_field(value) for value in values}
        return pl.col(name).replace_strict(fields, default=None, return_dtype=pl.Binary).fill_null(_NULL_FIELD)

    def __call__(self, chunk: pl.DataFrame) -> bytes:
        days = chunk.get_column("invoice_date").cast(pl.Int32).unique().to_list()
        day_fields = {d: struct.pack(">ii", 4, d - _POSTGRES_EPOCH) for d in days}
        fields = [
            pl.lit(struct.pack(">h", len(CHUNK_COLUMNS)) + _UUID_LENGTH) + pl.col("id").str.decode("hex"),
            self._uuids(chunk, "vendor_id"),
            self._uuids(chunk, "category_id"),
            pl.col("invoice_date").cast(pl.Int32).replace_strict(day_fields, return_dtype=pl.Binary),
        ]
        longest = chunk.select(pl.max_horizontal(pl.col(n).str.len_bytes().max() for n in _STAGED_TEXT)).item() or 0
        for name in _STAGED_TEXT:
            size = pl.col(name).str.len_bytes()
            if longest < _LENGTHS.len():
                length = pl.lit(_LENGTHS).gather(size)
            else:
                sizes = chunk.get_column(name).str.len_bytes().unique().drop_nulls().to_list()
                length = size.replace_strict({n: struct.pack(">i", n) for n in sizes}, return_dtype=pl.Binary)
            fields.append((length + pl.col(name).cast(pl.Binary)).fill_null(_NULL_FIELD))
        # joined pairwise: each byte is copied a few times, not once per field after it
        while len(fields) > 1:
            pairs = [fields[i : i + 2] for i in range(0, len(fields), 2)]
            fields = [pair[0] + pair[1] if len(pair) == 2 else pair[0] for pair in pairs]
        return b"".join([_COPY_HEADER, *chunk.select(fields[0]).to_series().to_list(), _COPY_TRAILER])


# The ids of the tenant's lines from before this import span [low, high] (ids start with the invoice day). A
# chunk entirely outside that span cannot repeat an earlier line, and lines of one file never repeat each other,
# so such a chunk is inserted without the per-line check (imports of a tenant run one at a time).
_EARLIER_SPAN = (
    "SELECT (SELECT id FROM spend_spendline WHERE tenant_id = %s ORDER BY id LIMIT 1), "
    "(SELECT id FROM spend_spendline WHERE tenant_id = %s ORDER BY id DESC LIMIT 1)"
)
# The chunk's references, checked once for the whole chunk (the table has no per-row foreign keys): every
# distinct vendor and category of the chunk must be one of this tenant's. Row-level security hides other
# tenants' rows here too.
_FOREIGN_REFERENCES = (
    "SELECT (SELECT count(*) FROM unnest(%s::uuid[]) AS s(id) "
    "WHERE NOT EXISTS (SELECT FROM spend_vendor v WHERE v.id = s.id AND v.tenant_id = %s)) + "
    "(SELECT count(*) FROM unnest(%s::uuid[]) AS s(id) "
    "WHERE NOT EXISTS (SELECT FROM categories_category c WHERE c.id = s.id AND c.tenant_id = %s))"
)


class Sink(abc.ABC):
    @abc.abstractmethod
    def write(self, chunk: pl.DataFrame, vendors: list[VendorRef]) -> None:
        """Write the chunk's lines, and first ``vendors``: the new vendors this chunk is the first to use."""

    @abc.abstractmethod
    def finish(self) -> tuple[int, int]:
        """(lines created, lines that were already there)."""

    @abc.abstractmethod
    def abandon(self) -> None:
        """Stop writing; whatever was written is rolled back by the caller."""


def vendor_rows(tenant_id: Any, vendors: list[VendorRef]) -> list[Vendor]:
    now = timezone.now()
    return [
        Vendor(
            id=v.id,
            tenant_id=tenant_id,
            erp_id=v.erp_id,
            name=v.name[:255],
            name_key=v.name_key[:255],
            supplier_id=v.supplier_id,
            match_method=v.match_method,
            created_at=now,
        )
        for v in vendors
    ]


def insert_vendors(tenant_id: Any, vendors: list[VendorRef]) -> None:
    if vendors:
        Vendor.objects.bulk_create(vendor_rows(tenant_id, vendors), batch_size=1000)


class OrmSink(Sink):
    """The portable sink (SQLite): the ORM's bulk inserts, decimals rounded in Python."""

    def __init__(self, *, tenant: Tenant, import_id: Any) -> None:
        self.tenant = tenant
        self.import_id = import_id
        self.created = 0
        self.duplicates = 0

    def write(self, chunk: pl.DataFrame, vendors: list[VendorRef]) -> None:
        insert_vendors(self.tenant.pk, vendors)
        rows = list(chunk.select(CHUNK_COLUMNS).iter_rows(named=True))
        ids = [uuid.UUID(r["id"]) for r in rows]
        existing: set[uuid.UUID] = set()
        for start in range(0, len(ids), 500):
            existing.update(SpendLine.objects.filter(id__in=ids[start : start + 500]).values_list("id", flat=True))
        lines = []
        for line_id, r in zip(ids, rows, strict=True):
            if line_id in existing:
                continue
            quantity, unit_price, amount, rate, amount_base = frames.amounts(
                r["quantity"], r["unit_price"], r["amount"] or "", r["fx_rate"]
            )
            lines.append(
                SpendLine(
                    id=line_id,
                    tenant=self.tenant,
                    spend_import_id=self.import_id,
                    vendor_id=r["vendor_id"],
                    category_id=r["category_id"],
                    invoice_date=r["invoice_date"],
                    invoice_number=r["invoice_number"],
                    item_sku=r["item_sku"],
                    description=r["description"],
                    quantity=Decimal(quantity),
                    uom=r["uom"],
                    unit_price=Decimal(unit_price),
                    currency=r["currency"],
                    amount=Decimal(amount),
                    fx_rate=Decimal(rate),
                    amount_base=Decimal(amount_base),
                    po_number=r["po_number"],
                    cost_center=r["cost_center"],
                    classification=r["classification"],
                )
            )
        SpendLine.objects.bulk_create(lines, batch_size=1000)
        self.created += len(lines)
        self.duplicates += len(rows) - len(lines)

    def finish(self) -> tuple[int, int]:
        return self.created, self.duplicates

    def abandon(self) -> None:
        """Nothing is in flight: every write has finished before it returned."""


class PostgresSink(Sink):
    """COPY each chunk into a temporary table, then one INSERT … SELECT, on a second thread so the database
    works on chunk n while the next one is prepared. The raw connection is used from that thread only while
    the preparing thread leaves the database alone (it waits for the previous chunk before it writes vendors or
    hands over the next chunk)."""

    def __init__(self, *, tenant: Tenant, import_id: Any) -> None:
        self.tenant = tenant
        self.tenant_id = str(tenant.pk)
        self.import_id = str(import_id)
        self.created = 0
        self.duplicates = 0
        self._raw = connection.connection  # psycopg's own connection, inside Django's open transaction
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spend-load")
        self._pending: Future[None] | None = None
        self._lock = threading.Lock()
        self._copy_rows = CopyRows()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS spend_load ({_STAGING_COLUMNS}) ON COMMIT DROP")
            cursor.execute("TRUNCATE spend_load")
            cursor.execute(_EARLIER_SPAN, [self.tenant_id, self.tenant_id])
            low, high = cursor.fetchone()
        self._earlier = (uuid.UUID(str(low)).hex, uuid.UUID(str(high)).hex) if low is not None else None

    def _may_repeat(self, ids: pl.Series) -> bool:
        if self._earlier is None or ids.is_empty():
            return False
        return not (str(ids.max()) < self._earlier[0] or str(ids.min()) > self._earlier[1])

    def _load(self, data: bytes, count: int, sql: str, references: tuple[list[str], list[str]]) -> None:
        vendor_ids, category_ids = references
        with self._raw.cursor() as cursor:
            with cursor.copy(f"COPY spend_load ({', '.join(CHUNK_COLUMNS)}) FROM STDIN WITH (FORMAT binary)") as copy:
                copy.write(data)
            cursor.execute(_FOREIGN_REFERENCES, [vendor_ids, self.tenant_id, category_ids, self.tenant_id])
            if cursor.fetchone() != (0,):
                raise RuntimeError("spend lines refer to a vendor or category outside the tenant")
            cursor.execute(sql, [self.tenant_id, self.import_id])
            created = cursor.rowcount
            cursor.execute("TRUNCATE spend_load")
        with self._lock:
            self.created += created
            self.duplicates += count - created

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def write(self, chunk: pl.DataFrame, vendors: list[VendorRef]) -> None:
        # in key order, so the primary key's pages are visited once each, left to right
        chunk = chunk.sort("id")
        data = self._copy_rows(chunk)
        sql = _insert_sql(checked=self._may_repeat(chunk.get_column("id")), as_given=_fits_columns(chunk))
        references = (
            chunk.get_column("vendor_id").unique().to_list(),
            chunk.get_column("category_id").drop_nulls().unique().to_list(),
        )
        self._wait()
        insert_vendors(self.tenant.pk, vendors)
        self._pending = self._pool.submit(self._load, data, chunk.height, sql, references)

    def finish(self) -> tuple[int, int]:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
        return self.created, self.duplicates

    def abandon(self) -> None:
        try:
            self._wait()
        except Exception:  # noqa: S110 - the transaction is rolled back anyway; the row errors are what matter
            pass
        finally:
            self._pool.shutdown(wait=True)


def make_sink(*, tenant: Tenant, import_id: Any) -> Sink:
    if connection.vendor == "postgresql":
        return PostgresSink(tenant=tenant, import_id=import_id)
    return OrmSink(tenant=tenant, import_id=import_id)


def lock_tenant_imports(tenant: Tenant) -> None:
    """One import at a time per tenant (until the transaction ends), so the duplicate check is race-free."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"spend-import:{tenant.pk}"])
