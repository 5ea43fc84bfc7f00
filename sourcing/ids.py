"""Ids that arrive from outside (a URL, a form, a request body)."""

from __future__ import annotations

import uuid
from typing import Any


def as_uuid(value: Any) -> uuid.UUID | None:
    """The id, or None when the value is not an id at all (which then reads as a missing object)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
