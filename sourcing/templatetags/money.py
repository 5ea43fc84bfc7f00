"""Money on every page, by one rule (``sourcing.money``), grouped by the viewer's locale.

``{{ line.amount|money:line.currency }}`` → ``USD 1,234.56``; ``{{ line.unit_price|unit_price:line.currency }}``
→ ``USD 1.2346``; ``{{ r.spend|money_figure:currency }}`` → ``1,234.56`` in a column whose header names the
currency.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import get_format

from sourcing import money as rule

register = template.Library()


def _style() -> rule.NumberStyle:
    return rule.NumberStyle(
        decimal=str(get_format("DECIMAL_SEPARATOR")),
        thousands=str(get_format("THOUSAND_SEPARATOR")),
        grouping=int(get_format("NUMBER_GROUPING") or 0),
    )


@register.filter(name="money")
def money(amount: Any, currency: Any) -> str:
    return rule.money(amount, str(currency or ""), _style())


@register.filter(name="unit_price")
def unit_price(amount: Any, currency: Any) -> str:
    return rule.money(amount, str(currency or ""), _style(), unit_price=True)


@register.filter(name="money_figure")
def money_figure(amount: Any, currency: Any) -> str:
    return rule.figure(amount, str(currency or ""), _style())


@register.filter(name="unit_price_figure")
def unit_price_figure(amount: Any, currency: Any) -> str:
    return rule.figure(amount, str(currency or ""), _style(), unit_price=True)
