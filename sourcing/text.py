"""Text that arrives from outside (forms, API bodies and query strings, spend files) is refused when it holds
control characters: PostgreSQL cannot store NUL, and spreadsheets (openpyxl) refuse the other C0 characters,
so one such character would break every export of the list it lands in. Tab, line feed and carriage return are
text in a multi-line field (a description, a note) and refused in a single-line one (a name, a code)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# The same, with tab, line feed and carriage return: what a single-line field refuses.
SINGLE_LINE_CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"
_MULTI_LINE = re.compile(CONTROL_CHARACTERS)
_SINGLE_LINE = re.compile(SINGLE_LINE_CONTROL_CHARACTERS)

CONTROL_CHARACTER_MESSAGE = _("Contains a control character, which is not allowed.")
LINE_BREAK_MESSAGE = _("Contains a line break or tab, which is not allowed here.")


def control_character_error(value: str, *, multiline: bool) -> str | None:
    """Why ``value`` is refused, or None when it is acceptable text."""
    if _MULTI_LINE.search(value):
        return str(CONTROL_CHARACTER_MESSAGE)
    if not multiline and _SINGLE_LINE.search(value):
        return str(LINE_BREAK_MESSAGE)
    return None


def visible(text: str) -> str:
    """``text`` fit to show back in an error (and to store in one): every control character replaced by U+FFFD."""
    return _SINGLE_LINE.sub("\ufffd", text)


def validate_single_line(value: Any) -> None:
    """A form or serializer validator for names, codes and other single-line text."""
    if isinstance(value, str):
        error = control_character_error(value, multiline=False)
        if error:
            raise ValidationError(error, code="control_character")


def validate_multi_line(value: Any) -> None:
    """A form or serializer validator for descriptions, notes and other multi-line text."""
    if isinstance(value, str):
        error = control_character_error(value, multiline=True)
        if error:
            raise ValidationError(error, code="control_character")
