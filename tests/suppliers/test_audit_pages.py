"""Factory audit pages as each role uses them: checklists, planning from the profile tab, performing an audit
(internal auditor and agent), evidence files, findings, the partner pages' isolation, and constant query
counts on the lists."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign, agent_unassign
from sourcing.tenancy import tenant_scope
from suppliers.models import (
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditQuestion,
    AuditTemplate,
    FactoryAudit,
    Site,
    Supplier,
)
from suppliers.services import audit_findings as finding_services
from suppliers.services import audits as services
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF, answer_all, make_template, plan

SECRET = "TARGET-PRICE-SECRET"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _events(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return int(AuditEvent.objects.count())


def _body(response: Any) -> str:
    return str(response.content.decode())


def _same_page(a: Any, b: Any) -> bool:
    """Byte-identical but for the per-request CSRF token."""

    def strip(content: bytes) -> bytes:
        content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
        return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)

    return strip(a.content) == strip(b.content)


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(
            tenant=tenant, legal_name="Ningbo Everbright Housewares Co., Ltd.", internal_notes=SECRET, risk_notes=SECRET
        )


@pytest.fixture
def quality(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.QUALITY, full_name="Grace Quality")


@pytest.fixture
def agent(tenant: Tenant, make_member: Any, supplier: Supplier) -> Membership:
    member = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    return member


@pytest.fixture
def agent_audit(tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership) -> FactoryAudit:
    """An audit the agent performs, with a finding owned by quality that was closed with a note."""
    audit = plan(tenant, supplier, make_template(tenant), agent, planned_on=datetime.date(2026, 5, 4))
    with tenant_scope(tenant):
        finding = finding_services.audit_finding_add(
            tenant=tenant,
            by=Actor.for_membership(agent),
            audit_id=audit.pk,
            severity="major",
            description="Fire exits blocked",
            owner_id=quality.pk,
        )
        finding_services.audit_finding_close(
            tenant=tenant, by=Actor.for_membership(quality), finding_id=finding.pk, note="CLOSING-NOTE-INTERNAL"
        )
    return audit


# Checklists


def test_quality_builds_a_checklist_in_the_browser(tenant: Tenant, quality: Membership) -> None:
    client = _client(quality)
    # when quality creates a checklist
    response = client.post(
        _url("audit_template_create"), {"name": "Social audit", "audit_type": "social", "pass_score": "80"}
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        template_id = AuditTemplate.objects.get().pk
    detail = _url("audit_template_detail", audit_template_id=template_id)
    # and adds three questions, one with a bad weight
    add = _url("audit_question_add", audit_template_id=template_id)
    for text in ("Are working hours recorded?", "Is overtime voluntary?"):
        assert client.post(add, {"section": "Working hours", "text": text, "weight": "2"}).status_code == 302
    bad = client.post(add, {"section": "Wages", "text": "Minimum wage paid?", "weight": "11"})
    assert bad.status_code == 200 and "weight" in _body(bad)
    with tenant_scope(tenant):
        first, second = AuditQuestion.objects.filter(template_id=template_id).order_by("position")
    # and moves the second up, edits it as critical, removes the first
    assert client.post(_url("audit_question_move", audit_question_id=second.pk), {"direction": "up"}).status_code == 302
    edit = _url("audit_question_edit", audit_question_id=second.pk)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"section": "Working hours", "text": "Is overtime voluntary?", "weight": "5", "is_critical": "on"}
    )
    assert response.status_code == 302
    assert client.post(_url("audit_question_delete", audit_question_id=first.pk)).status_code == 302
    # then the checklist shows what is left, and can be deactivated
    page = _body(client.get(detail))
    assert "Is overtime voluntary?" in page and "Are working hours recorded?" not in page
    assert (
        client.post(_url("audit_template_set_active", audit_template_id=template_id), {"active": "0"}).status_code
        == 302
    )
    with tenant_scope(tenant):
        second.refresh_from_db()
        template = AuditTemplate.objects.get()
    assert (second.weight, second.is_critical, template.is_active) == (5, True, False)
    assert "Inactive" in _body(client.get(_url("audit_template_list")))


@pytest.mark.parametrize("role", [Role.BUYER, Role.FINANCE, Role.EXECUTIVE])
def test_readers_see_checklists_but_cannot_change_them(tenant: Tenant, make_member: Any, role: str) -> None:
    template = make_template(tenant)
    client = _client(make_member(tenant, role))
    before = _events(tenant)
    detail = client.get(_url("audit_template_detail", audit_template_id=template.pk))
    assert detail.status_code == 200 and "Add a question" not in _body(detail)
    assert client.get(_url("audit_template_create")).status_code == 403
    response = client.post(
        _url("audit_question_add", audit_template_id=template.pk), {"section": "S", "text": "T", "weight": "1"}
    )
    assert response.status_code == 403
    assert _events(tenant) == before


# Planning from the profile tab


def test_quality_plans_an_audit_for_the_assigned_agent(
    tenant: Tenant, supplier: Supplier, quality: Membership, agent: Membership, make_member: Any
) -> None:
    template = make_template(tenant)
    client = _client(quality)
    tab = _url("supplier_audits", supplier_id=supplier.pk)
    page = _body(client.get(tab))
    # the plan form offers internal auditors and the assigned agent, not a buyer or an unassigned agent
    other_agent = make_member(tenant, Role.AGENT, email="agent.chen@szbridge.test")
    page = _body(client.get(tab))
    assert "Plan an audit" in page and "agent.li@szbridge.test" in page and "agent.chen" not in page
    # a refused plan (an agent not assigned) shows the form again and writes nothing
    before = _events(tenant)
    plan_url = _url("audit_plan", supplier_id=supplier.pk)
    refused = client.post(plan_url, {"template": template.pk, "auditor": other_agent.pk})
    assert refused.status_code == 200 and "Choose one of the listed options." in _body(refused)
    assert _events(tenant) == before
    # a good one goes to the new audit
    response = client.post(plan_url, {"template": template.pk, "auditor": agent.pk, "planned_on": "2026-05-04"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        audit = FactoryAudit.objects.get()
    assert response["Location"] == _url("audit_detail", audit_id=audit.pk)
    assert audit.auditor_id == agent.pk and audit.planned_on == datetime.date(2026, 5, 4)
    assert "Planned" in _body(client.get(tab))


def test_a_buyer_reads_the_tab_without_the_plan_form_and_cannot_plan(
    tenant: Tenant, supplier: Supplier, quality: Membership, make_member: Any
) -> None:
    template = make_template(tenant)
    client = _client(make_member(tenant, Role.BUYER))
    assert "Plan an audit" not in _body(client.get(_url("supplier_audits", supplier_id=supplier.pk)))
    before = _events(tenant)
    response = client.post(
        _url("audit_plan", supplier_id=supplier.pk), {"template": template.pk, "auditor": quality.pk}
    )
    assert response.status_code == 403 and _events(tenant) == before


# Performing an audit internally


def test_the_internal_auditor_answers_uploads_and_submits(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant, pass_score=75), quality)
    client = _client(quality)
    detail = _url("audit_detail", audit_id=audit.pk)
    with tenant_scope(tenant):
        items = list(AuditItem.objects.filter(audit_id=audit.pk).order_by("position"))
    page = _body(client.get(detail))
    assert "Save and submit" in page and "4 items to answer" in page
    # submitting with two answers: refused, naming the unanswered items; the two answers are kept
    partial = {f"answer_{items[0].pk}": "compliant", f"answer_{items[1].pk}": "compliant"}
    response = client.post(_url("audit_submit", audit_id=audit.pk), partial, follow=True)
    text = _body(response)
    assert "3. Are work instructions posted at each station?" in text and "4. Is first-article" in text
    # a file that is not what it says is refused, naming the field, and nothing is stored
    fake = SimpleUploadedFile("photo.pdf", b"MZ\x90\x00\x03executable", content_type="application/pdf")
    bad = client.post(_url("audit_evidence_upload", audit_id=audit.pk), {"file": fake})
    assert bad.status_code == 200 and "not an accepted type" in _body(bad)
    with tenant_scope(tenant):
        assert AuditEvidence.objects.count() == 0
    good = SimpleUploadedFile("calibration.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(_url("audit_evidence_upload", audit_id=audit.pk), {"file": good, "item": items[1].pk}).status_code
        == 302
    )
    with tenant_scope(tenant):
        evidence = AuditEvidence.objects.get()
    download = client.get(_url("audit_evidence_download", audit_evidence_id=evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    # a finding, then all answers and the submission
    finding = {"severity": "minor", "description": "Labels faded", "owner": quality.pk, "due_on": "2026-07-01"}
    assert client.post(_url("audit_finding_add", audit_id=audit.pk), finding).status_code == 302
    rest = {f"answer_{items[2].pk}": "non_compliant", f"answer_{items[3].pk}": "compliant", "summary": "Tidy"}
    response = client.post(_url("audit_submit", audit_id=audit.pk), {**partial, **rest})
    assert response.status_code == 302
    with tenant_scope(tenant):
        audit.refresh_from_db()
    # weights 3 + 2 + 4 compliant of 10: 90 % against 75
    assert (audit.status, str(audit.score)) == ("passed", "90.00")
    page = _body(client.get(detail))
    assert "90.00 %" in page and "Save and submit" not in page


def test_an_internal_member_who_is_not_the_auditor_cannot_perform(
    tenant: Tenant, supplier: Supplier, quality: Membership, make_member: Any
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    colleague = make_member(tenant, Role.CATEGORY_MANAGER)
    client = _client(colleague)
    assert "Save and submit" not in _body(client.get(_url("audit_detail", audit_id=audit.pk)))
    with tenant_scope(tenant):
        item = AuditItem.objects.filter(audit_id=audit.pk).first()
    assert item is not None
    before = _events(tenant)
    posts = [
        ("audit_answer", {f"answer_{item.pk}": "compliant"}),
        ("audit_submit", {}),
        ("audit_finding_add", {"severity": "minor", "description": "x"}),
        ("audit_evidence_upload", {"file": SimpleUploadedFile("a.pdf", PDF)}),
    ]
    for name, data in posts:
        response = client.post(_url(name, audit_id=audit.pk), data, follow=True)
        assert response.status_code == 200 and "Only the audit&#x27;s auditor can work on it." in _body(response)
    assert _events(tenant) == before


def test_open_findings_list_highlights_overdue_and_closes_with_a_note(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    with tenant_scope(tenant):
        late = finding_services.audit_finding_add(
            tenant=tenant,
            by=Actor.for_membership(quality),
            audit_id=audit.pk,
            severity="major",
            description="Calibration overdue",
            owner_id=quality.pk,
            due_on=datetime.date(2020, 1, 1),
        )
        finding_services.audit_finding_add(
            tenant=tenant,
            by=Actor.for_membership(quality),
            audit_id=audit.pk,
            severity="minor",
            description="Aisles narrow",
            due_on=datetime.date(2099, 1, 1),
        )
    client = _client(quality)
    page = _body(client.get(_url("audit_finding_list")))
    assert page.count('badge-danger">Overdue<') == 1  # the one overdue row's badge
    assert "Grace Quality" in page and "Aisles narrow" in page
    overdue_only = _body(client.get(_url("audit_finding_list") + "?overdue=on"))
    assert "Calibration overdue" in overdue_only and "Aisles narrow" not in overdue_only
    # closing without a note is refused; with one, it leaves the list
    client.post(_url("audit_finding_close", audit_finding_id=late.pk), {"note": ""})
    with tenant_scope(tenant):
        assert not AuditFinding.objects.get(pk=late.pk).is_closed
    client.post(_url("audit_finding_close", audit_finding_id=late.pk), {"note": "Recalibrated", "next": "findings"})
    assert "Calibration overdue" not in _body(client.get(_url("audit_finding_list")))
    assert "Recalibrated" in _body(client.get(_url("audit_detail", audit_id=audit.pk)))


# Another tenant


@pytest.mark.parametrize(
    ("name", "method", "kwarg"),
    [
        ("audit_detail", "get", "audit_id"),
        ("audit_answer", "post", "audit_id"),
        ("audit_submit", "post", "audit_id"),
        ("audit_evidence_upload", "post", "audit_id"),
        ("audit_finding_add", "post", "audit_id"),
        ("audit_evidence_download", "get", "audit_evidence_id"),
        ("audit_finding_close", "post", "audit_finding_id"),
        ("audit_template_detail", "get", "audit_template_id"),
        ("audit_question_delete", "post", "audit_question_id"),
        ("supplier_audits", "get", "supplier_id"),
        ("audit_plan", "post", "supplier_id"),
    ],
)
def test_another_tenants_ids_are_missing_ids(
    tenant: Tenant,
    other_tenant: Tenant,
    make_member: Any,
    supplier: Supplier,
    agent_audit: FactoryAudit,
    agent: Membership,
    name: str,
    method: str,
    kwarg: str,
) -> None:
    # given acme's audit with evidence, and globex's admin
    with tenant_scope(tenant):
        evidence = services.audit_evidence_upload(
            tenant=tenant, by=Actor.for_membership(agent), audit_id=agent_audit.pk, file=io.BytesIO(PDF)
        )
        ids = {
            "audit_id": agent_audit.pk,
            "audit_evidence_id": evidence.pk,
            "audit_finding_id": AuditFinding.objects.get(audit_id=agent_audit.pk).pk,
            "audit_template_id": agent_audit.template_id,
            "audit_question_id": AuditQuestion.objects.filter(template_id=agent_audit.template_id).first().pk,  # type: ignore[union-attr]
            "supplier_id": supplier.pk,
        }
    client = _client(make_member(other_tenant, Role.ADMIN))
    before = (_events(tenant), _events(other_tenant))
    # when they ask for acme's id on globex's pages, and for a random id
    theirs = getattr(client, method)(
        _url(name, "globex", **{kwarg: ids[kwarg]}), {"note": "x"} if method == "post" else None
    )
    missing = getattr(client, method)(
        _url(name, "globex", **{kwarg: uuid.uuid4()}), {"note": "x"} if method == "post" else None
    )
    # then both are the same 404, and nothing is written
    assert theirs.status_code == missing.status_code == 404
    assert _same_page(theirs, missing)
    assert (_events(tenant), _events(other_tenant)) == before


# Partner pages


def test_the_agent_performs_their_audit_on_the_partner_pages(
    tenant: Tenant, supplier: Supplier, agent: Membership, agent_audit: FactoryAudit
) -> None:
    client = _client(agent)
    listing = _body(client.get(_url("portal_audit_list")))
    assert "Factory quality-system audit" in listing and supplier.legal_name in listing
    detail_url = _url("portal_audit_detail", audit_id=agent_audit.pk)
    page = _body(client.get(detail_url))
    # partner-safe: no internal or risk notes, no internal owner, no closing note
    for internal in (SECRET, "quality@acme.test", "Grace Quality", "CLOSING-NOTE-INTERNAL"):
        assert internal not in page
    assert "Fire exits blocked" in page and "Save and submit" in page
    with tenant_scope(tenant):
        items = list(AuditItem.objects.filter(audit_id=agent_audit.pk).order_by("position"))
    # a bad evidence file is refused on the partner page too
    fake = SimpleUploadedFile("report.pdf", b"\x00\x01binary-not-a-pdf", content_type="application/pdf")
    bad = client.post(_url("portal_audit_evidence_upload", audit_id=agent_audit.pk), {"file": fake})
    assert bad.status_code == 200 and "not an accepted type" in _body(bad)
    good = SimpleUploadedFile("floor.pdf", PDF, content_type="application/pdf")
    assert client.post(_url("portal_audit_evidence_upload", audit_id=agent_audit.pk), {"file": good}).status_code == 302
    with tenant_scope(tenant):
        evidence = AuditEvidence.objects.get()
    download = client.get(_url("portal_audit_evidence_download", audit_evidence_id=evidence.pk))
    assert b"".join(download.streaming_content) == PDF
    finding = {"severity": "minor", "description": "Dust on moulds", "owner": "ignored"}
    assert client.post(_url("portal_audit_finding_add", audit_id=agent_audit.pk), finding).status_code == 302
    # the critical item not met: the audit is scored, a critical finding is raised, and it awaits review
    answers = {f"answer_{i.pk}": "compliant" for i in items}
    answers[f"answer_{items[1].pk}"] = "non_compliant"
    response = client.post(_url("portal_audit_submit", audit_id=agent_audit.pk), answers)
    assert response.status_code == 302
    with tenant_scope(tenant):
        agent_audit.refresh_from_db()
        severities = sorted(AuditFinding.objects.filter(audit_id=agent_audit.pk).values_list("severity", flat=True))
    assert (agent_audit.status, agent_audit.critical_failed) == ("submitted", True)
    assert severities == ["critical", "major", "minor"]
    page = _body(client.get(detail_url))
    assert "Save and submit" not in page and "Awaiting review" in page and "Failed" not in page


@pytest.mark.parametrize("who", ["assigned_not_auditor", "unassigned", "no_longer_assigned"])
def test_partner_pages_of_an_audit_not_theirs_are_missing(
    tenant: Tenant,
    make_member: Any,
    supplier: Supplier,
    agent: Membership,
    agent_audit: FactoryAudit,
    who: str,
) -> None:
    # given an agent who is not (or no longer) allowed to perform this audit
    if who == "no_longer_assigned":
        member = agent
        with tenant_scope(tenant):
            agent_unassign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    else:
        member = make_member(tenant, Role.AGENT, email="agent.wu@szbridge.test")
        if who == "assigned_not_auditor":
            with tenant_scope(tenant):
                agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    evidence = None
    if who != "no_longer_assigned":
        with tenant_scope(tenant):
            evidence = services.audit_evidence_upload(
                tenant=tenant, by=Actor.for_membership(agent), audit_id=agent_audit.pk, file=io.BytesIO(PDF)
            )
    client = _client(member)
    assert agent_audit.supplier.legal_name not in _body(client.get(_url("portal_audit_list")))
    before = _events(tenant)
    for name, method in [
        ("portal_audit_detail", "get"),
        ("portal_audit_answer", "post"),
        ("portal_audit_submit", "post"),
        ("portal_audit_finding_add", "post"),
        ("portal_audit_evidence_upload", "post"),
    ]:
        theirs = getattr(client, method)(_url(name, audit_id=agent_audit.pk))
        missing = getattr(client, method)(_url(name, audit_id=uuid.uuid4()))
        assert theirs.status_code == missing.status_code == 404
        assert _same_page(theirs, missing)
    if evidence is not None:
        theirs = client.get(_url("portal_audit_evidence_download", audit_evidence_id=evidence.pk))
        assert theirs.status_code == 404
    # and the internal pages are closed to agents altogether
    assert client.get(_url("audit_detail", audit_id=agent_audit.pk)).status_code == 403
    assert _events(tenant) == before


# Query counts


def _grow(tenant: Tenant, supplier: Supplier, template: Any, auditor: Membership, n: int) -> None:
    """``n`` more audits, each submitted with a finding, on suppliers of their own."""
    for i in range(n):
        with tenant_scope(tenant):
            other = Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {uuid.uuid4().hex[:6]} {i}")
            site = Site.objects.create(tenant=tenant, supplier=other, name=f"Plant {i}")
        audit = plan(tenant, other, template, auditor, site_id=site.pk)
        answer_all(tenant, audit, auditor, ["compliant", "non_compliant", "compliant", "compliant"])
        with tenant_scope(tenant):
            finding_services.audit_finding_add(
                tenant=tenant,
                by=Actor.for_membership(auditor),
                audit_id=audit.pk,
                severity="minor",
                description="Finding",
                owner_id=auditor.pk,
                due_on=datetime.date(2020, 1, 1),
            )
            services.audit_submit(tenant=tenant, by=Actor.for_membership(auditor), audit_id=audit.pk)
        plan(tenant, supplier, template, auditor)


# A tenant page's fixed cost is 13 queries (session, user, tenant, membership, the RLS settings and their
# savepoints, the tenant switcher). On top: audits, the auditor and supplier filter choices, the count and
# the page, the number awaiting review; findings, the count and the page; the tab, the profile header's flags,
# the audits, the plan form's templates, auditors and sites; the portal list, its audits; the checklists, one query.
EXPECTED = {
    "factory_audit_list": 18,
    "audit_finding_list": 15,
    "supplier_audits": 19,
    "audit_template_list": 14,
}


@pytest.mark.parametrize("url_name", sorted(EXPECTED))
def test_list_pages_run_a_constant_number_of_queries(
    tenant: Tenant, supplier: Supplier, quality: Membership, django_assert_num_queries: Any, url_name: str
) -> None:
    template = make_template(tenant)
    client = _client(quality)
    url = _url(url_name, supplier_id=supplier.pk) if url_name == "supplier_audits" else _url(url_name)
    _grow(tenant, supplier, template, quality, 2)
    make_template(tenant, name="Second")
    client.get(url)  # warm: session and content types
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200
    _grow(tenant, supplier, template, quality, 2)
    make_template(tenant, name="Third")
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200


def test_the_partner_list_runs_a_constant_number_of_queries(
    tenant: Tenant, supplier: Supplier, agent: Membership, django_assert_num_queries: Any
) -> None:
    template = make_template(tenant)
    client = _client(agent)
    for _ in range(2):
        plan(tenant, supplier, template, agent)
    client.get(_url("portal_audit_list"))
    with django_assert_num_queries(16):  # the agent's granted supplier ids first; the count for the pager
        assert client.get(_url("portal_audit_list")).status_code == 200
    for _ in range(2):
        plan(tenant, supplier, template, agent)
    with django_assert_num_queries(16):
        body = _body(client.get(_url("portal_audit_list"), {"sort": "-planned"}))
    assert body.count(supplier.legal_name) == 4
    assert "1–4 of 4" in body and 'aria-sort="descending"' in body
