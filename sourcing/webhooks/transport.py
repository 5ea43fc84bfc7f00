"""One HTTP POST of a webhook: no redirects followed (a 3xx is the answer), a short timeout, the response
body read only a little (its status is what counts)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

USER_AGENT = "Sourcewise-Webhooks/1"
READ_LIMIT = 4096


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError, which is the attempt's answer


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None when no HTTP answer came (refused, timed out, bad TLS)
    error: str


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    if not url.lower().startswith(("http://", "https://")):
        return Answer(None, "Only http:// and https:// URLs are sent to.")
    headers = {**headers, "user-agent": USER_AGENT}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - scheme checked
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(READ_LIMIT)
            return Answer(response.status, "")
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip() if exc.fp else ""
        return Answer(exc.code, f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""))
    except urllib.error.URLError as exc:
        return Answer(None, str(exc.reason))
    except TimeoutError:
        return Answer(None, "timed out")
    except (OSError, ValueError) as exc:
        return Answer(None, str(exc) or type(exc).__name__)
