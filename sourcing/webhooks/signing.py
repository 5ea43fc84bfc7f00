"""Standard Webhooks v1 (symmetric) message parts: secrets, message ids and the three signed headers.

The signature itself is the ``standardwebhooks`` package's (HMAC-SHA256 of ``{id}.{timestamp}.{body}``, sent
as ``v1,<base64>``); nothing here hand-rolls it.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
import secrets
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
MESSAGE_PREFIX = "msg_"


def secret_new() -> str:
    """A random signing secret, ``whsec_`` and its base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def message_id_new() -> str:
    """A message id (``webhook-id``): ours, never the caller's, and without a dot (the signed content uses dots)."""
    return MESSAGE_PREFIX + secrets.token_urlsafe(18).replace(".", "")


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The JSON body sent for a stored payload: the same bytes on every attempt of the message."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def signed_headers(*, secret: str, message_id: str, at: datetime.datetime, body: bytes) -> dict[str, str]:
    """The request headers of one attempt: id, timestamp (integer unix seconds) and the v1 signature."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
    }
