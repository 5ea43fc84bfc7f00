"""One HTTP POST of a webhook: no redirects followed (a 3xx is the answer), a short timeout, the response
body read only a little (its status is what counts). With ``address``, the connection goes to that address
(the one the target check passed) while the Host header and TLS certificate check keep the URL's name."""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "Sourcewise-Webhooks/1"
READ_LIMIT = 4096


@dataclass(frozen=True)
class Answer:
    status: int | None  # None when no HTTP answer came (refused, timed out, bad TLS)
    error: str
    retry_after: int | None = None  # seconds, when the receiver said so (429, 503)


def _retry_after(value: str | None) -> int | None:
    """``Retry-After`` in seconds; the HTTP-date form is not honoured (the schedule applies)."""
    try:
        seconds = int((value or "").strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _connection(url: str, timeout: float, address: str | None) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout)
    if address is not None:

        def pinned(where: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
            return socket.create_connection((address, where[1]), *args, **kwargs)

        connection._create_connection = pinned  # type: ignore[attr-defined]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return connection, path


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, address: str | None = None) -> Answer:
    if not url.lower().startswith(("http://", "https://")):
        return Answer(None, "Only http:// and https:// URLs are sent to.")
    connection, path = _connection(url, timeout, address)
    try:
        connection.request("POST", path, body=body, headers={**headers, "user-agent": USER_AGENT})
        response = connection.getresponse()
        detail = response.read(READ_LIMIT)
        if 200 <= response.status < 300:
            return Answer(response.status, "")
        text = detail[:300].decode("utf-8", "replace").strip()
        error = f"HTTP {response.status} {response.reason}" + (f": {text}" if text else "")
        return Answer(response.status, error, _retry_after(response.getheader("retry-after")))
    except TimeoutError:
        return Answer(None, "timed out")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(None, str(exc) or type(exc).__name__)
    finally:
        connection.close()
