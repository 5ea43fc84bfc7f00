"""What every list page does with its query string: a page of a chosen size, and a sort from the list's own
allow-list. Used by the list views with the includes ``_pager.html`` and ``_sort_header.html`` (through the
``lists`` template tags).

A bad ``page_size`` or ``sort`` is not a 500 and not silently read as something else: the page says what was
ignored (as it does for a bad filter) and shows its default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def page_size(request: HttpRequest, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The rows a page the viewer chose (``?page_size=``), one of ``PAGE_SIZES``; anything else is reported
    on the page and the default is used."""
    raw = request.GET.get("page_size", "").strip()
    if not raw:
        return default
    if raw.isdigit() and int(raw) in PAGE_SIZES:
        return int(raw)
    messages.error(
        request,
        _("“%(value)s” is not a page size (choose %(sizes)s); %(default)s rows a page are shown.")
        % {"value": raw[:20], "sizes": ", ".join(str(s) for s in PAGE_SIZES), "default": default},
    )
    return default


class _Counted(Paginator):
    """A paginator told its count, for a list whose totals query counts the rows already."""

    def __init__(self, rows: Any, per_page: int, count: int) -> None:
        super().__init__(rows, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def list_page(
    request: HttpRequest, rows: Any, *, default_size: int = DEFAULT_PAGE_SIZE, count: int | None = None
) -> Page:
    """One page of ``rows`` (a queryset or a list), of the size the viewer chose. A page number past the end
    shows the last page; one that is not a number, the first (``Paginator.get_page``). ``count``, when the
    caller knows it, saves the count query."""
    size = page_size(request, default_size)
    paginator = Paginator(rows, size) if count is None else _Counted(rows, size, count)
    return paginator.get_page(request.GET.get("page"))


@dataclass(frozen=True)
class Sorting:
    """The list's current sort: ``key`` is the allowed column (``"amount"``), ``descending`` its direction,
    ``order_by`` the ORM ordering it maps to, ending with the id as a tie-breaker so pages never overlap."""

    key: str
    descending: bool
    order_by: tuple[str, ...]
    default: str  # the sort value of the list's default order ("-amount"), so a header can return to it

    @property
    def value(self) -> str:
        return ("-" if self.descending else "") + self.key

    def apply(self, queryset: Any) -> Any:
        return queryset.order_by(*self.order_by)


def _reversed(field: str) -> str:
    return field[1:] if field.startswith("-") else "-" + field


def sorting(
    request: HttpRequest, columns: Mapping[str, Sequence[str]], *, default: str, tie_breaker: str = "id"
) -> Sorting:
    """The sort the viewer asked for (``?sort=amount`` ascending, ``?sort=-amount`` descending), from
    ``columns`` (key → the ORM ordering of that column ascending). Unknown keys are reported on the page and
    the list keeps ``default``. The ordering always ends with ``tie_breaker`` in the column's direction."""
    raw = request.GET.get("sort", "").strip()
    wanted = raw or default
    key = wanted.removeprefix("-")
    if key not in columns:
        messages.error(
            request,
            _("The list cannot be sorted by “%(value)s”; it is shown in its usual order.") % {"value": raw[:40]},
        )
        wanted, key = default, default.removeprefix("-")
    descending = wanted.startswith("-")
    fields = [(_reversed(f) if descending else f) for f in columns[key]]
    tie = _reversed(tie_breaker) if descending else tie_breaker
    if tie not in fields and _reversed(tie) not in fields:
        fields.append(tie)
    return Sorting(key=key, descending=descending, order_by=tuple(fields), default=default)


@dataclass(frozen=True)
class _KeysetCount:
    count: int
    per_page: int
    num_pages: int = 0  # a keyset list links to the first and the next page only


@dataclass(frozen=True)
class KeysetPage:
    """A page of a list paged by cursor (``?after=``), read by ``_pager.html`` as it reads a ``Page``: the
    count and the rows shown, and links to the first and the next page (query strings, filters kept)."""

    paginator: _KeysetCount
    start: int
    shown: int
    first_query: str
    next_query: str
    keyset: bool = True

    def start_index(self) -> int:
        return self.start if self.shown else 0

    def end_index(self) -> int:
        return self.start + self.shown - 1 if self.shown else 0


def keyset_page(request: HttpRequest, *, total: int, start: int, shown: int, size: int, cursor: str) -> KeysetPage:
    """The pager of a cursor-paged list: ``start`` is the first row's place (from 1), ``cursor`` the next
    page's ('' on the last)."""
    query = request.GET.copy()
    query.pop("after", None)
    first = query.urlencode() if request.GET.get("after") else ""
    if cursor:
        query["after"] = cursor
    return KeysetPage(
        paginator=_KeysetCount(count=total, per_page=size),
        start=start,
        shown=shown,
        first_query=first,
        next_query=query.urlencode() if cursor else "",
    )
