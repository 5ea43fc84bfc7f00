"""Pure parts of webhooks: the signature (the specification's test vector, and verified by the reference
library), the retry schedule, and which targets are refused."""

from __future__ import annotations

import datetime
import json

import pytest
from standardwebhooks import Webhook

from sourcing.webhooks import schedule, targets
from sourcing.webhooks.signing import body_bytes, message_id_new, secret_new, signed_headers
from sourcing.webhooks.targets import target_problem, url_problem

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_the_specifications_test_vector() -> None:
    at = datetime.datetime.fromtimestamp(1614265330, tz=datetime.UTC)
    headers = signed_headers(
        secret=VECTOR_SECRET, message_id="msg_p5jXN8AQM9LWM0D4loKWxJek", at=at, body=b'{"test": 2432232314}'
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek"


def test_a_new_secret_and_message_verify_with_the_reference_library() -> None:
    secret, message_id = secret_new(), message_id_new()
    assert secret.startswith("whsec_") and message_id.startswith("msg_") and "." not in message_id
    body = body_bytes({"type": "supplier.blocked", "data": {"name": "宁波"}})
    headers = signed_headers(secret=secret, message_id=message_id, at=datetime.datetime.now(datetime.UTC), body=body)
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(Exception, match="signature"):
        Webhook(secret_new()).verify(body, headers)


def test_secrets_are_random_and_long_enough() -> None:
    import base64

    secrets = {secret_new() for _ in range(20)}
    assert len(secrets) == 20
    assert all(24 <= len(base64.b64decode(s.removeprefix("whsec_"))) <= 64 for s in secrets)


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (0, datetime.timedelta(0)),
        (1, datetime.timedelta(seconds=5)),
        (2, datetime.timedelta(minutes=5)),
        (3, datetime.timedelta(minutes=30)),
        (4, datetime.timedelta(hours=2)),
        (5, datetime.timedelta(hours=5)),
        (6, datetime.timedelta(hours=10)),
        (7, datetime.timedelta(hours=10)),
        (8, None),
        (9, None),
    ],
)
def test_retry_schedule(attempts: int, delay: datetime.timedelta | None) -> None:
    assert schedule.delay_after(attempts) == delay


@pytest.mark.parametrize(
    ("attempts", "retry_after", "delay"),
    [
        (1, None, datetime.timedelta(seconds=5)),
        (1, 120, datetime.timedelta(seconds=120)),  # the receiver asks for longer: wait that long
        (3, 60, datetime.timedelta(minutes=30)),  # shorter than the schedule: the schedule stands
        (1, 10**9, datetime.timedelta(hours=24)),  # at most a day
        (8, 60, None),  # no more attempts either way
    ],
)
def test_retry_after_stretches_the_wait(
    attempts: int, retry_after: int | None, delay: datetime.timedelta | None
) -> None:
    assert schedule.delay_for(attempts, retry_after) == delay


def test_the_schedule_gives_up_about_27_and_a_half_hours_after_the_first_attempt() -> None:
    assert sum(schedule.RETRY_DELAYS, datetime.timedelta()) == datetime.timedelta(hours=27, minutes=35, seconds=5)


@pytest.mark.parametrize(("status", "ok"), [(200, True), (204, True), (299, True), (301, False), (410, False)])
def test_success_is_any_2xx(status: int, ok: bool) -> None:
    assert schedule.is_success(status) is ok


def _resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",  # cloud metadata
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "100.64.0.1",  # carrier-grade NAT
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
    ],
)
def test_production_refuses_private_and_reserved_addresses(address: str) -> None:
    problem = target_problem("https://hooks.example.com/x", allow_private=False, resolve=_resolver(address))
    assert problem and "hooks.example.com" in problem


def test_one_private_address_among_public_ones_is_refused() -> None:
    problem = target_problem("https://a.example/x", allow_private=False, resolve=_resolver("93.184.216.34", "10.1.1.1"))
    assert problem is not None


def test_a_public_address_is_allowed() -> None:
    assert target_problem("https://a.example/x", allow_private=False, resolve=_resolver("93.184.216.34")) is None


def test_the_embedded_default_allows_private_targets_without_resolving() -> None:
    def refuse(host: str, port: int) -> list[str]:
        raise AssertionError("not resolved when private targets are allowed")

    assert target_problem("http://127.0.0.1:8001/hooks", allow_private=True, resolve=refuse) is None


def test_an_unresolvable_host_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    assert "cannot be resolved" in (target_problem("https://nowhere.invalid/", allow_private=False, resolve=fail) or "")


@pytest.mark.parametrize(
    "url", ["", "ftp://a.example/x", "file:///etc/passwd", "gopher://a.example", "https://", "http://u:p@a.example/"]
)
def test_only_plain_http_urls_are_accepted(url: str) -> None:
    assert url_problem(url) is not None
    assert target_problem(url, allow_private=True) is not None


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
        "2002:a00:1::",  # 6to4 carrying 10.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "fec0::1",  # site-local
        "::ffff:192.168.1.1",  # IPv4-mapped
    ],
)
def test_addresses_that_carry_a_private_one_are_refused(address: str) -> None:
    problem = targets.target_problem("https://hooks.example.com/x", allow_private=False, resolve=lambda h, p: [address])
    assert problem is not None


def test_a_public_address_is_accepted() -> None:
    assert (
        targets.target_problem("https://hooks.example.com/x", allow_private=False, resolve=lambda h, p: ["8.8.8.8"])
        is None
    )


def test_the_audit_log_names_a_url_without_its_token() -> None:
    shown = targets.shown_url("https://hooks.slack.com/services/T000/B000/SECRETTOKEN?x=1")
    assert "SECRETTOKEN" not in shown and shown.startswith("https://hooks.slack.com/…#")
    assert shown != targets.shown_url("https://hooks.slack.com/services/T000/B000/OTHER")
    assert targets.shown_url("https://hooks.example.com") != targets.shown_url("https://hooks.example.com/")
