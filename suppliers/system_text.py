"""Texts the system writes: the titles of the risk flags it raises and the description of the finding it raises
for a critical audit item not met. Each is kept as a code and its parameters and put into words in the reader's
language when shown, so a flag raised while someone read the pages in English reads in Chinese to the next
person, and the other way round. Texts people type keep their words. Pure: no ORM.

``parse`` and ``parse_finding`` read a text stored as words (in English or Chinese) back into its code and
parameters, for the migration that converted the texts written before codes were kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from sourcing import places as place_names
from sourcing.categories.requirements import CertificationType
from suppliers import regions

REGION = "region"  # params: region (a key of suppliers.regions), places ([where, detail] pairs)
CERTIFICATION_MISSING = "certification_missing"  # params: type (a CertificationType value)
SINGLE_SOURCE = "single_source"  # params: code, name (of the category)
CRITICAL_ITEM = "critical_item_not_met"  # params: item (the checklist item's text), of an audit finding

REGION_NAMES = {regions.XINJIANG.key: gettext_lazy("Xinjiang Uyghur Autonomous Region")}
TITLE_MAX = 300


def region_params(hits: list[regions.RegionHit]) -> dict[str, Any]:
    return {"region": hits[0].region.key, "places": [[hit.where, hit.detail] for hit in hits]}


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _region(params: dict[str, Any]) -> str:
    shown = []
    for where, detail in params["places"]:
        if where == "province":
            place = place_names.province_zh(detail) if _chinese() else detail
            shown.append(_("registered in %(place)s") % {"place": place})
        elif where == "site":
            shown.append(_("site %(site)s") % {"site": detail})
        else:
            shown.append(_("credit code issued in division %(code)s") % {"code": detail})
    region = REGION_NAMES.get(params["region"], params["region"])
    return _("Forced-labour high-risk region (%(region)s): %(places)s") % {
        "region": region,
        "places": "; ".join(shown),
    }


def _certification(params: dict[str, Any]) -> str:
    label = dict(CertificationType.choices).get(params["type"], params["type"])
    return _("Required certification missing or expired: %(type)s") % {"type": label}


def _single_source(params: dict[str, Any]) -> str:
    return _("Single source for %(code)s %(name)s in the last 12 months") % {
        "code": params["code"],
        "name": params["name"],
    }


def _critical_item(params: dict[str, Any]) -> str:
    return _("Critical item not met: %(item)s") % {"item": params["item"]}


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    REGION: _region,
    CERTIFICATION_MISSING: _certification,
    SINGLE_SOURCE: _single_source,
    CRITICAL_ITEM: _critical_item,
}
LIMITS = {CRITICAL_ITEM: None}  # a finding's description is a text field: no length to keep to


def render(code: str, params: dict[str, Any]) -> str:
    """The title in the active language; '' for no code, an unknown one or parameters that do not fit it (the
    caller shows the stored words instead)."""
    renderer = RENDERERS.get(code or "")
    if renderer is None:
        return ""
    try:
        return renderer(params or {})[: LIMITS.get(code, TITLE_MAX)]
    except (KeyError, TypeError, ValueError):
        return ""


def english(code: str, params: dict[str, Any]) -> str:
    """The text in English, kept with the record for search and for the audit log."""
    with override("en"):
        return render(code, params)


# Reading stored words back (the migration)

_REGION_KEYS = {"xinjiang uyghur autonomous region": regions.XINJIANG.key, "新疆维吾尔自治区": regions.XINJIANG.key}
_REGION_TITLE = (
    re.compile(r"^Forced-labour high-risk region \((?P<region>[^)]*)\): (?P<places>.+)$", re.S),
    re.compile(r"^强迫劳动高风险地区（(?P<region>[^）]*)）\uff1a(?P<places>.+)$", re.S),
)
_PLACE_FORMS = (
    ("province", "registered in "),
    ("site", "site "),
    ("division", "credit code issued in division "),
    ("province", "注册地在 "),
    ("site", "场所 "),
    ("division", "信用代码的行政区划代码为 "),
)
_CERTIFICATION_TITLE = (
    re.compile(r"^Required certification missing or expired: .+$", re.S),
    re.compile(r"^所需认证缺失或已过期\uff1a.+$", re.S),
)


def _parse_region(title: str) -> dict[str, Any] | None:
    for pattern in _REGION_TITLE:
        match = pattern.match(title)
        if match is None:
            continue
        region = _REGION_KEYS.get(match["region"].strip().casefold())
        if region is None:
            return None
        found = []
        for part in match["places"].split("; "):
            form = next(((where, part[len(p) :]) for where, p in _PLACE_FORMS if part.startswith(p)), None)
            if form is None or not form[1]:
                return None
            found.append(list(form))
        return {"region": region, "places": found}
    return None


def _parse_single_source(title: str, code: str) -> dict[str, Any] | None:
    forms = ((f"Single source for {code} ", " in the last 12 months"), (f"过去 12 个月内 {code} ", " 品类仅有单一来源"))
    for head, tail in forms:
        if title.startswith(head) and title.endswith(tail) and len(title) > len(head) + len(tail):
            return {"code": code, "name": title[len(head) : -len(tail)]}
    return None


def parse(title: str, source: str) -> tuple[str, dict[str, Any]] | None:
    """The code and parameters of an automatic flag's stored title (English or Chinese words), from its
    ``source`` and title; None when the words are not one of the known titles, or were cut at the title's
    length (the flag then keeps its words)."""
    if len(title) >= TITLE_MAX:
        return None
    if source == "region:forced_labour":
        params = _parse_region(title)
        return (REGION, params) if params else None
    if source.startswith("certification:"):
        cert_type = source.removeprefix("certification:")
        if cert_type and any(p.match(title) for p in _CERTIFICATION_TITLE):
            return CERTIFICATION_MISSING, {"type": cert_type}
        return None
    if source.startswith("dependency:"):
        params = _parse_single_source(title, source.removeprefix("dependency:"))
        return (SINGLE_SOURCE, params) if params else None
    return None


_CRITICAL_ITEM = ("Critical item not met: ", "关键项未满足\uff1a")


def parse_finding(description: str, item_text: str) -> tuple[str, dict[str, Any]] | None:
    """The code and parameters of a finding's stored description when it is the one raised for its critical
    item (``item_text``); None for a description a person wrote."""
    for head in _CRITICAL_ITEM:
        if item_text and description == f"{head}{item_text}":
            return CRITICAL_ITEM, {"item": item_text}
    return None
