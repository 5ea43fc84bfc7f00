"""Emitting and delivering webhooks: one delivery per subscribed endpoint, a signed POST to a real local receiver,
the retry schedule on a fake clock, 410 disables the endpoint, private targets refused in production (when saved
and at every attempt) and allowed on the embedded default, redelivery, the sweep, and ``supplier.blocked``."""

from __future__ import annotations

import datetime
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery import current_app
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook

from sourcing.errors import DomainError
from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from sourcing.webhooks import transport
from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.services.deliveries import (
    DELIVER_TASK,
    webhook_deliveries_sweep,
    webhook_delivery_attempt,
    webhook_emit,
    webhook_redeliver,
)
from sourcing.webhooks.services.endpoints import webhook_endpoint_create
from suppliers.models import Supplier, SupplierStatus
from suppliers.services.master import supplier_create
from suppliers.services.qualification import supplier_transition
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM
from tests.webhooks.conftest import Receiver

LOCAL = override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)
PRODUCTION = override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)


def _tasks_eager(value: bool) -> Iterator[None]:
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = value
    try:
        yield
    finally:
        current_app.conf.task_always_eager = before


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in-process (the embedded default), whatever broker the test run has."""
    yield from _tasks_eager(True)


@pytest.fixture
def broker() -> Iterator[None]:
    """Tasks go to a broker (production), whatever the test run has; the test catches what is sent."""
    yield from _tasks_eager(False)


def _endpoint(tenant: Tenant, url: str, events: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    with LOCAL, tenant_scope(tenant):
        return webhook_endpoint_create(
            tenant=tenant, by=SYSTEM, url=url, event_types=events or ["supplier.blocked"], description="ERP"
        )


def _emit(tenant: Tenant, data: dict[str, Any] | None = None, event: str = "supplier.blocked") -> list[WebhookDelivery]:
    with tenant_scope(tenant):
        return webhook_emit(tenant=tenant, event_type=event, payload=data or {"supplier_id": "s-1"})


def _attempt(tenant: Tenant, delivery: WebhookDelivery, now: datetime.datetime | None = None) -> WebhookDelivery:
    with LOCAL, tenant_scope(tenant):
        return webhook_delivery_attempt(tenant=tenant, by=SYSTEM, delivery_id=delivery.pk, now=now)


def test_emit_creates_one_delivery_per_enabled_subscribed_endpoint(tenant: Tenant) -> None:
    wanted, _s = _endpoint(tenant, "http://127.0.0.1:9/a")
    _endpoint(tenant, "http://127.0.0.1:9/b", events=["award.published"])
    off, _s = _endpoint(tenant, "http://127.0.0.1:9/c")
    with tenant_scope(tenant):
        WebhookEndpoint.objects.filter(pk=off.pk).update(is_enabled=False)
    deliveries = _emit(tenant)
    assert [d.endpoint_id for d in deliveries] == [wanted.pk]
    assert deliveries[0].payload["type"] == "supplier.blocked"
    assert deliveries[0].payload["data"] == {"supplier_id": "s-1"}
    assert deliveries[0].status == DeliveryStatus.PENDING


def test_an_unknown_event_type_is_a_programming_error(tenant: Tenant) -> None:
    with pytest.raises(ValueError, match=r"supplier\.exploded"):
        _emit(tenant, event="supplier.exploded")


def test_a_delivery_reaches_a_local_receiver_signed(
    tenant: Tenant, receiver: Receiver, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    _endpoint_row, secret = _endpoint(tenant, receiver.url)
    with LOCAL, django_capture_on_commit_callbacks(execute=True):
        (delivery,) = _emit(tenant, {"supplier_id": "s-1", "name": "宁波"})
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"] == delivery.message_id
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert headers["webhook-signature"].startswith("v1,")
    verified = Webhook(secret).verify(request["body"], headers)
    assert verified["data"] == {"supplier_id": "s-1", "name": "宁波"}
    assert json.loads(request["body"])["type"] == "supplier.blocked"
    with tenant_scope(tenant):
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 204)
    assert delivery.next_attempt_at is None


def test_failures_retry_on_the_schedule_then_give_up(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint(tenant, receiver.url)
    receiver.status = 500
    (delivery,) = _emit(tenant)
    clock = timezone.now()
    waits = []
    for _ in range(8):
        delivery = _attempt(tenant, delivery, now=clock)
        if delivery.next_attempt_at is None:
            break
        waits.append(delivery.next_attempt_at - clock)
        assert delivery.status == DeliveryStatus.FAILED
        # early: nothing happens (a duplicate task, or one that arrived before its time)
        assert _attempt(tenant, delivery, now=clock + waits[-1] / 2).attempts == delivery.attempts
        clock = delivery.next_attempt_at
    assert [int(w.total_seconds()) for w in waits] == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert delivery.status == DeliveryStatus.GAVE_UP
    assert delivery.attempts == 8
    assert delivery.last_status_code == 500
    assert len(receiver.requests) == 8
    # the same message every time, each attempt signed afresh
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert _attempt(tenant, delivery, now=clock + datetime.timedelta(days=1)).attempts == 8


def test_retry_after_on_429_delays_the_next_attempt(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint(tenant, receiver.url)
    receiver.status, receiver.headers = 429, {"retry-after": "90"}
    (delivery,) = _emit(tenant)
    clock = timezone.now()
    delivery = _attempt(tenant, delivery, now=clock)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 429)
    assert delivery.next_attempt_at == clock + datetime.timedelta(seconds=90)


def test_a_redirect_is_a_failure_and_is_not_followed(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint(tenant, receiver.url)
    receiver.status, receiver.headers = 302, {"location": receiver.url + "/elsewhere"}
    (delivery,) = _emit(tenant)
    delivery = _attempt(tenant, delivery)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 302)
    assert [r["path"] for r in receiver.requests] == ["/hooks"]


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint(tenant, receiver.url)
    receiver.delay = 1.0
    (delivery,) = _emit(tenant)
    with override_settings(WEBHOOKS_TIMEOUT_SECONDS=0.2):
        delivery = _attempt(tenant, delivery)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, None)
    assert "timed out" in delivery.last_error


def test_the_beat_sweep_fans_out_per_active_tenant(
    tenant: Tenant, other_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcing.webhooks import tasks

    queued: list[str] = []
    monkeypatch.setattr(tasks.sweep_webhooks_tenant, "delay", lambda tenant_id: queued.append(tenant_id))
    assert tasks.sweep_webhooks_all() == 2
    assert sorted(queued) == sorted([str(tenant.pk), str(other_tenant.pk)])


def test_a_retry_is_sent_to_the_broker_with_its_countdown(
    tenant: Tenant,
    receiver: Receiver,
    broker: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _endpoint(tenant, receiver.url)
    receiver.status = 503
    (delivery,) = _emit(tenant)
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(current_app.tasks[DELIVER_TASK], "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        _attempt(tenant, delivery)
    assert sent == [{"args": (str(tenant.pk), str(delivery.pk)), "countdown": 5.0}]


def test_410_gone_disables_the_endpoint(tenant: Tenant, receiver: Receiver) -> None:
    endpoint, _s = _endpoint(tenant, receiver.url)
    receiver.status = 410
    (delivery,) = _emit(tenant)
    delivery = _attempt(tenant, delivery)
    assert (delivery.status, delivery.last_status_code, delivery.next_attempt_at) == (DeliveryStatus.GAVE_UP, 410, None)
    with tenant_scope(tenant):
        endpoint.refresh_from_db()
        assert AuditEvent.objects.filter(action="webhook_endpoint.disable", object_id=str(endpoint.pk)).count() == 1
    assert endpoint.is_enabled is False
    assert "410" in endpoint.disabled_reason
    assert _emit(tenant) == []  # nothing more is sent to it


def test_production_refuses_a_private_url_when_saved(tenant: Tenant) -> None:
    with PRODUCTION, tenant_scope(tenant), pytest.raises(DomainError) as caught:
        webhook_endpoint_create(
            tenant=tenant, by=SYSTEM, url="http://127.0.0.1:8080/x", event_types=["supplier.blocked"]
        )
    assert "url" in caught.value.fields
    with tenant_scope(tenant):
        assert not WebhookEndpoint.objects.exists()


def test_the_embedded_default_accepts_a_local_url(tenant: Tenant) -> None:
    with LOCAL, tenant_scope(tenant):
        endpoint, _s = webhook_endpoint_create(
            tenant=tenant, by=SYSTEM, url="http://localhost:8080/x", event_types=["supplier.blocked"]
        )
    assert endpoint.pk


def test_production_refuses_a_private_target_again_at_delivery(tenant: Tenant, receiver: Receiver) -> None:
    """Saved while allowed (or while the name pointed elsewhere): every attempt checks the address again."""
    _endpoint(tenant, receiver.url)
    (delivery,) = _emit(tenant)
    with PRODUCTION, tenant_scope(tenant):
        delivery = webhook_delivery_attempt(tenant=tenant, by=SYSTEM, delivery_id=delivery.pk)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code is None
    assert "127.0.0.1" in delivery.last_error
    assert receiver.requests == []


def test_redeliver_sends_the_same_message_again(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint_row, secret = _endpoint(tenant, receiver.url)
    receiver.status = 500
    (first,) = _emit(tenant)
    _attempt(tenant, first)
    receiver.status = 200
    with tenant_scope(tenant):
        again = webhook_redeliver(tenant=tenant, by=SYSTEM, delivery_id=first.pk)
    again = _attempt(tenant, again)
    assert again.pk != first.pk
    assert again.status == DeliveryStatus.SUCCEEDED
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [first.message_id, first.message_id]
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    Webhook(secret).verify(receiver.requests[1]["body"], receiver.requests[1]["headers"])


def test_redelivery_to_a_disabled_endpoint_is_refused(tenant: Tenant, receiver: Receiver) -> None:
    _endpoint(tenant, receiver.url)
    receiver.status = 410
    (first,) = _emit(tenant)
    _attempt(tenant, first)
    with tenant_scope(tenant), pytest.raises(DomainError, match="410"):
        webhook_redeliver(tenant=tenant, by=SYSTEM, delivery_id=first.pk)
    with tenant_scope(tenant):
        assert WebhookDelivery.objects.count() == 1


def test_the_sweep_queues_overdue_deliveries_only(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    _endpoint(tenant, "http://127.0.0.1:9/a")
    overdue, later = _emit(tenant) + _emit(tenant)
    with tenant_scope(tenant):
        WebhookDelivery.objects.filter(pk=overdue.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
        )
        WebhookDelivery.objects.filter(pk=later.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=timezone.now() + datetime.timedelta(hours=1)
        )
    sent: list[tuple[str, ...]] = []
    monkeypatch.setattr("sourcing.background.send_task", lambda name, *args, **kw: sent.append((name, *args)))
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant):
        assert webhook_deliveries_sweep(tenant=tenant, by=SYSTEM) == 1
    assert sent == [(DELIVER_TASK, str(tenant.pk), str(overdue.pk))]


def test_blocking_a_supplier_emits_supplier_blocked(tenant: Tenant) -> None:
    _endpoint(tenant, "http://127.0.0.1:9/a")
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright", external_id="V-1001")
        )
        Supplier.objects.filter(pk=supplier.pk).update(status=SupplierStatus.APPROVED)
        supplier_transition(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, action="suspend", reason="Late")
        assert not WebhookDelivery.objects.exists()  # other moves emit nothing
        supplier_transition(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, action="block", reason="Fraud")
        (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event_type == "supplier.blocked"
    data = delivery.payload["data"]
    assert data["supplier_id"] == str(supplier.pk)
    assert (data["erp_id"], data["name"], data["status"], data["reason"]) == (
        "V-1001",
        "Ningbo Everbright",
        "blocked",
        "Fraud",
    )
    assert data["blocked_at"].endswith("Z")
    assert "internal_notes" not in data


def test_a_refused_block_emits_nothing(tenant: Tenant) -> None:
    _endpoint(tenant, "http://127.0.0.1:9/a")
    with tenant_scope(tenant):
        supplier = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright"))
        Supplier.objects.filter(pk=supplier.pk).update(status=SupplierStatus.APPROVED)
        with pytest.raises(DomainError):
            supplier_transition(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, action="block", reason="")
        assert not WebhookDelivery.objects.exists()


def test_a_checked_address_is_the_one_connected_to(receiver: Receiver) -> None:
    """The name in the URL is not resolved again after the check: the connection goes to the checked address,
    and the Host header keeps the name."""
    port = receiver.url.split(":")[2].split("/")[0]
    answer = transport.post(
        f"http://receiver.invalid:{port}/hooks?x=1",
        b"{}",
        {"content-type": "application/json"},
        timeout=5,
        address="127.0.0.1",
    )
    assert answer == transport.Answer(204, "")
    (request,) = receiver.requests
    assert request["headers"]["host"] == f"receiver.invalid:{port}"
    assert request["path"] == "/hooks?x=1"


def test_production_delivers_to_the_address_it_checked(
    tenant: Tenant, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public name that resolves, once checked, to a public address is connected to at that address."""
    _endpoint(tenant, receiver.url.replace("127.0.0.1", "erp.example.com"))
    (delivery,) = _emit(tenant)
    monkeypatch.setattr("sourcing.webhooks.targets.resolve_host", lambda host, port: ["93.184.216.34"])
    used: list[str | None] = []

    def post(*args: Any, **kwargs: Any) -> transport.Answer:
        used.append(kwargs["address"])
        return transport.Answer(200, "")

    monkeypatch.setattr(transport, "post", post)
    with PRODUCTION, tenant_scope(tenant):
        delivery = webhook_delivery_attempt(tenant=tenant, by=SYSTEM, delivery_id=delivery.pk)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert used == ["93.184.216.34"]


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_attempts_deadline() -> None:
    # given a receiver that answers one byte at a time, each well within the per-operation timeout
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:  # about 6 s, one byte at a time
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.05)

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    # when an attempt is made with a 0.3 s timeout per operation
    started = time.monotonic()
    answer = transport.post(url, b"{}", {"content-type": "application/json"}, timeout=0.3)
    took = time.monotonic() - started
    stop.set()
    listener.close()
    # then the whole attempt ends at its deadline (2 × 0.3 s), not when the receiver is done
    assert (answer.status, answer.error) == (None, "timed out")
    assert took < 0.3 * transport.ATTEMPT_TIMEOUTS + 1.0
