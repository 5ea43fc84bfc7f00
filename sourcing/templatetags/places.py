"""``{% place obj %}``: a record's city, province and country in the viewer's language (``sourcing.places``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from sourcing import places

register = template.Library()


@register.simple_tag
def place(obj: Any) -> str:
    return places.location(
        city=getattr(obj, "city", "") or "",
        province=getattr(obj, "province", "") or "",
        country=getattr(obj, "country", "") or "",
        language=get_language() or "en",
    )


@register.filter
def country_name(code: str) -> str:
    """A country code as the reader writes it: "中国" in Chinese, the ISO code otherwise."""
    chinese = (get_language() or "").lower().startswith("zh")
    return places.country_zh(code) if chinese and code else (code or "")
