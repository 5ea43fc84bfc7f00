"""One domain error type; the API maps it to one error format and pages show its message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that cannot be carried out as asked. ``fields`` names the offending input."""

    status = 400
    code = "invalid"
    details: Any = None  # more for the API's error body (e.g. the candidates of a possible duplicate)

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def with_status(self, status: int) -> DomainError:
        self.status = status
        return self


class NotFoundError(DomainError):
    """Missing, or another tenant's: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class ScopeError(DomainError):
    status = 403
    code = "permission_denied"


class ConflictError(DomainError):
    status = 409
    code = "conflict"
