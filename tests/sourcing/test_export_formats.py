"""One formatting for every export: money in the currency's minor units, unit prices to four decimals, other
decimals with two to four, Yes/No in the viewer's language, ISO dates and times in the viewer's zone."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from sourcing.export_formats import Money, UnitPrice, cell_text, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Money(Decimal("1234.5"), "USD"), "1234.50"),
        (Money(Decimal("1234.005"), "USD"), "1234.01"),  # half up, as invoices round
        (Money(Decimal("-0.5"), "USD"), "-0.50"),
        (Money(Decimal("1234.5"), "JPY"), "1235"),  # ISO 4217: no minor unit
        (Money(Decimal("1.2"), "KWD"), "1.200"),  # ISO 4217: three
        (Money(None, "USD"), ""),
        (UnitPrice(Decimal("12.5")), "12.50"),
        (UnitPrice(Decimal("0.123456")), "0.1235"),
        (UnitPrice(Decimal("3.120000")), "3.12"),
        (Decimal("100.000000"), "100.00"),  # no six-decimal cells
        (Decimal("45.123456"), "45.1235"),
        (Decimal("1E+3"), "1000.00"),  # never in exponent form
        (0.1 + 0.2, "0.30"),
        (7, "7"),
        (True, "Yes"),
        (False, "No"),
        (datetime.date(2026, 3, 5), "2026-03-05"),
        ("=1+1", "'=1+1"),
    ],
)
def test_cells_are_written_one_way(value: object, expected: str) -> None:
    with translation.override("en"):
        assert cell_text(value) == expected


def test_booleans_read_in_the_viewers_language() -> None:
    with translation.override("zh-hans"):
        assert (cell_text(True), cell_text(False)) == ("是", "否")


def test_times_are_iso_in_the_viewers_zone_to_the_second() -> None:
    moment = datetime.datetime(2026, 3, 5, 2, 30, 15, 123456, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert cell_text(moment) == "2026-03-05 10:30:15"


def test_csv_and_xlsx_agree_and_report_progress_every_thousand_rows() -> None:
    rows = [[f"L-{i}", Money(Decimal("2.5"), "USD"), UnitPrice(Decimal("1.23456"))] for i in range(2500)]
    heard: list[int] = []
    text = io.StringIO()
    assert write_csv(text, ["Line", "Amount", "Unit price"], rows, heard.append) == 2500
    assert heard == [1000, 2000]
    assert text.getvalue().splitlines()[1] == '"L-0","2.50","1.2346"'
    book = io.BytesIO()
    assert write_xlsx(book, ["Line", "Amount", "Unit price"], rows[:2]) == 2
    sheet = openpyxl.load_workbook(io.BytesIO(book.getvalue())).active
    assert [c.value for c in sheet[2]] == ["L-0", 2.5, 1.2346]
    assert sheet.cell(row=2, column=2).data_type == "n"
