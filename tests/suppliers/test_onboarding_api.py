"""The onboarding tasks API: list with filters, read, complete and reopen, completion by the supplier's ERP id
and a task code, scopes, other tenants' ids, and a constant query count."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import OnboardingTask, Supplier, TaskStatus
from suppliers.services.onboarding import onboarding_start
from tests.conftest import SYSTEM

URL = "/api/v1/onboarding-tasks/"


def _started(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        supplier = Supplier.objects.create(tenant=tenant, legal_name=name, **values)
        onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        return supplier


def _task(tenant: Tenant, supplier: Supplier, code: str = "erp_vendor_created") -> OnboardingTask:
    with tenant_scope(tenant):
        task = OnboardingTask.objects.filter(supplier=supplier, code=code).first()
        assert task is not None
        return task


def _events(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.filter(action__startswith="onboarding_task").count()


def test_list_and_filters(tenant: Tenant, api_client: Any) -> None:
    everbright = _started(tenant, external_id="V-100")
    _started(tenant, "Xiamen Peakline", external_id="V-200")
    with tenant_scope(tenant):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        OnboardingTask.objects.filter(supplier=everbright, code="nda_signed").update(due_on=yesterday)
    client = api_client(scopes=("read",))
    assert len(client.get(URL).json()["results"]) == 12
    by_id = client.get(URL, {"supplier": str(everbright.pk)}).json()["results"]
    by_erp = client.get(URL, {"supplier_external_id": "V-100"}).json()["results"]
    assert len(by_id) == len(by_erp) == 6
    assert {r["supplier_external_id"] for r in by_erp} == {"V-100"}
    vendor = client.get(URL, {"code": "erp_vendor_created"}).json()["results"]
    assert sorted(r["supplier_external_id"] for r in vendor) == ["V-100", "V-200"]
    overdue = client.get(URL, {"overdue": "true"}).json()["results"]
    assert [(r["code"], r["overdue"]) for r in overdue] == [("nda_signed", True)]
    assert len(client.get(URL, {"status": "done"}).json()["results"]) == 0
    assert client.get(URL, {"status": "finished"}).status_code == 400


def test_retrieve_complete_and_reopen(tenant: Tenant, api_client: Any) -> None:
    supplier = _started(tenant, external_id="V-100")
    task = _task(tenant, supplier)
    client = api_client()
    assert client.get(f"{URL}{task.pk}/").json()["status"] == "open"
    done = client.post(f"{URL}{task.pk}/complete/", {"note": "Vendor 4711"}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["note"]) == ("done", "Vendor 4711")
    assert done.json()["completed_by_label"].startswith("api-key:")
    reopened = client.post(f"{URL}{task.pk}/reopen/", {}, format="json")
    assert reopened.json()["status"] == "open"
    unknown = client.post(f"{URL}{task.pk}/complete/", {"vendor": "x"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"] == {"vendor": ["Unknown field."]}


def test_the_erp_marks_vendor_created_by_its_own_id(tenant: Tenant, api_client: Any) -> None:
    supplier = _started(tenant, external_id="V-100")
    client = api_client(scopes=("write",))
    response = client.post(
        f"{URL}complete/", {"supplier_external_id": "V-100", "code": "erp_vendor_created"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["status"]) == ("erp_vendor_created", "done")
    assert _task(tenant, supplier).status == TaskStatus.DONE
    # sent again: the same answer, nothing new recorded
    events = _events(tenant)
    again = client.post(
        f"{URL}complete/", {"supplier_external_id": "V-100", "code": "erp_vendor_created"}, format="json"
    )
    assert again.status_code == 200 and _events(tenant) == events


@pytest.mark.parametrize(
    "body",
    [
        {"supplier_external_id": "V-999", "code": "erp_vendor_created"},
        {"supplier_external_id": "V-100", "code": "no_such_task"},
        {"supplier_external_id": "G-1", "code": "erp_vendor_created"},  # another tenant's supplier
    ],
)
def test_complete_by_code_answers_404_for_an_unknown_supplier_or_task(
    tenant: Tenant, other_tenant: Tenant, api_client: Any, body: dict[str, str]
) -> None:
    _started(tenant, external_id="V-100")
    theirs = _started(other_tenant, "Xiamen Peakline", external_id="G-1")
    response = api_client().post(f"{URL}complete/", body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _task(other_tenant, theirs).status == TaskStatus.OPEN


def test_complete_by_code_names_missing_fields(tenant: Tenant, api_client: Any) -> None:
    response = api_client().post(f"{URL}complete/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"supplier_external_id", "code"}


def test_a_read_key_cannot_complete_and_nothing_is_written(tenant: Tenant, api_client: Any) -> None:
    supplier = _started(tenant, external_id="V-100")
    task = _task(tenant, supplier)
    client = api_client(scopes=("read",))
    assert client.post(f"{URL}{task.pk}/complete/", {}, format="json").status_code == 403
    body = {"supplier_external_id": "V-100", "code": "erp_vendor_created"}
    assert client.post(f"{URL}complete/", body, format="json").status_code == 403
    assert _task(tenant, supplier).status == TaskStatus.OPEN
    assert _events(tenant) == 0


def test_another_tenants_task_is_a_missing_task(tenant: Tenant, other_tenant: Tenant, api_client: Any) -> None:
    theirs = _task(other_tenant, _started(other_tenant, "Xiamen Peakline"))
    client = api_client()
    for suffix in ("", "complete/", "reopen/"):
        theirs_response = client.post(f"{URL}{theirs.pk}/{suffix}", {}, format="json") if suffix else None
        if theirs_response is None:
            theirs_response = client.get(f"{URL}{theirs.pk}/")
            missing = client.get(f"{URL}{uuid.uuid4()}/")
        else:
            missing = client.post(f"{URL}{uuid.uuid4()}/{suffix}", {}, format="json")
        assert theirs_response.status_code == missing.status_code == 404
        assert theirs_response.content == missing.content
    assert _task(other_tenant, Supplier(pk=theirs.supplier_id)).status == TaskStatus.OPEN
    assert _events(other_tenant) == 0
    assert client.get(URL, {"supplier": str(theirs.supplier_id)}).json()["results"] == []


def test_list_query_count_is_constant(tenant: Tenant, api_client: Any, django_assert_num_queries: Any) -> None:
    client = api_client(scopes=("read",))
    _started(tenant, "Supplier 1")
    assert client.get(URL).status_code == 200  # warm: the key's first use is recorded
    with django_assert_num_queries(EXPECTED_LIST):
        assert len(client.get(URL).json()["results"]) == 6
    _started(tenant, "Supplier 2")
    with django_assert_num_queries(EXPECTED_LIST):
        assert len(client.get(URL).json()["results"]) == 12


# As every other API list: key, throttle, tenant scope, and one query for the page of tasks with their suppliers
# and owners.
EXPECTED_LIST = 10
