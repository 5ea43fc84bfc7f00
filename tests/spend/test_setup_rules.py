"""Category rules, the pure matcher: what each field's comparison means and which rule wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from sourcing.spend.columns import CANONICAL_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from sourcing.spend.rules import match_category_rule

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Rule:
    name: str
    field: str
    pattern: str
    priority: int = 100
    created_at: datetime = T0


def _match(rules: list[Rule], cost_center: str = "", description: str = "", supplier_name: str = "") -> str | None:
    found = match_category_rule(rules, cost_center=cost_center, description=description, supplier_name=supplier_name)
    return found.name if found is not None else None


@pytest.mark.parametrize(
    ("field", "pattern", "line", "matches"),
    [
        # cost center: the whole value, ignoring case and surrounding spaces
        ("cost_center", "CC-100", {"cost_center": "CC-100"}, True),
        ("cost_center", "cc-100", {"cost_center": "  CC-100 "}, True),
        ("cost_center", " CC-100 ", {"cost_center": "cc-100"}, True),
        ("cost_center", "CC-100", {"cost_center": "CC-1000"}, False),
        ("cost_center", "CC-100", {"cost_center": "XCC-100"}, False),
        ("cost_center", "CC-100", {"cost_center": ""}, False),
        ("cost_center", "CC-100", {"description": "CC-100"}, False),  # only its own field
        # description: contains, ignoring case
        ("description", "bolt", {"description": "Hex BOLT M8 zinc"}, True),
        ("description", "Hex Bolt", {"description": "hex bolt m8"}, True),
        ("description", "bolt", {"description": "Nut M8"}, False),
        ("description", "bolt", {"description": ""}, False),
        ("description", "bolt", {"supplier_name": "Bolt Co"}, False),
        ("description", "螺栓", {"description": "六角螺栓 M8"}, True),
        # full-width letters (some Chinese exports) match their ordinary forms: "HEX BOLT" written full width
        ("description", "bolt", {"description": "\uff28\uff25\uff38 \uff22\uff2f\uff2c\uff34"}, True),
        # supplier name: contains, ignoring case
        ("supplier_name", "everbright", {"supplier_name": "Ningbo EVERBRIGHT Housewares"}, True),
        ("supplier_name", "Ningbo", {"supplier_name": "Xiamen Peakline"}, False),
        ("supplier_name", "美家", {"supplier_name": "佛山美家陶瓷有限公司"}, True),
        # an empty or blank pattern never matches (it would otherwise match everything)
        ("description", "", {"description": "anything"}, False),
        ("supplier_name", "   ", {"supplier_name": "anything"}, False),
        ("cost_center", "", {"cost_center": ""}, False),
        # an unknown field never matches
        ("po_number", "PO", {"description": "PO"}, False),
    ],
)
def test_one_rule(field: str, pattern: str, line: dict[str, str], matches: bool) -> None:
    # given one rule / when a line is matched / then it matches exactly as the field's comparison says
    assert _match([Rule("r", field, pattern)], **line) == ("r" if matches else None)


def test_lower_priority_number_wins_whatever_the_order_given() -> None:
    # given two rules that both match, the later one with the lower priority number
    rules = [
        Rule("general", "description", "bolt", priority=50),
        Rule("specific", "description", "hex bolt", priority=10, created_at=T0 + timedelta(days=1)),
    ]
    # when / then the lower number wins, in either input order
    assert _match(rules, description="hex bolt m8") == "specific"
    assert _match(list(reversed(rules)), description="hex bolt m8") == "specific"


def test_equal_priority_the_older_rule_wins() -> None:
    # given two matching rules of equal priority
    older = Rule("older", "supplier_name", "ningbo", created_at=T0)
    newer = Rule("newer", "description", "bolt", created_at=T0 + timedelta(seconds=1))
    # when / then the one created first wins, in either input order
    assert _match([newer, older], description="bolt", supplier_name="Ningbo Tools") == "older"
    assert _match([older, newer], description="bolt", supplier_name="Ningbo Tools") == "older"


def test_a_non_matching_rule_does_not_stop_the_search() -> None:
    # given a first rule that does not match and a later one that does
    rules = [Rule("cc", "cost_center", "CC-1", priority=1), Rule("desc", "description", "tape", priority=2)]
    # when / then the later one is found; with nothing matching, nothing is
    assert _match(rules, cost_center="CC-2", description="Packing tape") == "desc"
    assert _match(rules, cost_center="CC-2", description="Glue") is None
    assert _match([], description="tape") is None


def test_none_values_are_treated_as_empty() -> None:
    rules = [Rule("r", "description", "tape")]
    assert match_category_rule(rules, cost_center=None, description=None, supplier_name=None) is None


def test_the_canonical_columns() -> None:
    # the importer relies on these exact names
    assert CANONICAL_COLUMNS == (
        "invoice_date",
        "invoice_number",
        "supplier_name",
        "supplier_erp_id",
        "category_code",
        "item_sku",
        "description",
        "quantity",
        "uom",
        "unit_price",
        "currency",
        "amount",
        "po_number",
        "cost_center",
    )
    assert REQUIRED_COLUMNS == (
        "invoice_date",
        "invoice_number",
        "supplier_name",
        "quantity",
        "unit_price",
        "currency",
        "amount",
    )
    assert set(REQUIRED_COLUMNS) | OPTIONAL_COLUMNS == set(CANONICAL_COLUMNS)
