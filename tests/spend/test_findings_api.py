"""Findings and baselines endpoints: scopes per method, the one error format with fields named, changes that
are all or nothing, filters, other tenants' ids answered as missing ones, and constant query counts."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Baseline, Finding
from sourcing.spend.services import findings as services
from sourcing.spend.services.imports import spend_lines_bulk
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row

MakeClient = Callable[..., APIClient]
MakeMember = Callable[..., Membership]
ERROR_KEYS = {"status", "code", "message", "fields"}
FINDINGS = "/api/v1/spend/findings/"
BASELINES = "/api/v1/spend/baselines/"


def _error(response: Response, status: int) -> dict[str, Any]:
    """Assert the one error format and return its inner object."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    return body["error"]


def _audit(tenant: Tenant, prefix: str = "") -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.filter(action__startswith=prefix).count()


def _finding(tenant: Tenant, **values: Any) -> Finding:
    with tenant_scope(tenant):
        arguments = {"kind": "maverick", "title": "Cartons bought off contract", "estimated_saving": "100", **values}
        return services.finding_create(tenant=tenant, by=SYSTEM, **arguments)


def _spend(tenant: Tenant, **values: str) -> None:
    with tenant_scope(tenant):
        spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=[row(category_code="", supplier_erp_id="", **values)])


def _baseline(tenant: Tenant, name: str = "Q1 2026") -> Baseline:
    _spend(tenant, invoice_number=f"{tenant.slug}-{name}")
    with tenant_scope(tenant):
        return services.baseline_freeze(
            tenant=tenant, by=SYSTEM, name=name, period_start="2026-01-01", period_end="2026-03-31"
        )


# Scopes per method


def test_a_read_key_reads_but_cannot_write(tenant: Tenant, api_client: MakeClient) -> None:
    # given a finding, a baseline and a read-only key
    finding = _finding(tenant)
    baseline = _baseline(tenant)
    client = api_client(scopes=("read",))
    before = _audit(tenant)
    # when it reads and writes
    reads = [
        client.get(FINDINGS),
        client.get(f"{FINDINGS}{finding.pk}/"),
        client.get(BASELINES),
        client.get(f"{BASELINES}{baseline.pk}/"),
        client.get(f"{BASELINES}{baseline.pk}/compare/"),
    ]
    writes = [
        client.post(FINDINGS, {"kind": "other", "title": "x"}, format="json"),
        client.patch(f"{FINDINGS}{finding.pk}/", {"status": "in_progress"}, format="json"),
        client.post(BASELINES, {"name": "x", "period_start": "2026-01-01", "period_end": "2026-03-31"}, format="json"),
        client.delete(f"{BASELINES}{baseline.pk}/"),
    ]
    # then every read answers and every write is refused, with nothing written
    assert [r.status_code for r in reads] == [200] * 5
    for response in writes:
        _error(response, 403)
    assert _audit(tenant) == before
    with tenant_scope(tenant):
        assert Finding.objects.get().status == "open"
        assert Baseline.objects.count() == 1


@pytest.mark.parametrize("path", [FINDINGS, BASELINES])
def test_a_write_only_key_cannot_read(api_client: MakeClient, path: str) -> None:
    _error(api_client(scopes=("write",)).get(path), 403)


def test_put_is_not_offered(tenant: Tenant, api_client: MakeClient) -> None:
    finding = _finding(tenant)
    _error(api_client().put(f"{FINDINGS}{finding.pk}/", {"title": "x"}, format="json"), 405)


# Findings


def test_create_read_and_change_a_finding(tenant: Tenant, api_client: MakeClient, make_member: MakeMember) -> None:
    # given a write key, a category and a buyer
    client = api_client()
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="CART", name="Cartons")
    buyer = make_member(tenant, Role.BUYER, full_name="Lin Wei")
    # when it raises a finding
    created = client.post(
        FINDINGS,
        {
            "kind": "maverick",
            "title": "Cartons off contract",
            "category": str(category.pk),
            "amount": "5000",
            "estimated_saving": "400.50",
        },
        format="json",
    )
    # then it answers with the finding, in the base currency
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["category"] == {"id": str(category.pk), "code": "CART", "name": "Cartons"}
    assert (body["amount"], body["estimated_saving"], body["currency"], body["status"]) == (
        "5000.00",
        "400.50",
        "USD",
        "open",
    )
    assert (body["assignee"], body["key"], body["suppliers"]) == (None, "", [])
    path = f"{FINDINGS}{body['id']}/"
    # and it can be given to the buyer, started, and closed
    assigned = client.patch(path, {"assignee": str(buyer.pk), "note": "Lin to call the vendor."}, format="json")
    assert assigned.json()["assignee"] == {"id": str(buyer.pk), "email": "buyer@acme.test", "name": "Lin Wei"}
    assert assigned.json()["note"] == "Lin to call the vendor."
    assert client.patch(path, {"status": "in_progress"}, format="json").json()["status"] == "in_progress"
    closed = client.patch(path, {"status": "closed", "estimated_saving": "380"}, format="json").json()
    assert (closed["status"], closed["estimated_saving"]) == ("closed", "380.00")
    assert closed["closed_at"] is not None
    assert client.get(path).json()["status"] == "closed"
    # and an empty change changes nothing
    assert client.patch(path, {}, format="json").json()["status"] == "closed"
    assert [_audit(tenant, a) for a in ("finding.create", "finding.assign", "finding.update", "finding.status")] == [
        1,
        1,
        2,
        2,
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "kind"),
        ({"kind": "other"}, "title"),
        ({"kind": "other", "title": "x", "amount": -1}, "amount"),
        ({"kind": "other", "title": "x", "estimated_saving": 1.5}, "estimated_saving"),
        ({"kind": "other", "title": "x", "category": "nope"}, "category"),
        ({"kind": "other", "title": "x", "status": "closed"}, "status"),
        ({"kind": "huge", "title": "x"}, "kind"),
    ],
)
def test_create_errors_name_the_field(tenant: Tenant, api_client: MakeClient, body: dict[str, Any], field: str) -> None:
    error = _error(api_client().post(FINDINGS, body, format="json"), 400)
    assert field in error["fields"]
    with tenant_scope(tenant):
        assert not Finding.objects.exists()


def test_a_change_is_all_or_nothing(tenant: Tenant, api_client: MakeClient) -> None:
    # given an open finding
    finding = _finding(tenant)
    client = api_client()
    before = _audit(tenant)
    # when a new title is sent with a dismissal that has no reason
    error = _error(
        client.patch(f"{FINDINGS}{finding.pk}/", {"title": "New title", "status": "dismissed"}, format="json"), 400
    )
    # then the note is named, and the title did not change either
    assert error["fields"] == {"note": ["Say why the finding is dismissed."]}
    assert client.get(f"{FINDINGS}{finding.pk}/").json()["title"] == "Cartons bought off contract"
    assert _audit(tenant) == before
    # and with a reason, the dismissal goes through with the note
    done = client.patch(f"{FINDINGS}{finding.pk}/", {"status": "dismissed", "note": "Duplicate"}, format="json").json()
    assert (done["status"], done["note"]) == ("dismissed", "Duplicate")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "closed"}, "status"),  # open cannot be closed before work starts
        ({"assignee": "00000000-0000-7000-8000-000000000000"}, "assignee"),
        ({"kind": "other"}, "kind"),  # not changeable
        ({"key": "x"}, "key"),
        ({"amount": "1.001"}, "amount"),
    ],
)
def test_change_errors_name_the_field(tenant: Tenant, api_client: MakeClient, body: dict[str, Any], field: str) -> None:
    finding = _finding(tenant)
    client = api_client()
    before = _audit(tenant)
    error = _error(client.patch(f"{FINDINGS}{finding.pk}/", body, format="json"), 400)
    assert field in error["fields"]
    assert _audit(tenant) == before


def test_an_agent_cannot_be_assigned(tenant: Tenant, api_client: MakeClient, make_member: MakeMember) -> None:
    finding = _finding(tenant)
    agent = make_member(tenant, Role.AGENT)
    error = _error(api_client().patch(f"{FINDINGS}{finding.pk}/", {"assignee": str(agent.pk)}, format="json"), 400)
    assert set(error["fields"]) == {"assignee"}


def test_list_filters(tenant: Tenant, api_client: MakeClient, make_member: MakeMember) -> None:
    # given a parent and a child category, and findings on each and on none
    with tenant_scope(tenant):
        kitchen = Category.objects.create(tenant=tenant, code="100", name="Kitchenware")
        pots = Category.objects.create(tenant=tenant, code="111", name="Pots", parent=kitchen)
    buyer = make_member(tenant, Role.BUYER)
    on_pots = _finding(tenant, title="Pots", kind="price_variance", category_id=pots.pk)
    _finding(tenant, title="Kitchen", category_id=kitchen.pk)
    _finding(tenant, title="Loose")
    with tenant_scope(tenant):
        services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=on_pots.pk, assignee_id=buyer.pk)
    client = api_client()

    def titles(**params: str) -> set[str]:
        response = client.get(FINDINGS, params)
        assert response.status_code == 200, response.content
        return {f["title"] for f in response.json()["results"]}

    # then each filter keeps what it says
    assert titles() == {"Pots", "Kitchen", "Loose"}
    assert titles(category=str(kitchen.pk)) == {"Pots", "Kitchen"}
    assert titles(category=str(pots.pk)) == {"Pots"}
    assert titles(category=str(uuid.uuid4())) == set()
    assert titles(kind="price_variance") == {"Pots"}
    assert titles(status="open") == {"Pots", "Kitchen", "Loose"}
    assert titles(status="closed") == set()
    assert titles(assignee=str(buyer.pk)) == {"Pots"}
    assert titles(assignee="none") == {"Kitchen", "Loose"}
    assert "status" in _error(client.get(FINDINGS, {"status": "finished"}), 400)["fields"]


# Baselines


def test_freeze_read_compare_and_delete_a_baseline(tenant: Tenant, api_client: MakeClient) -> None:
    # given spend in March (1250.00, no category) and in April (500.00)
    _spend(tenant, invoice_number="MAR-1")
    _spend(tenant, invoice_number="APR-1", invoice_date="2026-04-10", quantity="40", amount="500.00")
    client = api_client()
    # when a baseline of March is frozen
    created = client.post(
        BASELINES, {"name": "March", "period_start": "2026-03-01", "period_end": "2026-03-31"}, format="json"
    )
    # then its numbers are those of March
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["total"], body["line_count"], body["currency"], body["frozen_by"]) == ("1250.00", 1, "USD", None)
    assert body["by_category"] == [
        {"category_id": None, "code": "", "name": "", "amount": "1250.00", "lines": 1, "suppliers": 1}
    ]
    path = f"{BASELINES}{body['id']}/"
    assert client.get(path).json()["by_category"] == body["by_category"]
    assert "by_category" not in client.get(BASELINES).json()["results"][0]
    # and compared with April (31 days from 1 April), then with a chosen period
    compared = client.get(f"{path}compare/").json()
    assert (compared["period_start"], compared["period_end"], compared["currency"]) == (
        "2026-04-01",
        "2026-05-01",
        "USD",
    )
    assert compared["rows"] == [
        {
            "category_id": None,
            "code": "",
            "name": "",
            "baseline": "1250.00",
            "current": "500.00",
            "difference": "-750.00",
            "difference_pct": "-60.0",
            "in_baseline": True,
        }
    ]
    assert compared["total"] == {
        "baseline": "1250.00",
        "current": "500.00",
        "difference": "-750.00",
        "difference_pct": "-60.0",
    }
    chosen = client.get(f"{path}compare/", {"period_start": "2026-05-01"}).json()
    assert (chosen["period_end"], chosen["total"]["current"]) == ("2026-05-31", "0.00")
    assert "period_end" in _error(client.get(f"{path}compare/", {"period_end": "2026-04-30"}), 400)["fields"]
    assert "period_start" in _error(client.get(f"{path}compare/", {"period_start": "April"}), 400)["fields"]
    # and deleted
    assert client.delete(path).status_code == 204
    _error(client.get(path), 404)
    assert [_audit(tenant, a) for a in ("baseline.freeze", "baseline.delete")] == [1, 1]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "period_start", "period_end"}),
        ({"name": "x", "period_start": "2026-03-31", "period_end": "2026-03-01"}, {"period_end"}),
        ({"name": "x", "period_start": "2026-03-01", "period_end": "2026-03-31", "total": "1"}, {"total"}),
        ({"name": "", "period_start": "2026-03-01", "period_end": "2026-03-31"}, {"name"}),
    ],
)
def test_freeze_errors_name_the_field(
    tenant: Tenant, api_client: MakeClient, body: dict[str, Any], fields: set[str]
) -> None:
    _spend(tenant)
    error = _error(api_client().post(BASELINES, body, format="json"), 400)
    assert set(error["fields"]) == fields
    with tenant_scope(tenant):
        assert not Baseline.objects.exists()


# Another tenant's ids are missing ids


@pytest.mark.parametrize(
    ("kind", "method", "suffix"),
    [
        ("findings", "GET", ""),
        ("findings", "PATCH", ""),
        ("baselines", "GET", ""),
        ("baselines", "GET", "compare/"),
        ("baselines", "DELETE", ""),
    ],
)
def test_another_tenants_id_answers_like_a_missing_id(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient, kind: str, method: str, suffix: str
) -> None:
    # given an object of globex
    theirs: Any = _finding(other_tenant) if kind == "findings" else _baseline(other_tenant)
    client = api_client()
    before = _audit(other_tenant)
    # when acme's key reads, changes or deletes it, or an id that does not exist
    answers = [
        client.generic(
            method,
            f"/api/v1/spend/{kind}/{object_id}/{suffix}",
            '{"status": "in_progress"}',
            content_type="application/json",
        )
        for object_id in (theirs.pk, uuid.uuid4())
    ]
    # then both answers are the same 404, and nothing changed
    assert answers[0].status_code == answers[1].status_code == 404
    assert answers[0].content == answers[1].content
    assert _audit(other_tenant) == before
    with tenant_scope(other_tenant):
        assert type(theirs).objects.filter(pk=theirs.pk).exists()
        if kind == "findings":
            assert Finding.objects.get().status == "open"


def test_another_tenants_assignee_or_category_is_refused_like_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient, make_member: MakeMember
) -> None:
    finding = _finding(tenant)
    their_member = make_member(other_tenant, Role.BUYER)
    with tenant_scope(other_tenant):
        their_category = Category.objects.create(tenant=other_tenant, code="TENT", name="Tent poles")
    client = api_client()
    path = f"{FINDINGS}{finding.pk}/"
    for field, theirs in (("assignee", their_member.pk), ("category", their_category.pk)):
        answers = [client.patch(path, {field: str(object_id)}, format="json") for object_id in (theirs, uuid.uuid4())]
        assert answers[0].status_code == answers[1].status_code == 400
        assert answers[0].content == answers[1].content
    with tenant_scope(tenant):
        stored = Finding.objects.get()
    assert (stored.assignee_id, stored.category_id) == (None, None)


# Query counts: constant whatever the number of rows

N = 5


def _grow(tenant: Tenant, start: int, stop: int, members: list[Membership]) -> None:
    with tenant_scope(tenant):
        for i in range(start, stop):
            category = Category.objects.create(tenant=tenant, code=f"C{i}", name=f"Category {i}")
            finding = services.finding_create(
                tenant=tenant,
                by=SYSTEM,
                kind="other",
                title=f"Finding {i}",
                category_id=category.pk,
                estimated_saving=i,
            )
            services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=finding.pk, assignee_id=members[i % 2].pk)
            spend_lines_bulk(
                tenant=tenant,
                by=SYSTEM,
                lines=[row(invoice_number=f"N-{i}", invoice_date=f"2026-01-{i + 1:02d}", category_code="", amount="")],
            )
            day = datetime.date(2026, 1, i + 1)
            services.baseline_freeze(tenant=tenant, by=SYSTEM, name=f"Baseline {i}", period_start=day, period_end=day)


@pytest.mark.parametrize("path", [FINDINGS, BASELINES])
def test_list_query_count_is_constant(
    tenant: Tenant, api_client: MakeClient, make_member: MakeMember, django_assert_num_queries: Any, path: str
) -> None:
    members = [make_member(tenant, Role.BUYER), make_member(tenant, Role.FINANCE)]
    client = api_client()
    _grow(tenant, 0, N, members)
    client.get(path)  # warm: the first call of a key records its use; measure steady-state calls
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == N
    _grow(tenant, N, 2 * N, members)
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        results = client.get(path).json()["results"]
    assert len(results) == 2 * N
    assert ("Finding 9" if path == FINDINGS else "Baseline 9") in {r.get("title", r.get("name")) for r in results}


# The key, the tenant scope's settings and savepoints, and one query for the rows (with their category and
# assignee joined in).
_EXPECTED_LIST_QUERIES = 10


def test_amounts_are_decimal_strings(tenant: Tenant, api_client: MakeClient) -> None:
    _finding(tenant, amount="1234567.89", estimated_saving=Decimal("0.10"))
    [body] = api_client().get(FINDINGS).json()["results"]
    assert (body["amount"], body["estimated_saving"]) == ("1234567.89", "0.10")
