"""One HTTP POST of a webhook: no redirects followed (a 3xx is the answer), a short timeout, the response
body read only a little (its status is what counts). With ``address``, the connection goes to that address
(the one the target check passed) while the Host header and TLS certificate check keep the URL's name."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "Sourcewise-Webhooks/1"
READ_LIMIT = 4096
# A whole attempt (connect, send, answer) ends by this many times the per-operation timeout: a receiver that
# trickles a byte now and then cannot hold a worker (and its delivery's row) for longer.
ATTEMPT_TIMEOUTS = 2


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


def _abort(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    """End the attempt from outside: a blocked send or read returns at once with an error."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, address: str | None = None) -> Answer:
    """POST ``body``; each operation waits at most ``timeout`` seconds, the whole attempt ``ATTEMPT_TIMEOUTS``
    times that."""
    if not url.lower().startswith(("http://", "https://")):
        return Answer(None, "Only http:// and https:// URLs are sent to.")
    connection, path = _connection(url, timeout, address)
    fired = threading.Event()
    watchdog = threading.Timer(timeout * ATTEMPT_TIMEOUTS, _abort, args=(connection, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers={**headers, "user-agent": USER_AGENT})
        response = connection.getresponse()
        detail = response.read(READ_LIMIT)
        if fired.is_set():
            return Answer(None, "timed out")
        if 200 <= response.status < 300:
            return Answer(response.status, "")
        text = detail[:300].decode("utf-8", "replace").strip()
        error = f"HTTP {response.status} {response.reason}" + (f": {text}" if text else "")
        return Answer(response.status, error, _retry_after(response.getheader("retry-after")))
    except TimeoutError:
        return Answer(None, "timed out")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(None, "timed out" if fired.is_set() else (str(exc) or type(exc).__name__))
    finally:
        watchdog.cancel()
        connection.close()
