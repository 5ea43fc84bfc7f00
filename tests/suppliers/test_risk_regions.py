"""Forced-labour high-risk regions found in provinces, sites and credit codes (suppliers.regions, pure)."""

from __future__ import annotations

import pytest

from suppliers import regions


@pytest.mark.parametrize(
    ("place", "flagged"),
    [
        ("Xinjiang", True),
        ("xinjiang", True),
        ("XINJIANG UYGUR AUTONOMOUS REGION", True),
        ("Xinjiang Uyghur Autonomous Region", True),
        ("Xin Jiang", True),
        ("Xin-jiang", True),
        ("\uff38\uff49\uff4e\uff4a\uff49\uff41\uff4e\uff47", True),  # in full-width letters
        ("Sinkiang", True),
        ("新疆", True),
        ("新疆维吾尔自治区", True),
        ("新疆维吾尔自治区乌鲁木齐市", True),
        ("新疆生产建设兵团", True),
        ("Urumqi, Xinjiang", True),
        ("Zhejiang", False),
        ("浙江省", False),
        ("Jiangsu", False),
        ("Guangdong", False),
        ("Jiangxi", False),  # shares letters with Xinjiang, not the name
        ("Tibet", False),
        ("", False),
        ("   ", False),
    ],
)
def test_places(place: str, flagged: bool) -> None:
    assert (regions.region_of_place(place) is regions.XINJIANG) is flagged


@pytest.mark.parametrize(
    ("code", "division", "flagged"),
    [
        ("91650100MA776XQ17K", "650100", True),  # Urumqi
        ("91652801MA78A1B2C3", "652801", True),  # Korla, Bayingolin
        ("91654002313561234X", "654002", True),  # Yining, Ili
        ("91659001MA775ABCDE", "659001", True),  # Shihezi, a Corps city
        ("12660000MB1234567X", "660000", True),  # the Production and Construction Corps
        ("91 650100 MA776XQ17K", None, False),  # not shaped like a code: nothing read from it
        ("91650100ma776xq17k", "650100", True),  # case does not matter
        ("91330200MA2AB3CD4E", "330200", False),  # Ningbo, Zhejiang
        ("91440300MA5DXXXXXX", "440300", False),  # Shenzhen
        ("91640100MA76ABCDEF", "640100", False),  # Yinchuan, Ningxia: 64, not 65
        ("9165010", None, False),  # too short
        ("", None, False),
    ],
)
def test_credit_codes(code: str, division: str | None, flagged: bool) -> None:
    assert regions.division_code(code) == division
    assert (regions.region_of_credit_code(code) is regions.XINJIANG) is flagged


def test_hits_name_every_place() -> None:
    hits = regions.region_hits(
        province="Xinjiang",
        sites=[("Kashgar cotton mill", "新疆"), ("Ningbo plant", "Zhejiang")],
        credit_code="91650100MA776XQ17K",
    )
    assert [(h.where, h.detail) for h in hits] == [
        ("province", "Xinjiang"),
        ("site", "Kashgar cotton mill"),
        ("credit_code", "650100"),
    ]


def test_no_hits_for_a_supplier_elsewhere() -> None:
    assert regions.region_hits(province="Zhejiang", sites=[("Plant", "Jiangsu")], credit_code="") == []
