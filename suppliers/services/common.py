"""Helpers every supplier service shares. Reaching a record from an id is ``suppliers.services.access``."""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext as _

from sourcing.errors import DomainError


def invalid(errors: dict[str, list[str]]) -> DomainError:
    """One error naming every field that is wrong."""
    return DomainError(_("Please correct the fields below."), fields=errors)


class Unset(enum.Enum):
    """The default of a field a caller may leave out: a change touches only the fields it names."""

    UNSET = "unset"


UNSET = Unset.UNSET


def given(**fields: Any) -> dict[str, Any]:
    """The fields the caller gave (those not left ``UNSET``)."""
    return {name: value for name, value in fields.items() if value is not UNSET}
