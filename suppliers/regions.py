"""Forced-labour high-risk regions, found in the places a supplier names: its province, its sites' provinces,
and the administrative division code inside its unified social credit code. Pure: no ORM.

The list follows the U.S. Uyghur Forced Labor Prevention Act (2021), whose rebuttable presumption covers goods
made wholly or in part in the Xinjiang Uyghur Autonomous Region. A unified social credit code (GB 32100-2015)
carries the registering authority's division code (GB/T 2260) in characters 3 to 8; Xinjiang's codes start
with 65, and the Xinjiang Production and Construction Corps, a sanctioned entity in its own right, registers
under 66.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    key: str
    name: str  # English, for titles
    names: tuple[str, ...]  # name forms, matched in normalised text (see _normalise)
    division_prefixes: tuple[str, ...]  # of a GB/T 2260 division code


XINJIANG = Region(
    key="xinjiang",
    name="Xinjiang Uyghur Autonomous Region",
    names=("xinjiang", "sinkiang", "新疆", "新疆维吾尔自治区", "新疆生产建设兵团"),
    division_prefixes=("65", "66"),
)

HIGH_RISK_REGIONS: tuple[Region, ...] = (XINJIANG,)

_CREDIT_CODE = re.compile(r"^[0-9A-Z]{2}(\d{6})[0-9A-Z]{10}$")
_SEPARATORS = re.compile(r"[\s\-_.,·'\u2019]+")


def _normalise(text: str) -> str:
    """Case, width and spacing folded, so "XinJiang", "Xin Jiang" and full-width letters read alike."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def region_of_place(text: str) -> Region | None:
    """The high-risk region a province (or any place name) is in, or None."""
    place = _normalise(text)
    if not place:
        return None
    for region in HIGH_RISK_REGIONS:
        if any(_normalise(name) in place for name in region.names):
            return region
    return None


def division_code(credit_code: str) -> str | None:
    """The six-digit division code of a unified social credit code, or None when it is not shaped like one."""
    match = _CREDIT_CODE.match((credit_code or "").strip().upper())
    return match.group(1) if match else None


def region_of_credit_code(credit_code: str) -> Region | None:
    code = division_code(credit_code)
    if code is None:
        return None
    for region in HIGH_RISK_REGIONS:
        if code.startswith(region.division_prefixes):
            return region
    return None


@dataclass(frozen=True)
class RegionHit:
    region: Region
    where: str  # "province", "site" or "credit_code"
    detail: str  # the province, the site's name, or the division code


def region_hits(*, province: str, sites: list[tuple[str, str]], credit_code: str) -> list[RegionHit]:
    """Every place that puts a supplier in a high-risk region: its own province, each site given as
    (name, province), and its credit code's division code."""
    hits = []
    region = region_of_place(province)
    if region is not None:
        hits.append(RegionHit(region, "province", province.strip()))
    for name, site_province in sites:
        region = region_of_place(site_province)
        if region is not None:
            hits.append(RegionHit(region, "site", name))
    region = region_of_credit_code(credit_code)
    if region is not None:
        hits.append(RegionHit(region, "credit_code", division_code(credit_code) or ""))
    return hits
