"""A body over the size limit is answered with the API's JSON 413 that the client actually reads: the server
takes in what the client is still sending before it answers, instead of closing on an unread body (which the
client sees as a reset connection, with no answer at all). Checked with a real socket against a live server."""

from __future__ import annotations

import io
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from sourcing.models import Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier

BODY_BYTES = 6 * 1024 * 1024


def _send(url: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    """POST ``body`` over a plain socket, all of it, then read the whole answer (status and JSON body)."""
    where = urlsplit(url)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {where.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n{head}\r\n"
    ).encode()
    with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
        sock.sendall(request)
        sock.sendall(body)  # a server that answered and closed without reading makes this, or the read, fail
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    _headers, _, payload = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), json.loads(payload)


def _large_body() -> bytes:
    body = json.dumps({"external_id": "ERP-1", "legal_name": "Pots", "capacity_notes": "x" * BODY_BYTES}).encode()
    assert len(body) > BODY_BYTES
    return body


@pytest.mark.django_db(transaction=True)
def test_a_6_mb_body_gets_the_json_413_not_a_reset_connection(
    live_server: Any, tenant: Tenant, make_api_key: Any
) -> None:
    _key, raw = make_api_key(tenant, ("read", "write"))
    status, answer = _send(live_server.url, "/api/v1/suppliers/", {"Authorization": f"Api-Key {raw}"}, _large_body())
    assert status == 413
    assert answer["error"]["code"] == "request_too_large"
    with tenant_scope(tenant):
        assert not Supplier.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_6_mb_body_without_a_key_gets_the_json_401_not_a_reset_connection(live_server: Any) -> None:
    status, answer = _send(live_server.url, "/api/v1/suppliers/", {}, _large_body())
    assert status == 401
    assert answer["error"]["status"] == 401


@pytest.mark.parametrize("with_key", [True, False])
def test_the_unread_body_is_taken_in_before_the_answer_goes_out(
    tenant: Tenant, api_client: Any, client: Any, with_key: bool
) -> None:
    """What the live server does for any WSGI server (gunicorn closes on unread data): the application itself
    reads the rest of the body before answering."""
    body = _large_body()
    stream = io.BytesIO(body)
    caller = api_client() if with_key else client
    response = caller.post("/api/v1/suppliers/", data=body, content_type="application/json", **{"wsgi.input": stream})
    assert response.status_code == (413 if with_key else 401)
    assert stream.tell() == len(body)
