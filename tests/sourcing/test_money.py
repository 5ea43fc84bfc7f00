"""The one money rule every page follows (``sourcing.money``) and its template filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from sourcing.money import NumberStyle, figure, minor_units, money

NB = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("currency", "places"),
    [("USD", 2), ("CNY", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3), ("CLF", 4), ("usd", 2)],
)
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert minor_units(currency) == places


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.56"), "USD", f"USD{NB}1,234.56"),
        (Decimal("1234.565"), "USD", f"USD{NB}1,234.57"),  # half up
        (Decimal("0"), "USD", f"USD{NB}0.00"),
        (Decimal("-1234.5"), "USD", f"{MINUS}USD{NB}1,234.50"),
        (Decimal("-0.001"), "USD", f"USD{NB}0.00"),  # rounds to zero: no minus
        (Decimal("96218129"), "CNY", f"CNY{NB}96,218,129.00"),
        (Decimal("1234567.8"), "JPY", f"JPY{NB}1,234,568"),
        (Decimal("1234.5678"), "BHD", f"BHD{NB}1,234.568"),
        (1234, "EUR", f"EUR{NB}1,234.00"),
        (1234.5, "EUR", f"EUR{NB}1,234.50"),
        ("12.3", "eur", f"EUR{NB}12.30"),
        (None, "USD", "—"),
        ("", "USD", "—"),
        ("n/a", "USD", "—"),
        (Decimal("12.5"), "", "12.50"),  # no currency: the figure alone
    ],
)
def test_an_amount_reads_with_its_code_grouped_in_its_minor_units(amount: Any, currency: str, shown: str) -> None:
    assert money(amount, currency) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1.5"), "USD", f"USD{NB}1.50"),  # never fewer than the currency's own decimals
        (Decimal("1.23456"), "USD", f"USD{NB}1.2346"),  # at most four
        (Decimal("1.2300"), "USD", f"USD{NB}1.23"),  # trailing zeros beyond the minor units dropped
        (Decimal("0.0125"), "CNY", f"CNY{NB}0.0125"),
        (Decimal("120"), "JPY", f"JPY{NB}120"),
        (Decimal("120.5"), "JPY", f"JPY{NB}120.5"),
        (Decimal("1234.5"), "USD", f"USD{NB}1,234.50"),
        (Decimal("-0.125"), "USD", f"{MINUS}USD{NB}0.125"),
    ],
)
def test_a_unit_price_keeps_up_to_four_decimals(amount: Any, currency: str, shown: str) -> None:
    assert money(amount, currency, unit_price=True) == shown


def test_the_locale_sets_the_separators() -> None:
    style = NumberStyle(decimal=",", thousands=".", grouping=3)
    assert figure(Decimal("1234567.891"), "EUR", style) == "1.234.567,89"
    assert figure(Decimal("1234567"), "EUR", NumberStyle(thousands="", grouping=3)) == "1234567.00"


@pytest.mark.parametrize(
    ("language", "template", "shown"),
    [
        ("en", "{{ a|money:'USD' }}", f"USD{NB}1,234,567.89"),
        ("zh-hans", "{{ a|money:'CNY' }}", f"CNY{NB}1,234,567.89"),  # grouped by three, as business documents
        ("en", "{{ a|money:'JPY' }}", f"JPY{NB}1,234,568"),
        ("en", "{{ a|money_figure:'USD' }}", "1,234,567.89"),
        ("en", "{{ p|unit_price:'USD' }}", f"USD{NB}0.1235"),
        ("en", "{{ p|unit_price_figure:'JPY' }}", "0.1235"),
        ("en", "{{ n|money:'USD' }}", f"{MINUS}USD{NB}5.00"),
        ("en", "{{ none|money:'USD' }}", "—"),
    ],
)
def test_the_filters_group_by_the_viewers_locale(language: str, template: str, shown: str) -> None:
    context = Context({"a": Decimal("1234567.891"), "p": Decimal("0.12345"), "n": Decimal("-5"), "none": None})
    with translation.override(language):
        assert Template("{% load money %}" + template).render(context) == shown
