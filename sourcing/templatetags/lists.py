"""The sortable column header of list pages: ``{% sort_header "amount" _("Amount") num=True %}`` reads the
page's ``sort`` (``sourcing.list_views.Sorting``) and links to the other direction, keeping the filters and
the page size and starting again at page 1."""

from __future__ import annotations

from typing import Any

from django import template

from sourcing.list_views import PAGE_SIZES

register = template.Library()


@register.inclusion_tag("_sort_header.html", takes_context=True)
def sort_header(context: Any, key: str, label: str, num: bool = False, first: str = "") -> dict[str, Any]:
    """``first="-"`` makes a column's first click sort it descending (amounts: largest first)."""
    sort = context.get("sort")
    current = sort is not None and sort.key == key
    descending = bool(current and sort.descending)
    # the current column flips; another starts in its first direction
    flipped = key if descending else "-" + key
    target = flipped if current else ("-" if first == "-" else "") + key
    query = context["request"].GET.copy()
    query.pop("page", None)
    query.pop("after", None)  # a cursor belongs to its sort
    query["sort"] = target
    return {
        "label": label,
        "num": num,
        "current": current,
        "descending": descending,
        "href": "?" + query.urlencode(),
    }


@register.simple_tag
def page_sizes() -> tuple[int, ...]:
    """The page sizes a viewer may choose (``sourcing.list_views.PAGE_SIZES``)."""
    return PAGE_SIZES
