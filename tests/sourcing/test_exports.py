from __future__ import annotations

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
    assert body == "name,amount\r\n'=cmd(),-5\r\n"


def test_xlsx_export_keeps_numbers_and_stores_no_formula() -> None:
    response = xlsx_response("x.xlsx", ["name", "amount"], [["=cmd()", Decimal("-5")]])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=cmd()" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5
