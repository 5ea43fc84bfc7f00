"""Which URLs a webhook may be sent to. Production refuses private, loopback, link-local, multicast, reserved
and unspecified addresses (a webhook must not become a way into the network it is sent from); the embedded
default allows them so a receiver on the same machine works. Every address the host resolves to is checked,
when the endpoint is saved and again before each attempt (so a name re-pointed after the check is caught).
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

Resolver = Callable[[str, int], Iterable[str]]
URL_MAX = 2000


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def shown_url(url: str) -> str:
    """The URL as the audit log and lists name it: scheme, host and port, with the path and query (which often
    carry a receiver's token) replaced by a short fingerprint that still tells two URLs apart."""
    parts = urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    if rest in ("", "/"):
        return f"{parts.scheme}://{parts.netloc}{rest}"
    return f"{parts.scheme}://{parts.netloc}/…#{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in SITE_LOCAL:
            return True
        # an IPv4 address carried inside IPv6 (mapped, 6to4, Teredo) is judged as that IPv4 address
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:
            ip = carried
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def url_problem(url: str) -> str | None:
    """What is wrong with the URL's form, without resolving it: scheme, host, length."""
    if not url or len(url) > URL_MAX:
        return _("Enter the receiver's URL (at most %(n)d characters).") % {"n": URL_MAX}
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return _("Enter a valid URL.")
    if parts.scheme not in {"http", "https"}:
        return _("Use an http:// or https:// URL.")
    if not parts.hostname:
        return _("Enter a valid URL.")
    if parts.username or parts.password:
        return _("Put no user name or password in the URL; the signature authenticates each message.")
    return None


def target_problem(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> str | None:
    """Why ``url`` may not be sent to, or None. Resolves the host unless private targets are allowed."""
    return target_check(url, allow_private=allow_private, resolve=resolve)[0]


def target_check(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> tuple[str | None, list[str]]:
    """Why ``url`` may not be sent to (or None), and the addresses checked: a delivery connects to one of those,
    never to what the name resolves to a moment later (DNS rebinding). No addresses when private targets are
    allowed (nothing to pin: the name is resolved as usual)."""
    problem = url_problem(url)
    if problem or allow_private:
        return problem, []
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = list((resolve or resolve_host)(host, port))
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        return _("The host %(host)s cannot be resolved.") % {"host": host}, []
    if any(_refused(address) for address in addresses):
        return _("The host %(host)s is a private, loopback or reserved address; webhooks go to public hosts only.") % {
            "host": host
        }, []
    return None, addresses
