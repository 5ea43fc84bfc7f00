"""Company-name keys: the spellings an ERP, an agent and a licence use for one company meet; different
companies stay apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suppliers.names import name_key

# As Chinese documents often carry Latin names: full-width characters (U+FF01 onwards).
FULL_WIDTH = "".join(
    chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" for ch in "Foshan Meijia Ceramics Co., Ltd."
)


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (
            [
                "Ningbo Everbright Housewares Co., Ltd.",
                "NINGBO EVERBRIGHT HOUSEWARES CO LTD",
                "Ningbo Everbright Housewares Company Limited",
                "ningbo everbright housewares co.,ltd",
                "Ningbo Everbright Housewares Co., Limited",
            ],
            "ningbo everbright housewares",
        ),
        (
            ["宁波永辉家居用品有限公司", "宁波永辉家居用品股份有限公司", "宁波永辉家居用品有限责任公司"],
            "宁波永辉家居用品",
        ),
        (["Yiwu Sunrise Trading (HK) Co., Ltd.", "Yiwu Sunrise Trading (Hong Kong) Co Ltd"], "yiwu sunrise trading"),
        (["Peakline Outdoor, Inc.", "PEAKLINE OUTDOOR INC", "Peakline Outdoor Incorporated"], "peakline outdoor"),
        (["Grupo Industrial Norte S.A. de C.V.", "Grupo Industrial Norte SA de CV"], "grupo industrial norte"),
        ([FULL_WIDTH], "foshan meijia ceramics"),
    ],
)
def test_spellings_of_one_company_share_a_key(spellings: list[str], key: str) -> None:
    assert {name_key(s) for s in spellings} == {key}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ningbo Everbright Housewares Co., Ltd.", "Ningbo Everbright Plastics Co., Ltd."),
        ("宁波永辉家居用品有限公司", "宁波永辉塑料制品有限公司"),
        ("Qingdao Northstar Textile Co., Ltd.", "Qingdao Northstar Textile Machinery Co., Ltd."),
        ("Sunrise (Vietnam) Co., Ltd.", "Sunrise Co., Ltd."),  # only Hong Kong tags are dropped
    ],
)
def test_different_companies_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("name", "key"), [("Co., Ltd.", "co ltd"), ("有限公司", "有限公司"), ("", ""), ("   ", ""), ("Limited", "limited")]
)
def test_a_name_that_is_only_a_legal_form_is_kept_whole(name: str, key: str) -> None:
    assert name_key(name) == key


@given(st.text(max_size=60))
def test_key_is_idempotent(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)
