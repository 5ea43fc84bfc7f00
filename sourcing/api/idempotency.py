"""``Idempotency-Key`` on POST: same key and body → the stored response; same key, different body → 422;
the first request still running → 409.

The stored response is written in the same transaction as the work it describes, so a key is recorded
exactly when its effects were committed. A short lock in the shared cache turns a concurrent duplicate into
a 409 instead of a second execution; the unique (tenant, key) constraint is the last word.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from sourcing.errors import ConflictError, DomainError
from sourcing.models import IdempotencyRecord, Tenant
from sourcing.tenancy import tenant_scope

HEADER = "Idempotency-Key"
LOCK_SECONDS = 300


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _request_hash(request: Request) -> str:
    """What makes two requests "the same": path, body and, for uploads, the bytes of every file (not only its
    name, which is all the parsed body shows of it)."""
    data: Any = request.data
    files = {}
    if hasattr(request, "FILES") and request.FILES:
        files = {name: [_file_digest(f) for f in request.FILES.getlist(name)] for name in sorted(request.FILES)}
        data = {k: v for k, v in data.items() if k not in request.FILES} if hasattr(data, "items") else data
    payload = json.dumps(
        {"path": request.get_full_path(), "data": data, "files": files}, sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise DomainError(
            "This Idempotency-Key was used with a different request.",
            code="idempotency_key_reused",
            fields={HEADER: ["Use a new key for a different request."]},
        ).with_status(422)
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def _in_progress() -> ConflictError:
    return ConflictError(
        "A request with this Idempotency-Key is still being processed.", code="idempotency_in_progress"
    )


def run_idempotent(*, request: Request, tenant: Tenant, call: Callable[[], Response], namespace: str = "") -> Response:
    """Run ``call`` inside the tenant's transaction, guarded by the request's Idempotency-Key if it has one.

    The lock is taken before the transaction opens and released only after it has committed, so a duplicate
    arriving at any moment either waits out the lock (409) or finds the committed record (replay). A request
    that fails is rolled back and not recorded: sending it again runs it again. A ``namespace`` keeps one
    principal's keys apart from everyone else's in the tenant (a partner's keys never replay another's answer).
    """
    key = request.headers.get(HEADER) if request.method == "POST" else None
    if not key:
        with tenant_scope(tenant):
            return call()
    if len(key) > 255:
        raise DomainError("Idempotency-Key is too long.", fields={HEADER: ["At most 255 characters."]})
    if namespace:
        key = f"{namespace}:{hashlib.sha256(key.encode()).hexdigest()}"
    request_hash = _request_hash(request)
    with tenant_scope(tenant):
        record = IdempotencyRecord.objects.filter(key=key).first()
    if record is not None:
        return _replay(record, request_hash)
    lock = f"idempotency:{tenant.pk}:{hashlib.sha256(key.encode()).hexdigest()}"
    if not cache.add(lock, "1", timeout=LOCK_SECONDS):
        raise _in_progress()
    try:
        with tenant_scope(tenant):
            # The first request may have committed between our first look and taking the lock.
            record = IdempotencyRecord.objects.filter(key=key).first()
            if record is not None:
                return _replay(record, request_hash)
            response = call()
            if response.status_code < 500:
                body: Any = json.loads(JSONRenderer().render(response.data) or b"null")
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            tenant=tenant,
                            key=key,
                            request_hash=request_hash,
                            response_status=response.status_code,
                            response_body=body,
                        )
                except IntegrityError as exc:
                    raise _in_progress() from exc
        return response
    finally:
        cache.delete(lock)
