"""The list pages' shared query handling: page sizes and sorts from an allow-list, bad values reported."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import Context, Template
from django.test import RequestFactory

from sourcing.list_views import PAGE_SIZES, list_page, page_size, sorting

COLUMNS = {"name": ("name",), "amount": ("amount", "name"), "raised": ("created_at",)}


def _request(**query: str) -> Any:
    request = RequestFactory().get("/t/acme/things/", query)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request: Any) -> list[str]:
    return [str(m) for m in get_messages(request)]


@pytest.mark.parametrize(("raw", "size"), [("", 50), ("25", 25), ("50", 50), ("100", 100), ("200", 200)])
def test_a_page_size_from_the_list_is_used(raw: str, size: int) -> None:
    request = _request(page_size=raw)
    assert page_size(request) == size
    assert _messages(request) == []


@pytest.mark.parametrize("raw", ["7", "0", "-25", "1000", "abc", "25.0", "2" * 40])
def test_any_other_page_size_is_reported_and_the_default_used(raw: str) -> None:
    request = _request(page_size=raw)
    assert page_size(request) == 50
    (message,) = _messages(request)
    assert message.startswith(f"“{raw[:20]}” is not a page size (choose 25, 50, 100, 200)")


def test_a_page_counts_the_whole_list_and_a_page_past_the_end_is_the_last() -> None:
    page = list_page(_request(page_size="25", page="99"), list(range(1234)))
    assert (page.paginator.count, page.number, page.start_index(), page.end_index()) == (1234, 50, 1226, 1234)
    assert PAGE_SIZES == (25, 50, 100, 200)


@pytest.mark.parametrize(
    ("raw", "key", "descending", "order_by"),
    [
        ("", "amount", True, ("-amount", "-name", "-id")),  # the default
        ("name", "name", False, ("name", "id")),
        ("-name", "name", True, ("-name", "-id")),
        ("amount", "amount", False, ("amount", "name", "id")),
        ("raised", "raised", False, ("created_at", "id")),
    ],
)
def test_a_sort_maps_an_allowed_column_to_its_ordering_with_the_id_last(
    raw: str, key: str, descending: bool, order_by: tuple[str, ...]
) -> None:
    request = _request(sort=raw)
    sort = sorting(request, COLUMNS, default="-amount")
    assert (sort.key, sort.descending, sort.order_by) == (key, descending, order_by)
    assert _messages(request) == []


@pytest.mark.parametrize("raw", ["created_at", "-password", "name;drop", "tenant__name", "--name", "id"])
def test_a_sort_outside_the_allow_list_is_reported_and_the_default_kept(raw: str) -> None:
    request = _request(sort=raw)
    sort = sorting(request, COLUMNS, default="-amount")
    assert sort.order_by == ("-amount", "-name", "-id")
    (message,) = _messages(request)
    assert message == f"The list cannot be sorted by “{raw}”; it is shown in its usual order."


def test_an_ordering_that_already_ends_with_the_id_is_not_given_it_twice() -> None:
    sort = sorting(_request(sort="-ref"), {"ref": ("code", "id")}, default="ref")
    assert sort.order_by == ("-code", "-id")


def _header(query: dict[str, str], default: str = "-amount") -> str:
    request = _request(**query)
    sort = sorting(request, COLUMNS, default=default)
    template = Template(
        '{% load lists %}{% sort_header "amount" "Amount" num=True first="-" %}{% sort_header "name" "Name" %}'
    )
    return template.render(Context({"request": request, "sort": sort}))


def test_the_header_shows_the_current_sort_and_links_to_the_other_direction_keeping_filters() -> None:
    html = _header({"sort": "-amount", "status": "open", "page": "3", "page_size": "100"})
    amount, name = html.split("</th>")[:2]
    assert 'aria-sort="descending"' in amount and "↓" in amount
    assert 'href="?sort=amount&amp;status=open&amp;page_size=100"' in amount  # page 1 again, filters kept
    assert "aria-sort" not in name and "↑" not in name
    assert 'href="?sort=name&amp;status=open&amp;page_size=100"' in name
    html = _header({"sort": "name"})
    assert 'aria-sort="ascending"' in html.split("</th>")[1]
    assert "sort=-name" in html.split("</th>")[1]
    assert "sort=-amount" in html.split("</th>")[0]  # an amount column is first sorted largest first


@pytest.mark.parametrize(
    ("language", "count", "sizes"),
    [("en", "1–25 of 1,234", "Rows a page"), ("zh-hans", "第 1–25 条，共 1,234 条", "每页行数")],  # noqa: RUF001
)
def test_the_pager_counts_in_the_viewers_language_and_keeps_the_filters(language: str, count: str, sizes: str) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    request = _request(page_size="25", status="open", sort="-amount")
    page = list_page(request, list(range(1234)))
    with translation.override(language):
        html = render_to_string("_pager.html", {"page": page}, request=request)
    assert count in html and sizes in html
    assert 'href="?page_size=50&amp;status=open&amp;sort=-amount"' in html  # another size, filters kept
    assert 'href="?page_size=25&amp;status=open&amp;sort=-amount&amp;page=50"' in html  # the last page
