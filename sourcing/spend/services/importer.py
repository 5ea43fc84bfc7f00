"""Loading spend lines: one pipeline behind the upload page, the command line and the API.

The file is taken in chunks of lines in invoice-date order (``frame.write_order``). Each chunk is checked a
column at a time (``frame.check``), normalised (vendors, categories, classes, line ids) and written inside the
caller's transaction while the next one is checked. Once any error is found nothing more is written, the rest
of the file is only checked, and the caller rolls back what was written: a file with any error writes
nothing, and the report lists every error. On PostgreSQL each chunk is copied (binary) into a temporary table
and inserted from there, on a second thread, while the next chunk is prepared; the decimals are rounded and
converted in that insert. The embedded SQLite default uses the ORM. The writing is in ``line_writers.py``.

A line already in the database (same id, see ``frame.line_ids``) is skipped, so re-importing a file or a line
adds nothing; imports of one tenant are serialised by an advisory lock.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pycountry
from django.utils.translation import gettext as _

from sourcing.categories.models import Category
from sourcing.models import Tenant
from sourcing.spend import frame as frames
from sourcing.spend.columns import CANONICAL_COLUMNS, REQUIRED_COLUMNS
from sourcing.spend.models import (
    CategoryRule,
    ColumnMapping,
    FxRate,
    MatchMethod,
    SpendLine,
    SpendSettings,
    Vendor,
)
from sourcing.spend.normalise import FxTable, RowError, VendorRef
from sourcing.spend.reader import read_rows
from sourcing.spend.rules import match_category_rule
from sourcing.spend.services.line_writers import CHUNK_COLUMNS, lock_tenant_imports, make_sink
from sourcing.tenancy import uuid7
from suppliers.models import Supplier
from suppliers.names import name_key

CHUNK_ROWS = 50_000
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)


@dataclass
class LoadResult:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    vendors_created: int = 0
    vendor_ids: set[str] = field(default_factory=set)  # vendors of the lines written
    one_off_vendor_ids: set[str] = field(default_factory=set)  # vendors whose one-off lines may have changed
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def column_indexes(header: list[str], mapping: ColumnMapping | None) -> tuple[dict[str, int], list[RowError]]:
    """Canonical column -> index in the file's header; errors name the columns the file lacks."""
    wanted = {c: (mapping.columns.get(c, "") if mapping else c) for c in CANONICAL_COLUMNS}
    folded: dict[str, int] = {}
    for i, name in enumerate(header):
        folded.setdefault(name.strip().lower(), i)
    indexes: dict[str, int] = {}
    errors: list[RowError] = []
    for column, source in wanted.items():
        if source and source.strip().lower() in folded:
            indexes[column] = folded[source.strip().lower()]
        elif column in REQUIRED_COLUMNS:
            message = (
                _("The file has no column “%(header)s” (mapped to %(column)s).") % {"header": source, "column": column}
                if mapping
                else _("The file has no column “%(column)s”.") % {"column": column}
            )
            errors.append(RowError(1, column, message))
    return indexes, errors


class VendorBook:
    """Vendors by ERP id and by name key, with the supplier each matches; new ones are made on first sight
    and handed to the sink with the chunk that first uses them."""

    def __init__(self) -> None:
        self.by_key: dict[str, VendorRef] = {}
        self.new: list[VendorRef] = []
        self._name_keys: dict[str, str] = {}
        self._by_cell: dict[tuple[str, str], VendorRef] = {}  # (ERP id, name) as the file has them: decided once
        for v in Vendor.objects.values("id", "erp_id", "name", "name_key", "supplier_id", "match_method"):
            key = f"id:{v['erp_id']}" if v["erp_id"] else f"name:{v['name_key']}"
            self.by_key[key] = VendorRef(
                str(v["id"]),
                key,
                v["erp_id"],
                v["name"],
                v["name_key"],
                str(v["supplier_id"]) if v["supplier_id"] else None,
                v["match_method"],
                False,
            )
        self._supplier_by_erp: dict[str, str] = {}
        by_name: dict[str, set[str]] = {}
        for s in Supplier.objects.values("id", "external_id", "legal_name", "local_name"):
            if s["external_id"]:
                self._supplier_by_erp[s["external_id"]] = str(s["id"])
            for name in (s["legal_name"], s["local_name"]):
                if name and (k := name_key(name)):
                    by_name.setdefault(k, set()).add(str(s["id"]))
        # a name that two suppliers share matches neither: the buyer decides in the unmatched queue
        self._supplier_by_name = {k: next(iter(ids)) for k, ids in by_name.items() if len(ids) == 1}

    def name_key(self, name: str) -> str:
        try:
            return self._name_keys[name]
        except KeyError:
            key = self._name_keys[name] = name_key(name) or name.strip().lower()
            return key

    def match(self, erp_id: str, nk: str) -> tuple[str | None, str]:
        """The supplier a vendor matches: by ERP id, else by its name key (when exactly one supplier has it)."""
        if erp_id and erp_id in self._supplier_by_erp:
            return self._supplier_by_erp[erp_id], MatchMethod.ERP_ID.value
        if nk in self._supplier_by_name:
            return self._supplier_by_name[nk], MatchMethod.NAME.value
        return None, ""

    def __call__(self, erp_id: str, name: str) -> VendorRef:
        found = self._by_cell.get((erp_id, name))
        if found is None:
            found = self._by_cell[(erp_id, name)] = self._resolve(erp_id, name)
        return found

    def _resolve(self, erp_id: str, name: str) -> VendorRef:
        nk = self.name_key(name)
        key = f"id:{erp_id}" if erp_id else f"name:{nk}"
        found = self.by_key.get(key)
        if found is not None:
            return found
        supplier_id, method = self.match(erp_id, nk)
        ref = VendorRef(str(uuid7()), key, erp_id, name, nk, supplier_id, method, True)
        self.by_key[key] = ref
        self.new.append(ref)
        return ref

    def take_new(self) -> list[VendorRef]:
        new, self.new = self.new, []
        return new


def _category_maps() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """code -> (id, class) and id -> class. A category is direct when it, or a category above it, is
    production material."""
    rows = list(Category.objects.values("id", "code", "parent_id", "is_production_material"))
    parent = {str(r["id"]): (str(r["parent_id"]) if r["parent_id"] else None) for r in rows}
    flagged = {str(r["id"]) for r in rows if r["is_production_material"]}

    def is_direct(cid: str) -> bool:
        seen: set[str] = set()
        current: str | None = cid
        while current is not None and current not in seen:
            if current in flagged:
                return True
            seen.add(current)
            current = parent.get(current)
        return False

    classes = {cid: ("direct" if is_direct(cid) else "indirect") for cid in parent}
    by_code = {r["code"]: (str(r["id"]), classes[str(r["id"])]) for r in rows}
    return by_code, classes


def build_rules(
    *, tenant: Tenant, columns: dict[str, int], mapping: ColumnMapping | None, categories: dict[str, tuple[str, str]]
) -> frames.Rules:
    settings_row = SpendSettings.objects.filter().first() or SpendSettings(tenant=tenant)
    rates: dict[str, list[tuple[date, Decimal]]] = {}
    for currency, day, rate in FxRate.objects.values_list("currency", "rate_date", "rate").order_by("rate_date"):
        rates.setdefault(currency, []).append((day, rate))
    fx = FxTable(base_currency=tenant.base_currency, rates=rates, max_age_days=settings_row.fx_max_age_days)
    return frames.Rules(
        columns=columns,
        fx=fx,
        tolerance_pct=settings_row.amount_tolerance_pct,
        currencies=CURRENCIES,
        categories=categories,
        date_format=mapping.date_format if mapping else "",
        decimal_comma=mapping.decimal_comma if mapping else False,
    )


class RuleCategories:
    """The category the tenant's rules give lines without a category code: one decision per distinct cost
    center, description and supplier name, kept for the chunks after."""

    _KEYS = ("cost_center", "description", "supplier_name")

    def __init__(self) -> None:
        self.rules = list(CategoryRule.objects.order_by("priority", "created_at"))
        self._decided: dict[str, str | None] = {}

    def expr(self, data: pl.DataFrame) -> pl.Expr | None:
        """The rules' category of each line of ``data``, as an expression to map onto its lines."""
        if not self.rules:
            return None
        found = {}
        for cost_center, description, supplier_name in (
            data.filter(pl.col("category_code") == "").select(self._KEYS).unique().iter_rows()
        ):
            key = "\x1f".join((cost_center, description, supplier_name))
            if key not in self._decided:
                rule = match_category_rule(
                    self.rules, cost_center=cost_center, description=description, supplier_name=supplier_name
                )
                self._decided[key] = str(rule.category_id) if rule is not None else None
            if (category_id := self._decided[key]) is not None:
                found[key] = category_id
        key_expr = pl.concat_str([pl.col(k) for k in self._KEYS], separator="\x1f")
        return key_expr.replace_strict(found, default=None, return_dtype=pl.String)


class OneOffSuspects:
    """The vendors whose one-off class this file may change: those with a purchase that is one-off within the
    file alone (more purchases already in the database can only make it less so), and those that have one-off
    lines already (this file may add the purchases that end that). Everyone else's lines keep their class.
    The file's invoices are gathered chunk by chunk."""

    def __init__(self) -> None:
        settings_row = SpendSettings.objects.first()
        self.window = settings_row.one_off_window_days if settings_row else 365
        self.most = settings_row.one_off_max_invoices if settings_row else 1
        self.already = {
            str(v)
            for v in SpendLine.objects.filter(classification="one_off").values_list("vendor_id", flat=True).distinct()
        }
        self._invoices: list[pl.DataFrame] = []

    def add(self, chunk: pl.DataFrame) -> None:
        self._invoices.append(chunk.group_by("vendor_id", "invoice_number").agg(pl.col("invoice_date").min()))

    def vendors(self) -> set[str]:
        """Once the file's vendors are in the database. Within each supplier, an invoice is one-off when at most
        ``most`` of the supplier's invoices (itself included) fall within ``window`` days either side of it, as
        ``one_off_invoices`` has it; here worked out for all suppliers at once."""
        from sourcing.spend.selectors.analysis import SupplierBook

        if not self._invoices:
            return set(self.already)
        group_of = {str(v): ref.key for v, ref in SupplierBook.load().by_vendor.items()}
        invoices = (
            pl.concat(self._invoices)
            .group_by("vendor_id", "invoice_number")
            .agg(pl.col("invoice_date").min().cast(pl.Int32).alias("day"))
            .with_columns(
                pl.col("vendor_id")
                .replace_strict(group_of, default=pl.col("vendor_id"), return_dtype=pl.String)
                .alias("group")
            )
            .sort("group", "day")
        )
        day = pl.col("day")
        around = day.search_sorted(day + self.window, side="right") - day.search_sorted(day - self.window, side="left")
        suspects = invoices.filter(around.over("group") <= self.most).get_column("group").unique()
        found = invoices.filter(pl.col("group").is_in(suspects.implode())).get_column("vendor_id").unique()
        return set(found.to_list()) | self.already


def load_frame(
    *,
    tenant: Tenant,
    import_id: Any,
    columns: dict[str, int],
    frame: pl.DataFrame,
    mapping: ColumnMapping | None = None,
    progress: Callable[[int], None] | None = None,
    file_errors: list[tuple[int, str]] | None = None,
) -> LoadResult:
    """Check every row of ``frame`` and, while nothing is wrong, write its lines, chunk by chunk. Runs inside
    the caller's transaction, which the caller rolls back if the result has errors or anything fails."""
    lock_tenant_imports(tenant)
    by_code, classes = _category_maps()
    rules = build_rules(tenant=tenant, columns=columns, mapping=mapping, categories=by_code)
    result = LoadResult(rows=frame.height)
    if frame.height == 0 and not file_errors:
        result.errors, result.error_count = [RowError(1, "", _("The file has a header but no rows."))], 1
        return result
    found = frames.Errors(rules.max_errors)
    # Everything the loop needs from the database is read now: from here on a second thread writes on the
    # connection.
    categories = RuleCategories()
    book = VendorBook()
    one_offs = OneOffSuspects()
    sink = make_sink(tenant=tenant, import_id=import_id) if not file_errors else None
    if progress is not None:
        progress(0)
    order = frames.write_order(frame, rules)
    seen: set[bytes] = set()
    done = 0
    try:
        for start, size in _chunks(frame.height):
            checked = frames.check(frame[order.slice(start, size)], rules, found)
            if sink is None or found.count:
                continue  # nothing more is written: the rest is checked for the report only
            chunk = _normalised(checked.frame, book=book, categories=categories, classes=classes)
            ids = frames.line_ids(chunk, vendor_keys=pl.col("_vendor_key"), id_salt=tenant.pk.bytes, seen=seen)
            chunk = chunk.with_columns(ids.alias("id"), pl.col("_day").alias("invoice_date")).select(CHUNK_COLUMNS)
            sink.write(chunk, book.take_new())
            result.vendor_ids.update(chunk.get_column("vendor_id").unique().to_list())
            one_offs.add(chunk)
            done += chunk.height
            if progress is not None:
                progress(done)
        if found.count or file_errors:
            if sink is not None:
                sink.abandon()
            errors = found.listed() + [RowError(number, "", message) for number, message in file_errors or ()]
            result.errors = sorted(errors, key=lambda e: e.row)[: rules.max_errors]
            result.error_count = found.count + len(file_errors or ())
            return result
        assert sink is not None
        result.created, result.duplicates = sink.finish()
    except BaseException:
        if sink is not None:
            sink.abandon()
        raise
    result.vendors_created = sum(1 for v in book.by_key.values() if v.is_new)
    result.one_off_vendor_ids = one_offs.vendors()
    return result


def _chunks(rows: int) -> Iterator[tuple[int, int]]:
    """(start, size) of each chunk: a smaller first one, so that the database has something to do sooner, and a
    smaller last one, so that it has less left to do once the whole file has been through."""
    small = max(1, CHUNK_ROWS // 5)
    start, size = 0, small
    while start < rows:
        left = rows - start
        if left <= small:
            size = left
        elif left <= size + small:
            size = left - small
        yield start, size
        start, size = start + size, CHUNK_ROWS


def _normalised(
    checked: pl.DataFrame, *, book: VendorBook, categories: RuleCategories, classes: dict[str, str]
) -> pl.DataFrame:
    """A checked chunk with its vendors (one decision per distinct ERP id and name), categories (the code's,
    else the rules'), classes and decimals as they are written."""
    pair = pl.concat_str([pl.col("supplier_erp_id"), pl.col("supplier_name")], separator="\x1f")
    vendor_ids: dict[str, str] = {}
    vendor_keys: dict[str, str] = {}
    for erp, name in checked.select("supplier_erp_id", "supplier_name").unique().iter_rows():
        ref = book(erp, name)
        vendor_ids[f"{erp}\x1f{name}"], vendor_keys[f"{erp}\x1f{name}"] = ref.id, ref.key
    data = checked.with_columns(
        pair.replace_strict(vendor_ids, return_dtype=pl.String).alias("vendor_id"),
        pair.replace_strict(vendor_keys, return_dtype=pl.String).alias("_vendor_key"),
    )
    ruled = categories.expr(data)
    if ruled is not None:
        data = data.with_columns(pl.coalesce(pl.col("_category_id"), ruled).alias("_category_id"))
    return data.with_columns(
        pl.col("_category_id").alias("category_id"),
        pl.col("_category_id")
        .replace_strict(classes, default="indirect", return_dtype=pl.String)
        .alias("classification"),
        pl.col("_quantity_text").alias("quantity"),
        pl.col("_unit_price_text").alias("unit_price"),
        pl.when(pl.col("_amount_text") == "").then(None).otherwise(pl.col("_amount_text")).alias("amount"),
        pl.col("_rate").alias("fx_rate"),
    )


def frame_of_rows(rows: Iterable[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    return read_rows("rows", "", rows, width)


# --- one-off classification ---------------------------------------------------------------------------------


def one_off_invoices(
    invoices: dict[str, list[tuple[date, str]]], *, window_days: int, max_invoices: int
) -> set[tuple[str, str]]:
    """(vendor, invoice) pairs that are one-off purchases: the vendor has at most ``max_invoices`` invoices
    within ``window_days`` either side of this one (itself included). ``invoices``: vendor -> (day, number)."""
    result: set[tuple[str, str]] = set()
    for vendor, items in invoices.items():
        items = sorted(items)
        days = [d.toordinal() for d, _n in items]
        for i, (_day, number) in enumerate(items):
            lo = bisect.bisect_left(days, days[i] - window_days)
            hi = bisect.bisect_right(days, days[i] + window_days)
            if hi - lo <= max_invoices:
                result.add((vendor, number))
    return result


def reclassify_one_off(*, vendor_ids: Iterable[Any] | None = None) -> int:
    """Re-derive the one-off class of the lines of these vendors (all when None). Purchases are counted per
    supplier: every vendor record linked to one supplier, or merged into one record, counts together. Returns
    how many lines changed class. Until contracts exist, no vendor is exempt for having a contract."""
    from django.db.models import Min

    from sourcing.spend.selectors.analysis import SupplierBook

    settings_row = SpendSettings.objects.first()
    window = settings_row.one_off_window_days if settings_row else 365
    most = settings_row.one_off_max_invoices if settings_row else 1
    canonical = {str(v): ref.key for v, ref in SupplierBook.load().by_vendor.items()}
    wanted: set[str] | None = None
    if vendor_ids is not None:
        roots = {canonical.get(str(v), str(v)) for v in vendor_ids}
        wanted = {v for v, root in canonical.items() if root in roots}
    lines = SpendLine.objects.all()
    if wanted is not None:
        lines = lines.filter(vendor_id__in=wanted)
    per_vendor: dict[str, list[tuple[date, str]]] = {}
    seen: dict[tuple[str, str], date] = {}
    for vendor_id, number, day in (
        lines.values_list("vendor_id", "invoice_number").annotate(day=Min("invoice_date")).order_by()
    ):
        root = canonical.get(str(vendor_id), str(vendor_id))
        key = (root, number)
        if key not in seen or day < seen[key]:
            seen[key] = day
    for (root, number), day in seen.items():
        per_vendor.setdefault(root, []).append((day, number))
    one_off = one_off_invoices(per_vendor, window_days=window, max_invoices=most)
    _by_code, classes = _category_maps()
    changed = 0
    # lines that are one-off now, or were and may no longer be: few, so they are fetched and updated by id
    fields = ("id", "vendor_id", "invoice_number", "category_id", "classification")
    candidates = list(lines.filter(classification="one_off").values_list(*fields))
    numbers = sorted({number for _root, number in one_off})
    for batch in _batches(numbers, 500):
        candidates += lines.filter(invoice_number__in=batch).exclude(classification="one_off").values_list(*fields)
    updates: dict[str, list[Any]] = {"one_off": [], "direct": [], "indirect": []}
    for line_id, vendor_id, number, category_id, current in candidates:
        root = canonical.get(str(vendor_id), str(vendor_id))
        target = (
            "one_off"
            if (root, number) in one_off
            else (classes.get(str(category_id), "indirect") if category_id else "indirect")
        )
        if target != current:
            updates[target].append(line_id)
    for target, ids in updates.items():
        for batch in _batches(ids, 500):
            changed += SpendLine.objects.filter(id__in=batch).update(classification=target)
    return changed


def reclassify_by_category() -> int:
    """Bring direct / indirect up to date with the category tree after a category's production-material flag or
    place changed (one-off lines stay one-off). Returns how many lines changed class."""
    _by_code, classes = _category_maps()
    direct = [pk for pk, cls in classes.items() if cls == "direct"]
    lines = SpendLine.objects.exclude(classification="one_off")
    changed = lines.filter(category_id__in=direct).exclude(classification="direct").update(classification="direct")
    changed += (
        lines.exclude(category_id__in=direct).exclude(classification="indirect").update(classification="indirect")
    )
    return changed


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
