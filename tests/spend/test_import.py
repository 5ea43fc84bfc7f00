"""The spend import pipeline: every row checked, all or nothing, normalised, matched, never twice."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from sourcing.models import AuditEvent, Tenant
from sourcing.spend.models import ColumnMapping, ImportStatus, SpendImport, SpendLine, Vendor
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import HEADER, csv_bytes, row


def _import(tenant: Tenant, content: bytes, *, name: str = "spend.csv", mapping_id: Any = None) -> SpendImport:
    with tenant_scope(tenant):
        created = services.spend_import_create(
            tenant=tenant, by=SYSTEM, upload=io.BytesIO(content), file_name=name, mapping_id=mapping_id
        )
        return services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=created.pk)


def _counts(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return SpendLine.objects.count(), Vendor.objects.count()


def _errors(result: SpendImport) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in result.errors}


# --- the happy path -------------------------------------------------------------------------------------------


def test_a_canonical_file_is_normalised_matched_and_classified(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    # given a file with a USD line, a CNY line (rate of 1 March applies on 5 March), and a line without a
    # category code for a vendor known only by name
    content = csv_bytes(
        [
            row(),
            row(invoice_number="INV-1002", currency="CNY", unit_price="80", quantity="10", amount="800.00"),
            row(
                invoice_number="INV-1003",
                supplier_name="XIAMEN PEAKLINE TRADING CO LTD",
                supplier_erp_id="",
                category_code="",
                po_number="",
                amount="",
            ),
        ]
    )
    # when it is imported
    result = _import(tenant, content)
    # then every line is written, converted, matched and classified
    assert result.status == ImportStatus.SUCCEEDED, result.errors
    assert (result.rows_total, result.lines_created, result.lines_duplicate) == (3, 3, 0)
    with tenant_scope(tenant):
        lines = {line.invoice_number: line for line in SpendLine.objects.select_related("vendor")}
        assert lines["INV-1001"].amount_base == Decimal("1250.00")
        assert lines["INV-1002"].fx_rate == Decimal("0.1380")
        assert lines["INV-1002"].amount_base == Decimal("110.40")  # 800 × 0.138
        assert lines["INV-1003"].amount == Decimal("1250.00")  # no amount: quantity × unit price
        # category by code; the pot category sits under production material, so it is direct spend
        assert lines["INV-1001"].category_id == spend_world["pots"].pk
        assert lines["INV-1001"].classification == "direct"
        assert lines["INV-1003"].category_id is None and lines["INV-1003"].classification != "direct"
        # vendors matched: by ERP id, then by name with legal forms and case ignored
        assert lines["INV-1001"].vendor.supplier_id == spend_world["everbright"].pk
        assert lines["INV-1001"].vendor.match_method == "erp_id"
        assert lines["INV-1003"].vendor.supplier_id == spend_world["peakline"].pk
        assert lines["INV-1003"].vendor.match_method == "name"
        event = AuditEvent.objects.get(action="spend_import.succeeded")
        assert event.after["lines_created"] == 3


def test_the_same_file_twice_adds_nothing(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    content = csv_bytes([row(), row(invoice_number="INV-2")])
    first = _import(tenant, content)
    second = _import(tenant, content, name="again.csv")
    assert first.lines_created == 2
    assert second.status == ImportStatus.SUCCEEDED
    assert second.lines_created == 0 and second.duplicate_of_id == first.pk
    assert _counts(tenant)[0] == 2


def test_the_same_invoice_line_in_another_file_adds_nothing(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    _import(tenant, csv_bytes([row(), row(invoice_number="INV-2")]))
    # a later export overlaps the first: one line is new
    result = _import(tenant, csv_bytes([row(invoice_number="INV-2"), row(invoice_number="INV-3")]))
    assert (result.lines_created, result.lines_duplicate) == (1, 1)
    assert _counts(tenant)[0] == 3


def test_two_identical_lines_in_one_file_are_two_lines(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    content = csv_bytes([row(), row()])
    assert _import(tenant, content).lines_created == 2
    # and importing a copy with a different name (different bytes: a trailing empty line) adds nothing
    assert _import(tenant, content + b"\r\n").lines_created == 0


def test_identical_lines_across_chunks_are_numbered_as_in_one_chunk(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcing.spend.services import importer

    # identical lines on one day, with other days before and after, read in chunks that split them up
    same = row(invoice_date="2026-03-06")
    rows = [row(invoice_number=f"A-{i}") for i in range(3)] + [same] * 4 + [row(invoice_date="2026-03-09")] * 2
    content = csv_bytes(rows)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 5)  # chunks of 1, then 5
    assert _import(tenant, content).lines_created == 9
    with tenant_scope(tenant):
        chunked = set(SpendLine.objects.values_list("id", flat=True))
    # the same file read in one chunk gives the same ids: importing it again adds nothing
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1000)
    assert _import(tenant, content + b"\r\n").lines_created == 0
    with tenant_scope(tenant):
        SpendLine.objects.all().delete()
    assert _import(tenant, content + b"\r\n\r\n").lines_created == 9
    with tenant_scope(tenant):
        assert set(SpendLine.objects.values_list("id", flat=True)) == chunked


# --- encodings, delimiters, layouts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("gb18030", ","), ("utf-8", ";"), ("gb18030", "\t"), ("utf-16", ",")],
)
def test_encodings_and_delimiters_are_detected(
    tenant: Tenant, spend_world: dict[str, Any], encoding: str, delimiter: str
) -> None:
    content = csv_bytes(
        [row(supplier_name="宁波永亮家居用品有限公司", supplier_erp_id="V-200", description="不锈钢汤锅 24厘米")],
        encoding=encoding,
        delimiter=delimiter,
    )
    result = _import(tenant, content)
    assert result.status == ImportStatus.SUCCEEDED, result.errors
    with tenant_scope(tenant):
        line = SpendLine.objects.select_related("vendor").get()
        assert line.vendor.name == "宁波永亮家居用品有限公司"
        assert line.description == "不锈钢汤锅 24厘米"


def test_an_xlsx_file_reads_like_its_csv(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    values = row()
    cells: list[Any] = [values[h] for h in HEADER]
    cells[HEADER.index("quantity")] = 100
    cells[HEADER.index("unit_price")] = 12.5
    cells[HEADER.index("amount")] = 1250.0
    sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    result = _import(tenant, out.getvalue(), name="spend.xlsx")
    assert result.status == ImportStatus.SUCCEEDED, result.errors
    with tenant_scope(tenant):
        assert SpendLine.objects.get().unit_price == Decimal("12.5")


def test_a_column_mapping_reads_another_layout(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    header = ["Datum", "Rechnung", "Lieferant", "Menge", "Preis", "Währung", "Betrag", "Warengruppe"]
    columns = {
        "invoice_date": "Datum",
        "invoice_number": "Rechnung",
        "supplier_name": "Lieferant",
        "quantity": "Menge",
        "unit_price": "Preis",
        "currency": "Währung",
        "amount": "Betrag",
        "category_code": "Warengruppe",
    }
    with tenant_scope(tenant):
        mapping = ColumnMapping.objects.create(
            tenant=tenant, name="SAP DE", columns=columns, date_format="%d.%m.%Y", decimal_comma=True
        )
    content = csv_bytes(
        [
            {
                "Datum": "05.03.2026",
                "Rechnung": "R-1",
                "Lieferant": "Hamburg Haushalt GmbH",
                "Menge": "1.000",
                "Preis": "1,25",
                "Währung": "EUR",
                "Betrag": "1.250,00",
                "Warengruppe": "111",
            }
        ],
        header=header,
        delimiter=";",
    )
    result = _import(tenant, content, mapping_id=mapping.pk)
    assert result.status == ImportStatus.SUCCEEDED, result.errors
    with tenant_scope(tenant):
        line = SpendLine.objects.get()
    assert (line.quantity, line.amount, line.amount_base) == (Decimal("1000"), Decimal("1250.00"), Decimal("1350.00"))


# --- every error, and nothing written -------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(
    tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    rows = [
        row(),  # row 2: fine
        row(invoice_date="2026-02-30"),  # 3
        row(quantity="ten"),  # 4
        row(currency="XYZ"),  # 5
        row(amount="1300.00"),  # 6: 100 × 12.50 = 1250
        row(invoice_number=""),  # 7
        row(category_code="999"),  # 8
        row(currency="CNY", invoice_date="2026-01-15", quantity="1", unit_price="1", amount="1"),  # 9: no rate
        row(unit_price="NaN"),  # 10
        row(description="x" * 501),  # 11
        row(supplier_name="", quantity="1,5x"),  # 12: two errors on one row
    ]
    result = _import(tenant, csv_bytes(rows))
    assert result.status == ImportStatus.FAILED
    assert _errors(result) == {
        (3, "invoice_date"),
        (4, "quantity"),
        (5, "currency"),
        (6, "amount"),
        (7, "invoice_number"),
        (8, "category_code"),
        (9, "currency"),
        (10, "unit_price"),
        (11, "description"),
        (12, "supplier_name"),
        (12, "quantity"),
    }
    assert result.error_count == 11
    assert _counts(tenant) == (0, 0)  # not the good row, not its vendor
    fx_error = next(e for e in result.errors if e["row"] == 9)
    assert "CNY" in fx_error["message"] and "2026-01-15" in fx_error["message"]


def test_an_error_after_many_good_rows_still_writes_nothing(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcing.spend.services import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)  # chunks have been written before the bad row is reached
    rows = [row(invoice_number=f"INV-{i}") for i in range(10)] + [row(amount="-5")]
    result = _import(tenant, csv_bytes(rows))
    assert result.status == ImportStatus.FAILED
    assert _errors(result) == {(12, "amount")}
    assert _counts(tenant) == (0, 0)


def test_a_missing_column_is_reported_before_any_row(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    header = [h for h in HEADER if h != "currency"]
    result = _import(tenant, csv_bytes([row()], header=header))
    assert result.status == ImportStatus.FAILED
    assert _errors(result) == {(1, "currency")}


@pytest.mark.parametrize(
    "content",
    [
        b"",  # refused at upload
        b"%PDF-1.7 not a spreadsheet",
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_at_upload(tenant: Tenant, content: bytes) -> None:
    from sourcing.errors import DomainError

    with tenant_scope(tenant), pytest.raises(DomainError):
        services.spend_import_create(tenant=tenant, by=SYSTEM, upload=io.BytesIO(content), file_name="x.csv")


def test_a_header_without_rows_is_an_error(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    result = _import(tenant, csv_bytes([]))
    assert result.status == ImportStatus.FAILED and result.error_count == 1


def test_bytes_that_no_supported_encoding_reads_are_rejected_with_their_row(
    tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    # 0xFF starts no character in UTF-8 or GB18030
    good = csv_bytes([row(invoice_number=f"INV-{i}") for i in range(3)])
    bad_row = csv_bytes([row(invoice_number="INV-\xff")], encoding="latin-1").split(b"\r\n", 1)[1]
    content = good + bad_row
    result = _import(tenant, content)
    assert result.status == ImportStatus.FAILED
    assert [e["row"] for e in result.errors] == [5]
    assert "gb18030" in result.errors[0]["message"]
    assert _counts(tenant) == (0, 0)


def test_a_formula_looking_cell_is_kept_as_text(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    result = _import(tenant, csv_bytes([row(description='=HYPERLINK("http://x")', item_sku="+SKU", po_number="@PO")]))
    assert result.status == ImportStatus.SUCCEEDED
    with tenant_scope(tenant):
        line = SpendLine.objects.get()
    assert (line.description, line.item_sku, line.po_number) == ('=HYPERLINK("http://x")', "+SKU", "@PO")


# --- the JSON lines entry point ---------------------------------------------------------------------------------


def test_bulk_lines_name_every_error_by_index_and_write_nothing(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    from sourcing.errors import DomainError

    lines = [row(), row(invoice_date="soon"), {**row(), "colour": "red"}]
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
    assert set(caught.value.fields) == {"lines[1].invoice_date", "lines[2].colour"}
    assert _counts(tenant) == (0, 0)


def test_bulk_lines_twice_add_once(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    lines = [row(), row(invoice_number="INV-9")]
    with tenant_scope(tenant):
        first = services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
    with tenant_scope(tenant):
        second = services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
    assert (first.lines_created, second.lines_created, second.lines_duplicate) == (2, 0, 2)


# --- one-off spend --------------------------------------------------------------------------------------------


def test_a_vendor_with_a_single_purchase_in_a_year_is_one_off(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    rows = [
        row(supplier_erp_id="V-ONCE", supplier_name="Shenzhen One Time Ltd", invoice_number="X-1"),
        row(invoice_number="A-1", invoice_date="2026-03-05"),
        row(invoice_number="A-2", invoice_date="2026-03-20"),
    ]
    _import(tenant, csv_bytes(rows))
    with tenant_scope(tenant):
        classes = dict(SpendLine.objects.values_list("invoice_number", "classification"))
    assert classes == {"X-1": "one_off", "A-1": "direct", "A-2": "direct"}
    # a second purchase within twelve months makes the vendor a regular one again
    _import(
        tenant,
        csv_bytes(
            [
                row(
                    supplier_erp_id="V-ONCE",
                    supplier_name="Shenzhen One Time Ltd",
                    invoice_number="X-2",
                    invoice_date="2026-09-01",
                )
            ]
        ),
    )
    with tenant_scope(tenant):
        classes = dict(SpendLine.objects.values_list("invoice_number", "classification"))
    assert classes["X-1"] == classes["X-2"] == "direct"


def test_imports_are_tenant_scoped(tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any]) -> None:
    _import(tenant, csv_bytes([row()]))
    with tenant_scope(other_tenant):
        assert SpendLine.objects.count() == 0 and Vendor.objects.count() == 0
        assert SpendImport.objects.count() == 0


def test_a_damaged_workbook_is_rejected_with_a_clear_error(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    out = io.BytesIO()
    book.save(out)
    damaged = out.getvalue()[: len(out.getvalue()) // 2]  # an upload cut short: still a zip by its first bytes
    result = _import(tenant, damaged, name="spend.xlsx")
    assert result.status == ImportStatus.FAILED
    assert "cannot be opened" in result.errors[0]["message"]


def test_a_bad_cell_in_a_workbook_is_named_by_its_row(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([row()[h] for h in HEADER])
    sheet.append([row(invoice_number="X", quantity="lots")[h] for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    result = _import(tenant, out.getvalue(), name="spend.xlsx")
    assert result.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "quantity")]
    assert _counts(tenant) == (0, 0)


def test_a_known_supplier_without_its_erp_id_is_not_a_one_off_purchase(
    tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    # Everbright's lines come with its ERP id; one more comes by name only: a second vendor record, linked by name
    _import(tenant, csv_bytes([row(), row(invoice_number="INV-2", invoice_date="2026-03-20")]))
    _import(
        tenant,
        csv_bytes([row(invoice_number="BY-NAME", supplier_erp_id="", supplier_name="NINGBO EVERBRIGHT HOUSEWARES")]),
    )
    with tenant_scope(tenant):
        line = SpendLine.objects.select_related("vendor").get(invoice_number="BY-NAME")
    assert line.vendor.erp_id == "" and line.vendor.supplier_id == spend_world["everbright"].pk
    assert line.classification == "direct"  # the supplier's third purchase, not a one-off


def test_values_beyond_a_columns_scale_are_rounded_half_up(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    lines = [
        row(invoice_number="FINE"),
        row(invoice_number="FINER", quantity="10.00005", unit_price="1.2345675", amount="12.345"),
    ]
    assert _import(tenant, csv_bytes(lines)).lines_created == 2
    with tenant_scope(tenant):
        line = SpendLine.objects.get(invoice_number="FINER")
        plain = SpendLine.objects.get(invoice_number="FINE")
    assert (line.quantity, line.unit_price, line.amount, line.amount_base) == (
        Decimal("10.0001"),
        Decimal("1.234568"),
        Decimal("12.35"),
        Decimal("12.35"),
    )
    assert (plain.quantity, plain.unit_price, plain.amount) == (Decimal("100"), Decimal("12.5"), Decimal("1250.00"))


# --- control characters -----------------------------------------------------------------------------------------


def test_control_characters_are_refused_naming_row_and_column(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    content = csv_bytes(
        [
            row(),
            row(invoice_number="INV-2", description="Pot\u0007 24cm"),
            row(invoice_number="INV-3", supplier_name="Ningbo\u000bEverbright"),
            row(invoice_number="INV-4", cost_center="CC\u001b-1"),
            row(invoice_number="INV-5", item_sku="POT\t24"),
            row(invoice_number="INV-6", description="two\nlines\tand a tab"),  # multi-line text: accepted
        ]
    )
    result = _import(tenant, content)
    assert result.status == ImportStatus.FAILED
    assert _errors(result) == {(3, "description"), (4, "supplier_name"), (5, "cost_center"), (6, "item_sku")}
    by_row = {e["row"]: e for e in result.errors}
    assert by_row[3]["message"] == "Contains a control character, which is not allowed."
    assert by_row[6]["message"] == "Contains a line break or tab, which is not allowed here."
    assert by_row[5]["value"] == "CC\ufffd-1"  # shown (and stored) without the character itself
    assert _counts(tenant) == (0, 0)


def test_control_characters_are_refused_in_an_xlsx_file(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([row(description="Pot\u007f")[h] for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    result = _import(tenant, out.getvalue(), name="spend.xlsx")
    assert _errors(result) == {(2, "description")}
    assert _counts(tenant) == (0, 0)
