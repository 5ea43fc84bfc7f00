from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from sourcing.exports import csv_response, escape_cell, xlsx_response


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+SKU", "'+SKU"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("宁波", "宁波"),
        (Decimal("-12.50"), "-12.50"),  # a number is data
        (None, ""),
    ],
)
def test_formula_looking_text_is_made_inert(value: object, expected: str) -> None:
    assert escape_cell(value) == expected


def test_csv_export_escapes_every_cell() -> None:
    response = csv_response("x.csv", ["name", "amount"], [["=cmd()", Decimal("-5")]])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body == '"name","amount"\r\n"\'=cmd()","-5.00"\r\n'


@pytest.mark.parametrize("text", ["x;=1+1;y", "a,b", 'say "hi"', "x\ty", "plain"])
def test_csv_export_quotes_every_cell(text: str) -> None:
    # A ';' inside a cell must not become a cell boundary that starts a formula in a ';'-separator locale.
    response = csv_response("x.csv", ["name"], [[text]])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body == '"name"\r\n"' + text.replace('"', '""') + '"\r\n'
    assert list(csv.reader(io.StringIO(body)))[1] == [text]


def test_xlsx_export_replaces_characters_xlsx_cannot_hold() -> None:
    rows = [["Ningbo\u000bPots", "bell\u0007", "nul\x00", "two\nlines\ttab"], ["ok", "", "", ""]]
    response = xlsx_response("x.xlsx", ["na\x01me", "b", "c", "d"], rows)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "na\ufffdme"
    assert [c.value for c in sheet[2]] == ["Ningbo\ufffdPots", "bell\ufffd", "nul\ufffd", "two\nlines\ttab"]


def test_xlsx_export_keeps_numbers_and_stores_no_formula() -> None:
    response = xlsx_response("x.xlsx", ["name", "amount"], [["=cmd()", Decimal("-5")]])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    # text as written, stored as text with Excel's quote prefix: shown, never calculated, even when edited
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == ("=cmd()", "s", True)
    assert sheet["B2"].value == -5


def test_xlsx_export_shows_a_phone_number_as_written() -> None:
    response = xlsx_response("x.xlsx", ["phone", "note"], [["+84 274 3812 345", "plain"]])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == ("+84 274 3812 345", "s", True)
    assert (sheet["B2"].value, sheet["B2"].quotePrefix) == ("plain", False)
