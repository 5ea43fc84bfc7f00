"""The titles of the savings findings the analyses raise, kept as a code and its parameters and put into words
in the reader's language when shown (like ``suppliers.system_text`` for risk flags): findings are raised from a
page, and the person who pressed the button reads in one language, the team in others. A title a person
changes keeps their words. Pure: no ORM.

``parse`` reads a title stored as words (English or Chinese) back into its code and parameters, for the
migration that converted the findings raised before codes were kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

PRICE_VARIANCE = "price_variance"  # params: sku, spread (a percentage, as text)
MAVERICK = "maverick"  # params: pct (as text), category (its label)
DUPLICATE_SUPPLIERS = "duplicate_suppliers"  # params: names (a list)
SINGLE_SOURCE = "single_source"  # params: category (its label), supplier (its name)
TITLE_MAX = 300


def _price_variance(p: dict[str, Any]) -> str:
    return _("%(sku)s bought at prices up to %(spread)s%% apart") % {"sku": p["sku"], "spread": p["spread"]}


def _maverick(p: dict[str, Any]) -> str:
    return _("%(pct)s%% of %(category)s spend without a PO or an approved supplier") % {
        "pct": p["pct"],
        "category": p["category"],
    }


def _duplicates(p: dict[str, Any]) -> str:
    names = p["names"]
    if not isinstance(names, list):
        raise TypeError("names")
    return _("Probably one company: %(names)s") % {"names": " / ".join(str(n) for n in names)}


def _single_source(p: dict[str, Any]) -> str:
    return _("%(category)s depends on one supplier, %(supplier)s") % {
        "category": p["category"],
        "supplier": p["supplier"],
    }


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    PRICE_VARIANCE: _price_variance,
    MAVERICK: _maverick,
    DUPLICATE_SUPPLIERS: _duplicates,
    SINGLE_SOURCE: _single_source,
}


def render(code: str, params: dict[str, Any]) -> str:
    """The title in the active language; '' for no code, an unknown one or parameters that do not fit it."""
    renderer = RENDERERS.get(code or "")
    if renderer is None:
        return ""
    try:
        return renderer(params or {})[:TITLE_MAX]
    except (KeyError, TypeError, ValueError):
        return ""


def english(code: str, params: dict[str, Any]) -> str:
    """The title in English, kept with the finding for search, exports of old and the audit log."""
    with override("en"):
        return render(code, params)


# Reading stored words back (the migration): (code, pattern) in English, then in Chinese
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (PRICE_VARIANCE, re.compile(r"^(?P<sku>.+) bought at prices up to (?P<spread>[0-9.]+)% apart$", re.S)),
    (PRICE_VARIANCE, re.compile(r"^(?P<sku>.+) 的采购价格相差高达 (?P<spread>[0-9.]+)%$", re.S)),
    (MAVERICK, re.compile(r"^(?P<pct>[0-9.]+)% of (?P<category>.+) spend without a PO or an approved supplier$", re.S)),
    (MAVERICK, re.compile(r"^(?P<category>.+) 有 (?P<pct>[0-9.]+)% 的支出无 PO 或非来自已批准供应商$", re.S)),
    (DUPLICATE_SUPPLIERS, re.compile(r"^Probably one company: (?P<names>.+)$", re.S)),
    (DUPLICATE_SUPPLIERS, re.compile(r"^疑似同一家公司\uff1a(?P<names>.+)$", re.S)),
    (SINGLE_SOURCE, re.compile(r"^(?P<category>.+) depends on one supplier, (?P<supplier>.+)$", re.S)),
    (SINGLE_SOURCE, re.compile(r"^(?P<category>.+) 依赖单一供应商 (?P<supplier>.+)$", re.S)),
]


def parse(title: str, kind: str, supplier_names: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The code and parameters of a raised finding's stored title (``kind`` is its FindingKind value, whose
    values are the codes; ``supplier_names`` the names it was raised with); None when the words are not that
    kind's title or were cut at the title's length."""
    if len(title) >= TITLE_MAX:
        return None
    for code, pattern in _PATTERNS:
        match = pattern.match(title) if code == kind else None
        if match is None:
            continue
        params: dict[str, Any] = match.groupdict()
        if code == DUPLICATE_SUPPLIERS:
            if " / ".join(supplier_names) != params["names"]:
                return None  # a name with " / " in it: the list cannot be told from the words
            params = {"names": list(supplier_names)}
        return code, params
    return None
