"""Helpers every supplier service shares. Reaching a record from an id is ``suppliers.services.access``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sourcing.errors import DomainError


def invalid(errors: dict[str, list[str]]) -> DomainError:
    """One error naming every field that is wrong."""
    return DomainError(_("Please correct the fields below."), fields=errors)
