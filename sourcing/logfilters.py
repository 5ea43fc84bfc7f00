"""Logging filters."""

from __future__ import annotations

import logging


class NoTracebackForClientErrors(logging.Filter):
    """Django logs a traceback with every 403/404 raised as an exception; for client errors that is noise.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
