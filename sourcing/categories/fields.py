"""Checking one category field at a time, the same way for forms, the API and CSV rows. No queries: what
needs the database (unique codes, parents, owners) is checked by the services. Pure: no ORM."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from sourcing.categories.kraljic import SCORES
from sourcing.categories.requirements import AuditType, CertificationType, ComplianceRequirement, Segment

CODE_MAX = 50  # the longest code and name a category keeps (its model reads these)
NAME_MAX = 200
LEAD_TIME_MAX = 3650  # ten years: anything longer is a typing mistake

# The JSON list fields and the vocabulary each one takes its values from.
REQUIREMENT_FIELDS: dict[str, type[models.TextChoices]] = {
    "compliance_requirements": ComplianceRequirement,
    "required_certifications": CertificationType,
    "required_audits": AuditType,
}


class FieldError(ValueError):
    """One field's value is not acceptable; the message says why, for the person who typed it."""


def clean_code(value: Any) -> str:
    code = str(value or "").strip()
    if not code:
        raise FieldError(_("A code is required."))
    if len(code) > CODE_MAX:
        raise FieldError(_("At most %(n)d characters.") % {"n": CODE_MAX})
    return code


def clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise FieldError(_("A name is required."))
    if len(name) > NAME_MAX:
        raise FieldError(_("At most %(n)d characters.") % {"n": NAME_MAX})
    return name


def clean_text(value: Any) -> str:
    return str(value or "").strip()


def clean_segment(value: Any) -> str:
    """A segment value; its label (any case) is accepted too, as people type labels in spreadsheets."""
    text = str(value or "").strip()
    if not text:
        return ""
    for segment in Segment:
        if text.casefold() in {segment.value, str(segment.label).casefold()}:
            return segment.value
    raise FieldError(_("Use one of: %(values)s.") % {"values": ", ".join(Segment.values)})


def _integer(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise FieldError(_("Enter a whole number.")) from None


def clean_score(value: Any) -> int | None:
    """A Kraljic score, 1 to 5, or empty (not scored yet)."""
    score = _integer(value)
    if score is not None and score not in SCORES:
        raise FieldError(_("Scores run from 1 to 5."))
    return score


def clean_lead_time(value: Any) -> int | None:
    days = _integer(value)
    if days is not None and not 0 <= days <= LEAD_TIME_MAX:
        raise FieldError(_("Enter a number of days from 0 to %(max)d.") % {"max": LEAD_TIME_MAX})
    return days


_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


def clean_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(_("Use yes or no."))


def clean_requirements(values: Any, choices: type[models.TextChoices]) -> list[str]:
    """A list of vocabulary values, without repeats, in the vocabulary's own order (so equal sets compare
    equal and "nothing changed" is recognised)."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise FieldError(_("Send a list of values."))
    given = [str(v).strip() for v in values]
    unknown = sorted({v for v in given if v not in choices.values})
    if unknown:
        raise FieldError(
            _("Unknown value: %(unknown)s. Use: %(values)s.")
            % {"unknown": ", ".join(unknown), "values": ", ".join(choices.values)}
        )
    return [v for v in choices.values if v in given]
