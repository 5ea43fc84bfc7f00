"""Onboarding pages: the profile tab and its actions, the overdue list, the checklist templates; who may open
and post what, other tenants' ids, and constant query counts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import OnboardingItem, OnboardingTask, OnboardingTemplate, Supplier, TaskStatus, Tier
from suppliers.selectors.evidence import tenant_today
from suppliers.services import onboarding as services
from suppliers.services import onboarding_templates as template_services
from tests.conftest import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
READERS = [Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.QUALITY, Role.FINANCE, Role.EXECUTIVE]


def _without_csrf(content: bytes) -> bytes:
    """Pages carry a per-request CSRF token; everything else must be byte-identical."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _url(name: str, tenant_slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **values)


def _started(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    supplier = _supplier(tenant, name, **values)
    with tenant_scope(tenant):
        services.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
    return supplier


def _task(tenant: Tenant, supplier: Supplier, code: str = "nda_signed") -> OnboardingTask:
    with tenant_scope(tenant):
        task = OnboardingTask.objects.filter(supplier=supplier, code=code).first()
        assert task is not None
        return task


def _events(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.count()


# The tab


@pytest.mark.parametrize("role", [*READERS, Role.AGENT])
def test_tab_by_role(tenant: Tenant, make_member: Any, role: str) -> None:
    supplier = _started(tenant)
    member = make_member(tenant, role)
    if role == Role.AGENT:
        with tenant_scope(tenant):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    response = _client(member).get(_url("supplier_onboarding", supplier_id=supplier.pk))
    # agents, even assigned ones, never see internal onboarding pages
    assert response.status_code == (403 if role == Role.AGENT else 200)


def test_tab_shows_progress_tasks_and_the_actions_the_role_may_take(tenant: Tenant, make_member: Any) -> None:
    supplier = _started(tenant, tier=Tier.CORE)
    with tenant_scope(tenant):
        services.onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=_task(tenant, supplier).pk)
    buyer_page = _client(make_member(tenant, Role.BUYER)).get(_url("supplier_onboarding", supplier_id=supplier.pk))
    body = buyer_page.content.decode()
    assert "1 of 6 tasks done or waived." in body
    assert "Quality agreement signed" in body and "Onboarding task not done" in body
    assert "Mark done" in body and "Waive" not in body  # buyers complete, only qualifiers waive
    quality_page = _client(make_member(tenant, Role.QUALITY)).get(_url("supplier_onboarding", supplier_id=supplier.pk))
    assert "Mark done" not in quality_page.content.decode()  # no SUPPLIER_WRITE: read only


def test_a_supplier_without_tasks_offers_to_start(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    client = _client(make_member(tenant, Role.BUYER))
    page = client.get(_url("supplier_onboarding", supplier_id=supplier.pk)).content.decode()
    assert "Start onboarding" in page
    response = client.post(_url("onboarding_start", supplier_id=supplier.pk))
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert OnboardingTask.objects.filter(supplier=supplier).count() == 6


def test_start_without_supplier_write_is_forbidden_and_writes_nothing(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    client = _client(make_member(tenant, Role.QUALITY))
    before = _events(tenant)
    response = client.post(_url("onboarding_start", supplier_id=supplier.pk))
    assert response.status_code == 403
    with tenant_scope(tenant):
        assert not OnboardingTask.objects.exists()
    assert _events(tenant) == before


def test_complete_with_evidence_then_download_it(
    tenant: Tenant, make_member: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    supplier = _started(tenant)
    task = _task(tenant, supplier)
    client = _client(make_member(tenant, Role.BUYER))
    upload = SimpleUploadedFile("nda.pdf", PDF, content_type="application/pdf")
    response = client.post(
        _url("onboarding_task_complete", onboarding_task_id=task.pk), {"note": "Signed", "file": upload}
    )
    assert response.status_code == 302
    done = _task(tenant, supplier)
    assert (done.status, done.file_name, done.note) == (TaskStatus.DONE, "nda.pdf", "Signed")
    download = client.get(_url("onboarding_evidence", onboarding_task_id=task.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_a_file_that_is_not_a_document_is_refused_with_its_reason(tenant: Tenant, make_member: Any) -> None:
    supplier = _started(tenant)
    task = _task(tenant, supplier)
    client = _client(make_member(tenant, Role.BUYER))
    upload = SimpleUploadedFile("nda.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = client.post(_url("onboarding_task_complete", onboarding_task_id=task.pk), {"file": upload}, follow=True)
    assert "not an accepted type" in response.content.decode()
    assert _task(tenant, supplier).status == TaskStatus.OPEN


def test_waive_is_for_qualifiers_and_needs_a_reason(tenant: Tenant, make_member: Any) -> None:
    supplier = _started(tenant)
    task = _task(tenant, supplier, "first_sample_approved")
    url = _url("onboarding_task_waive", onboarding_task_id=task.pk)
    assert _client(make_member(tenant, Role.BUYER)).post(url, {"reason": "Stock item"}).status_code == 403
    quality = _client(make_member(tenant, Role.QUALITY))
    page = quality.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Say why the task is waived." in page
    assert _task(tenant, supplier, "first_sample_approved").status == TaskStatus.OPEN
    quality.post(url, {"reason": "Stock item"})
    assert _task(tenant, supplier, "first_sample_approved").status == TaskStatus.WAIVED


def test_assign_due_and_reopen_from_the_tab(tenant: Tenant, make_member: Any) -> None:
    buyer = make_member(tenant, Role.BUYER)
    supplier = _started(tenant)
    task = _task(tenant, supplier)
    client = _client(buyer)
    client.post(_url("onboarding_task_assign", onboarding_task_id=task.pk), {f"{task.pk}-owner": str(buyer.pk)})
    client.post(_url("onboarding_task_due", onboarding_task_id=task.pk), {f"{task.pk}-due_on": "2027-01-15"})
    client.post(_url("onboarding_task_complete", onboarding_task_id=task.pk), {"note": ""})
    client.post(_url("onboarding_task_reopen", onboarding_task_id=task.pk))
    task = _task(tenant, supplier)
    assert (task.owner_id, task.due_on, task.status) == (buyer.pk, datetime.date(2027, 1, 15), TaskStatus.OPEN)


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("onboarding_task_complete", {"note": "x"}),
        ("onboarding_task_reopen", {}),
        ("onboarding_task_assign", {"owner": ""}),
        ("onboarding_task_due", {"due_on": "2027-01-01"}),
        ("onboarding_evidence", None),
    ],
)
def test_another_tenants_task_is_a_missing_task(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, name: str, form: Any
) -> None:
    theirs = _task(other_tenant, _started(other_tenant, "Xiamen Peakline"))
    client = _client(make_member(tenant, Role.ADMIN))
    before = _events(other_tenant)
    send = client.get if form is None else client.post
    theirs_response = send(_url(name, onboarding_task_id=theirs.pk), form)
    missing_response = send(_url(name, onboarding_task_id="00000000-0000-7000-8000-000000000000"), form)
    assert theirs_response.status_code == missing_response.status_code == 404
    assert _without_csrf(theirs_response.content) == _without_csrf(missing_response.content)
    assert _events(other_tenant) == before
    assert _task(other_tenant, Supplier(pk=theirs.supplier_id)).status == TaskStatus.OPEN


# Overdue list


def _overdue_world(tenant: Tenant, owner: Membership, start: int, n: int) -> None:
    yesterday = tenant_today(tenant) - datetime.timedelta(days=1)  # the day the pages count in, not the server's
    for i in range(start, start + n):
        supplier = _started(tenant, f"Supplier {i:03d}", owner=owner)
        with tenant_scope(tenant):
            OnboardingTask.objects.filter(supplier=supplier).update(due_on=yesterday)


def test_overdue_lists_open_past_due_tasks_with_an_owner_filter(tenant: Tenant, make_member: Any) -> None:
    buyer, manager = make_member(tenant, Role.BUYER), make_member(tenant, Role.CATEGORY_MANAGER)
    _overdue_world(tenant, buyer, 1, 1)
    _overdue_world(tenant, manager, 2, 1)
    on_time = _started(tenant, "On time Co", owner=buyer)
    assert on_time
    client = _client(buyer)
    everyone = client.get(_url("onboarding_overdue")).content.decode()
    assert "Supplier 001" in everyone and "Supplier 002" in everyone and "On time Co" not in everyone
    mine = client.get(_url("onboarding_overdue"), {"owner": str(buyer.pk)}).content.decode()
    assert "Supplier 001" in mine and "Supplier 002" not in mine
    assert _client(make_member(tenant, Role.AGENT)).get(_url("onboarding_overdue")).status_code == 403


def test_overdue_runs_a_constant_number_of_queries(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    buyer = make_member(tenant, Role.BUYER)
    client = _client(buyer)
    _overdue_world(tenant, buyer, 1, 2)
    client.get(_url("onboarding_overdue"))  # warm: session and content types
    with django_assert_num_queries(EXPECTED["onboarding_overdue"]):
        assert client.get(_url("onboarding_overdue")).status_code == 200
    _overdue_world(tenant, buyer, 3, 2)
    with django_assert_num_queries(EXPECTED["onboarding_overdue"]):
        response = client.get(_url("onboarding_overdue"))
    assert response.content.decode().count("Supplier 00") >= 4 * 6


# Templates


@pytest.mark.parametrize("role", [*READERS, Role.AGENT])
def test_templates_are_for_configurers(tenant: Tenant, make_member: Any, role: str) -> None:
    response = _client(make_member(tenant, role)).get(_url("onboarding_template_list"))
    allowed = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.QUALITY}
    assert response.status_code == (200 if role in allowed else 403)
    with tenant_scope(tenant):
        assert OnboardingTemplate.objects.count() == (3 if role in allowed else 0)


def test_add_edit_and_remove_an_item_through_the_pages(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.QUALITY))
    client.get(_url("onboarding_template_list"))
    with tenant_scope(tenant):
        template = OnboardingTemplate.objects.get(tier=Tier.STRATEGIC)
    detail = _url("onboarding_template_detail", onboarding_template_id=template.pk)
    assert "ERP vendor created" in client.get(detail).content.decode()
    add = _url("onboarding_item_add", onboarding_template_id=template.pk)
    bad = client.post(add, {"code": "nda_signed", "title": "Again", "due_days": "7"})
    assert bad.status_code == 200 and "already has an item with the code nda_signed" in bad.content.decode()
    assert client.post(add, {"code": "factory_visit", "title": "Factory visit", "due_days": "30"}).status_code == 302
    with tenant_scope(tenant):
        item = OnboardingItem.objects.get(template=template, code="factory_visit")
    edit = _url("onboarding_item_edit", onboarding_item_id=item.pk)
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Factory visited", "due_days": "21", "position": "1"})
    with tenant_scope(tenant):
        item.refresh_from_db()
        assert (item.title, item.due_days, item.is_required, item.position) == ("Factory visited", 21, False, 1)
    assert client.post(_url("onboarding_item_remove", onboarding_item_id=item.pk)).status_code == 302
    with tenant_scope(tenant):
        assert not OnboardingItem.objects.filter(code="factory_visit").exists()


def test_another_tenants_template_and_item_are_missing(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(other_tenant):
        theirs = template_services.onboarding_templates_ensure(tenant=other_tenant, by=SYSTEM)[0]
        item = theirs.items.first()
        assert item is not None
    client = _client(make_member(tenant, Role.ADMIN))
    assert client.get(_url("onboarding_template_detail", onboarding_template_id=theirs.pk)).status_code == 404
    assert client.post(_url("onboarding_item_remove", onboarding_item_id=item.pk)).status_code == 404
    with tenant_scope(other_tenant):
        assert OnboardingItem.objects.filter(pk=item.pk).exists()


# The fixed cost of a tenant page (session, user, tenant, membership, RLS settings, the tenant switcher) plus:
# the owner choices, the page count, and the page of tasks with their suppliers and owners.
EXPECTED = {"onboarding_overdue": 16}
