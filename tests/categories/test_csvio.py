"""Reading category CSV files (every problem reported with its row and column) and the export's formula guard."""

from __future__ import annotations

import io

import pytest

from sourcing.categories import csvio

HEADER = "code,name,parent_code,segment,profit_impact,supply_risk,is_production_material,expected_lead_time_days"


def _read(text: str, existing: dict[str, str | None] | None = None, encoding: str = "utf-8") -> csvio.ParsedFile:
    return csvio.read(text.encode(encoding), existing=existing or {})


def _where(parsed: csvio.ParsedFile) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in parsed.errors]


def test_a_good_file_is_read_with_cleaned_values() -> None:
    # given a file whose parent comes after its child, with a label for the segment and yes/no flags
    parsed = _read(f"{HEADER}\n111,Stainless steel pots,110,Strategic,4,3,yes,60\n110,Cookware,,operational,,,no,\n")
    # then it is read without errors
    assert parsed.errors == []
    assert parsed.encoding == "utf-8"
    assert [r.row for r in parsed.rows] == [2, 3]
    assert parsed.rows[0].values == {
        "code": "111",
        "name": "Stainless steel pots",
        "parent_code": "110",
        "segment": "strategic",
        "profit_impact": 4,
        "supply_risk": 3,
        "is_production_material": True,
        "expected_lead_time_days": 60,
    }
    assert parsed.rows[1].values["profit_impact"] is None
    assert parsed.rows[1].values["parent_code"] == ""


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("code,name\n211,纯棉床单套件\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "code,name\n211,纯棉床单套件\n".encode(), "utf-8-sig"),
        ("code,name\n211,纯棉床单套件\n".encode("gb18030"), "gb18030"),
        ("code,name\n211,纯棉床单套件\n".encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16"],
)
def test_encodings(data: bytes, encoding: str) -> None:
    parsed = csvio.read(data, existing={})
    assert parsed.errors == []
    assert parsed.encoding == encoding
    assert parsed.rows[0].values["name"] == "纯棉床单套件"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files(delimiter: str) -> None:
    parsed = _read(f"code{delimiter}name{delimiter}supply_risk\n111{delimiter}Pots, steel{delimiter}3\n")
    assert parsed.errors == []
    assert parsed.rows[0].values == {"code": "111", "name": "Pots, steel", "supply_risk": 3}


def test_formula_looking_cells_are_kept_as_text() -> None:
    # given cells that a spreadsheet would run as formulas
    parsed = _read('code,name,description\n=1+2,"=HYPERLINK(""http://x"")",@SUM(A1)\n')
    # then they are stored as the text they are
    assert parsed.errors == []
    assert parsed.rows[0].values == {"code": "=1+2", "name": '=HYPERLINK("http://x")', "description": "@SUM(A1)"}


def test_the_exports_guard_is_undone_on_import() -> None:
    parsed = _read("code,name,description\n'=1+2,'-minus,'plain\n")
    assert parsed.rows[0].values == {"code": "=1+2", "name": "-minus", "description": "'plain"}


def test_export_only_columns_are_skipped() -> None:
    parsed = _read("code,name,kraljic_position,owner,children\n111,Pots,strategic,a@b.test,3\n")
    assert parsed.errors == []
    assert parsed.rows[0].values == {"code": "111", "name": "Pots"}


def test_blank_rows_are_skipped_but_still_counted() -> None:
    parsed = _read("code,name\n\n,\n112,Pans\n")
    assert parsed.errors == []
    assert [(r.row, r.values["code"]) for r in parsed.rows] == [(4, "112")]


def test_every_problem_of_every_kind_is_reported_with_row_and_column() -> None:
    # given a file with one problem of each kind in the cells and the rows
    parsed = _read(
        f"{HEADER}\n"
        "100,Kitchenware,,,,,,\n"  # row 2: fine
        ",No code,,,,,,\n"  # row 3: code missing
        "101,,,,,,,\n"  # row 4: name missing
        "102,Bad segment,,vital,,,,\n"  # row 5
        "103,Bad scores,,,0,six,,\n"  # row 6: two bad cells
        "104,Bad flag,,,,,maybe,\n"  # row 7
        "105,Bad lead time,,,,,,-3\n"  # row 8
        "106,Too many cells,,,,,,,surplus\n"  # row 9
        "107,Too few cells\n"  # row 10
        "100,Repeated code,,,,,,\n"  # row 11
        "108,Own parent,108,,,,,\n"  # row 12
        "109,Unknown parent,999,,,,,\n"  # row 13
        f"{'x' * 51},Long code,,,,,,\n"  # row 14
    )
    # then nothing is lost: every problem is there, in file order
    assert _where(parsed) == [
        (3, "code"),
        (4, "name"),
        (5, "segment"),
        (6, "profit_impact"),
        (6, "supply_risk"),
        (7, "is_production_material"),
        (8, "expected_lead_time_days"),
        (9, ""),
        (10, ""),
        (14, "code"),
        (11, "code"),
        (12, "parent_code"),
        (13, "parent_code"),
    ]
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert messages[(11, "code")] == "Code 100 is also on row 2."
    assert messages[(9, "")] == "This row has 9 cells; the header has 8."
    assert messages[(6, "profit_impact")] == "Scores run from 1 to 5."
    assert messages[(13, "parent_code")] == "No category has the code 999, in this file or already stored."


def test_a_loop_of_parents_is_reported_on_each_row_in_it() -> None:
    # given 110 under 111 in the file, while 111 is already stored under 110
    parsed = _read("code,name,parent_code\n110,Cookware,111\n", existing={"110": None, "111": "110"})
    # then the row that closes the loop is refused
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (2, "parent_code", "This makes a loop of parents: 110 → 111 → 110.")
    ]


def test_a_loop_inside_the_file_is_reported_on_each_row() -> None:
    parsed = _read("code,name,parent_code\nA,a,B\nB,b,C\nC,c,A\nD,d,A\n")
    assert _where(parsed) == [(2, "parent_code"), (3, "parent_code"), (4, "parent_code")]


def test_a_parent_already_stored_is_accepted() -> None:
    parsed = _read("code,name,parent_code\n111,Pots,110\n", existing={"110": "100", "100": None})
    assert parsed.errors == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name\nPots\n", [(1, "code")]),  # a required column missing
        ("code,name,colour\n1,a,red\n", [(1, "colour")]),  # an unknown column
        ("code,name,name\n1,a,b\n", [(1, "name")]),  # a column twice
        ("\n", [(1, "")]),  # no header at all
        ('code,name\n1,"unterminated\n', [(2, "")]),  # broken quoting
        ('code,name\n1,"a"b\n', [(2, "")]),
        ("code,name\n1,a,\n2,b,c\n", [(3, "")]),  # a cell under no column (an empty one is fine)
    ],
    ids=["missing-column", "unknown-column", "repeated-column", "no-header", "unterminated", "bad-quote", "extra"],
)
def test_malformed_files(text: str, expected: list[tuple[int, str]]) -> None:
    assert _where(_read(text)) == expected


def test_bytes_that_are_no_text_are_refused() -> None:
    parsed = csvio.read(b"code,name\n1,\x00a\n", existing={})
    assert [(e.row, e.message) for e in parsed.errors] == [
        (None, "The file contains NUL characters; it is not a CSV file.")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-10%", "'-10%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Cookware", "Cookware"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_escape_cell(value: object, expected: str) -> None:
    assert csvio.escape_cell(value) == expected


def test_an_exported_file_reads_back_to_the_same_values() -> None:
    # given rows with formula-looking values, written by the exporter
    out = io.StringIO()
    csvio.write(
        [list(csvio.EXPORT_COLUMNS), ["=1", "-x", "", "@desc", "", "", "", "no", "", "", "", "0", "", "", ""]], out
    )
    # when read back
    parsed = _read(out.getvalue())
    # then the values are what was exported
    assert parsed.errors == []
    assert parsed.rows[0].values["code"] == "=1"
    assert parsed.rows[0].values["name"] == "-x"
    assert parsed.rows[0].values["description"] == "@desc"
