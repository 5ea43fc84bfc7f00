"""Quality's review of an agent's audit: the agent's submission waits as ``submitted`` (scored, counting as neither
passed nor failed), is accepted (passed or failed by the scoring rule) or returned with a note the agent sees
on the portal and by e-mail; who may review; other tenants' ids; the approval rules; the list's filter and
query counts."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import ConflictError, DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import INTERNAL_ROLES, ROLE_SCOPES, Role, Scope
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import AuditFinding, FactoryAudit, Supplier, SupplierCategory
from suppliers.selectors.qualification import approval_blockers
from suppliers.services import audit_findings as finding_services
from suppliers.services import audit_review
from suppliers.services import audits as services
from tests.conftest import SYSTEM
from tests.suppliers.builders import answer_all, make_template, plan

ALL_MET = ["compliant", "compliant", "compliant", "compliant"]  # 100 %
CRITICAL_MISSED = ["compliant", "non_compliant", "compliant", "compliant"]  # 80 %, the critical item not met
LOW_SCORE = ["non_compliant", "compliant", "compliant", "non_compliant"]  # 30 %, below the pass score of 70


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright Housewares Co., Ltd.")


@pytest.fixture
def quality(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.QUALITY, full_name="Grace Quality")


@pytest.fixture
def agent(tenant: Tenant, make_member: Any, supplier: Supplier) -> Membership:
    member = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    member.user.language = "zh-hans"
    member.user.save(update_fields=["language"])
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    return member


def _as(member: Membership) -> Actor:
    return Actor.for_membership(member)


def _submitted(tenant: Tenant, supplier: Supplier, agent: Membership, answers: list[str]) -> FactoryAudit:
    """An audit the agent performed and submitted."""
    audit = plan(tenant, supplier, make_template(tenant, name=f"Checklist {uuid.uuid4().hex[:6]}"), agent)
    answer_all(tenant, audit, agent, answers)
    with tenant_scope(tenant):
        return services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk, summary="Visited.")


def _events(tenant: Tenant, action: str = "") -> list[AuditEvent]:
    with tenant_scope(tenant):
        events = AuditEvent.objects.order_by("created_at", "id")
        return list(events.filter(action=action) if action else events)


def _url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _body(response: Any) -> str:
    return str(response.content.decode())


def _strip_csrf(content: bytes) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


# Submitting


def test_an_agents_submission_is_scored_and_awaits_review(
    tenant: Tenant, supplier: Supplier, agent: Membership
) -> None:
    # when the agent submits an audit that misses its critical item
    audit = _submitted(tenant, supplier, agent, CRITICAL_MISSED)
    # then it is scored, the critical finding is raised, and it is neither passed nor failed
    assert (audit.status, audit.score, audit.critical_failed) == ("submitted", 80, True)
    with tenant_scope(tenant):
        assert AuditFinding.objects.filter(audit_id=audit.pk, severity="critical").count() == 1
        # and it can no longer be changed by the agent
        with pytest.raises(DomainError, match="submitted"):
            services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk)
    (event,) = _events(tenant, "audit.submit")
    assert (event.before or {})["status"] == "in_progress"
    assert (event.after or {})["status"] == "submitted" and (event.after or {})["proposed"] == "failed"


def test_an_internal_auditors_submission_is_final_as_before(
    tenant: Tenant, supplier: Supplier, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant), quality)
    answer_all(tenant, audit, quality, ALL_MET)
    with tenant_scope(tenant):
        audit = services.audit_submit(tenant=tenant, by=_as(quality), audit_id=audit.pk)
    assert audit.status == "passed"
    assert "proposed" not in (_events(tenant, "audit.submit")[0].after or {})


# Accepting


@pytest.mark.parametrize(
    ("answers", "status"),
    [(ALL_MET, "passed"), (CRITICAL_MISSED, "failed"), (LOW_SCORE, "failed")],
    ids=["good-score", "critical-item-missed", "low-score"],
)
def test_accepting_passes_or_fails_by_the_score_and_critical_items(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership, answers: list[str], status: str
) -> None:
    audit = _submitted(tenant, supplier, agent, answers)
    with tenant_scope(tenant):
        findings = set(AuditFinding.objects.filter(audit_id=audit.pk).values_list("pk", "is_closed"))
        accepted = audit_review.audit_review_accept(
            tenant=tenant, by=_as(quality), audit_id=audit.pk, note="Checked the photos."
        )
        accepted.refresh_from_db()
        # the findings the agent's submission raised stand, untouched
        assert set(AuditFinding.objects.filter(audit_id=audit.pk).values_list("pk", "is_closed")) == findings
    assert (accepted.status, accepted.score) == (status, audit.score)
    (event,) = _events(tenant, "audit.review_accept")
    assert event.actor_label == "quality@acme.test" and event.object_id == str(audit.pk)
    assert (event.before or {})["status"] == "submitted"
    assert (event.after or {})["status"] == status and (event.after or {})["note"] == "Checked the photos."


def test_only_a_submitted_audit_is_reviewed(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    with tenant_scope(tenant):
        audit_review.audit_review_accept(tenant=tenant, by=_as(quality), audit_id=audit.pk)
        for review in (audit_review.audit_review_accept, audit_review.audit_review_return):
            with pytest.raises(ConflictError):
                review(tenant=tenant, by=_as(quality), audit_id=audit.pk, note="again")
    assert len(_events(tenant, "audit.review_accept")) == 1 and _events(tenant, "audit.review_return") == []


# Returning


def test_returning_needs_a_note_and_reopens_the_audit_for_the_agent(
    tenant: Tenant,
    supplier: Supplier,
    agent: Membership,
    quality: Membership,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    audit = _submitted(tenant, supplier, agent, CRITICAL_MISSED)
    # a return without a note: refused, naming the field, nothing written
    with tenant_scope(tenant), pytest.raises(DomainError) as refused:
        audit_review.audit_review_return(tenant=tenant, by=_as(quality), audit_id=audit.pk, note="  ")
    assert set(refused.value.fields) == {"note"}
    assert _events(tenant, "audit.review_return") == []
    # with a note: in progress again, the proposed score cleared, the agent told in their language
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant):
        returned = audit_review.audit_review_return(
            tenant=tenant, by=_as(quality), audit_id=audit.pk, note="Item 2: add the calibration certificates."
        )
    assert (returned.status, returned.score, returned.critical_failed) == ("in_progress", None, False)
    (event,) = _events(tenant, "audit.review_return")
    assert (event.before or {})["status"] == "submitted" and (event.after or {})["status"] == "in_progress"
    (mail,) = mailoutbox
    assert mail.to == ["agent.li@szbridge.test"]
    assert mail.body.startswith("您好\uff1a")  # the catalogue's "Hello,": the agent's language
    assert "Item 2: add the calibration certificates." in mail.body
    assert f"/portal/audits/{audit.pk}/" in mail.body
    # the agent corrects the item and submits again: awaiting review once more, with the new score
    answer_all(tenant, audit, agent, ALL_MET)
    with tenant_scope(tenant):
        again = services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk)
    assert (again.status, again.score, again.critical_failed) == ("submitted", 100, False)


def test_a_return_withdraws_the_critical_findings_its_submission_raised(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership
) -> None:
    audit = plan(tenant, supplier, make_template(tenant, name="Checklist W"), agent)
    answer_all(tenant, audit, agent, CRITICAL_MISSED)
    with tenant_scope(tenant):
        own = finding_services.audit_finding_add(
            tenant=tenant, by=_as(agent), audit_id=audit.pk, severity="minor", description="Fire exit blocked."
        )
        services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk)
        raised = list(AuditFinding.objects.filter(audit_id=audit.pk, severity="critical").values_list("pk", flat=True))
        assert len(raised) == 1
        audit_review.audit_review_return(tenant=tenant, by=_as(quality), audit_id=audit.pk, note="Item 2 again.")
        # the submission's critical finding goes with it; what the agent found stays
        assert not AuditFinding.objects.filter(pk__in=raised).exists()
        assert AuditFinding.objects.filter(pk=own.pk).exists()
    (event,) = _events(tenant, "audit.review_return")
    assert (event.after or {})["critical_findings_withdrawn"] == [str(raised[0])]
    # corrected and accepted: nothing critical left open to block approval
    answer_all(tenant, audit, agent, ALL_MET)
    with tenant_scope(tenant):
        services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk)
        accepted = audit_review.audit_review_accept(tenant=tenant, by=_as(quality), audit_id=audit.pk)
        assert accepted.status == "passed"
        assert not AuditFinding.objects.filter(audit_id=audit.pk, severity="critical", is_closed=False).exists()


def test_an_audit_cannot_be_returned_to_an_agent_no_longer_assigned(
    tenant: Tenant,
    supplier: Supplier,
    agent: Membership,
    quality: Membership,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from sourcing.services import agent_unassign

    audit = _submitted(tenant, supplier, agent, ALL_MET)
    with tenant_scope(tenant):
        agent_unassign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant):
        with pytest.raises(ConflictError, match="no longer work on this supplier"):
            audit_review.audit_review_return(tenant=tenant, by=_as(quality), audit_id=audit.pk, note="Redo item 2.")
        assert FactoryAudit.objects.get(pk=audit.pk).status == "submitted"
    assert mailoutbox == [] and _events(tenant, "audit.review_return") == []
    with tenant_scope(tenant):  # it can still be accepted
        assert audit_review.audit_review_accept(tenant=tenant, by=_as(quality), audit_id=audit.pk).status == "passed"


def test_the_portal_shows_submitted_read_only_and_returned_with_the_note(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    client = _client(agent)
    page = _body(client.get(_url("portal_audit_detail", audit_id=audit.pk)))
    # submitted: awaiting review, read-only
    with translation.override("zh-hans"):  # the agent reads the portal in Chinese
        assert gettext("Awaiting review") in page
    assert 'name="answer_' not in page
    assert _url("portal_audit_submit", audit_id=audit.pk) not in page
    listing = _body(client.get(_url("portal_audit_list")))
    assert _url("portal_audit_detail", audit_id=audit.pk) in listing
    # a step posted anyway is refused
    with tenant_scope(tenant):
        before = len(_events(tenant))
    client.post(_url("portal_audit_finding_add", audit_id=audit.pk), {"severity": "minor", "description": "x"})
    assert len(_events(tenant)) == before
    # returned: the reviewer's note, and the checklist open again; never the reviewer's identity
    with tenant_scope(tenant):
        audit_review.audit_review_return(
            tenant=tenant, by=_as(quality), audit_id=audit.pk, note="RETURN-NOTE: photo of the fire exits, please."
        )
    page = _body(client.get(_url("portal_audit_detail", audit_id=audit.pk)))
    assert "RETURN-NOTE: photo of the fire exits, please." in page
    assert _url("portal_audit_submit", audit_id=audit.pk) in page and 'name="answer_' in page
    assert "quality@acme.test" not in page and "Grace Quality" not in page
    # and once submitted again, the note is gone
    with tenant_scope(tenant):
        services.audit_submit(tenant=tenant, by=_as(agent), audit_id=audit.pk)
    assert "RETURN-NOTE" not in _body(client.get(_url("portal_audit_detail", audit_id=audit.pk)))


# Who may review


def test_the_performing_agent_and_roles_without_the_scope_are_refused(
    tenant: Tenant, make_member: Any, supplier: Supplier, agent: Membership
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    without_scope = [
        make_member(tenant, r) for r in sorted(INTERNAL_ROLES) if Scope.SUPPLIER_AUDIT not in ROLE_SCOPES[r]
    ]
    assert without_scope  # buyer, finance, executive
    before = len(_events(tenant))
    for review in (audit_review.audit_review_accept, audit_review.audit_review_return):
        with tenant_scope(tenant):
            for member in without_scope:
                with pytest.raises(ScopeError):
                    review(tenant=tenant, by=_as(member), audit_id=audit.pk, note="x")
            # the agent who performed it: agents hold no internal scope
            with pytest.raises(ScopeError):
                review(tenant=tenant, by=_as(agent), audit_id=audit.pk, note="x")
            # nor does a system actor review: a review is a person's
            with pytest.raises(ScopeError):
                review(tenant=tenant, by=SYSTEM, audit_id=audit.pk, note="x")
    with tenant_scope(tenant):
        audit.refresh_from_db()
    assert audit.status == "submitted" and len(_events(tenant)) == before


def test_an_auditor_never_reviews_their_own_audit(tenant: Tenant, supplier: Supplier, agent: Membership) -> None:
    # given an agent's audit and, even with a scope that could review, the same person acting
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    same_person = Actor(scopes=ROLE_SCOPES[Role.QUALITY], user=agent.user, membership=agent)
    with tenant_scope(tenant):
        for review in (audit_review.audit_review_accept, audit_review.audit_review_return):
            with pytest.raises((ScopeError, NotFoundError)):
                review(tenant=tenant, by=same_person, audit_id=audit.pk, note="x")
    assert _events(tenant, "audit.review_accept") == []


def test_review_pages_refuse_roles_without_the_scope_and_the_agent(
    tenant: Tenant, make_member: Any, supplier: Supplier, agent: Membership
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    buyer = make_member(tenant, Role.BUYER)
    before = len(_events(tenant))
    for member in (buyer, agent):
        for name in ("audit_review_accept", "audit_review_return"):
            assert _client(member).post(_url(name, audit_id=audit.pk), {"note": "x"}).status_code == 403
    # the buyer reads the audit, without the review buttons
    page = _body(_client(buyer).get(_url("audit_detail", audit_id=audit.pk)))
    assert "Awaiting review" in page and _url("audit_review_accept", audit_id=audit.pk) not in page
    assert len(_events(tenant)) == before


def test_other_tenants_audit_is_a_missing_audit(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, supplier: Supplier, agent: Membership
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    their_quality = make_member(other_tenant, Role.QUALITY)
    # the services, in the other tenant's scope
    with tenant_scope(other_tenant):
        for review in (audit_review.audit_review_accept, audit_review.audit_review_return):
            with pytest.raises(NotFoundError):
                review(tenant=other_tenant, by=_as(their_quality), audit_id=audit.pk, note="x")
    # the pages: the same 404 as a random id, nothing written
    client = _client(their_quality)
    before = (len(_events(tenant)), len(_events(other_tenant)))
    for name in ("audit_review_accept", "audit_review_return"):
        theirs = client.post(_url(name, "globex", audit_id=audit.pk), {"note": "x"})
        missing = client.post(_url(name, "globex", audit_id=uuid.uuid4()), {"note": "x"})
        assert theirs.status_code == missing.status_code == 404
        assert _strip_csrf(theirs.content) == _strip_csrf(missing.content)
    assert (len(_events(tenant)), len(_events(other_tenant))) == before
    with tenant_scope(tenant):
        audit.refresh_from_db()
    assert audit.status == "submitted"


@pytest.mark.parametrize("who", ["unassigned", "assigned_not_auditor"])
def test_portal_pages_of_a_submitted_or_returned_audit_are_missing_to_other_agents(
    tenant: Tenant, make_member: Any, supplier: Supplier, agent: Membership, quality: Membership, who: str
) -> None:
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    other = make_member(tenant, Role.AGENT, email="agent.wu@szbridge.test")
    if who == "assigned_not_auditor":
        with tenant_scope(tenant):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=other.pk, obj=supplier)
    client = _client(other)
    for returned in (False, True):
        if returned:
            with tenant_scope(tenant):
                audit_review.audit_review_return(
                    tenant=tenant, by=_as(quality), audit_id=audit.pk, note="RETURN-NOTE-FOR-LI"
                )
        theirs = client.get(_url("portal_audit_detail", audit_id=audit.pk))
        missing = client.get(_url("portal_audit_detail", audit_id=uuid.uuid4()))
        assert theirs.status_code == missing.status_code == 404
        assert _strip_csrf(theirs.content) == _strip_csrf(missing.content)
        assert "RETURN-NOTE-FOR-LI" not in _body(client.get(_url("portal_audit_list")))


# The internal pages


def test_quality_reviews_on_the_audit_page(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership
) -> None:
    good = _submitted(tenant, supplier, agent, ALL_MET)
    weak = _submitted(tenant, supplier, agent, LOW_SCORE)
    client = _client(quality)
    page = _body(client.get(_url("audit_detail", audit_id=good.pk)))
    assert "Review" in page and "Proposed verdict: passed" in page
    assert (
        _url("audit_review_accept", audit_id=good.pk) in page and _url("audit_review_return", audit_id=good.pk) in page
    )
    # returning without a note: the page again, with the error on the note
    response = client.post(_url("audit_review_return", audit_id=weak.pk), {"note": ""})
    assert response.status_code == 200 and "Tell the auditor what to correct." in _body(response)
    with tenant_scope(tenant):
        weak.refresh_from_db()
    assert weak.status == "submitted"
    # accepting and returning
    assert client.post(_url("audit_review_accept", audit_id=good.pk), {"note": ""}).status_code == 302
    response = client.post(_url("audit_review_return", audit_id=weak.pk), {"note": "Redo the production section."})
    assert response.status_code == 302
    with tenant_scope(tenant):
        good.refresh_from_db()
        weak.refresh_from_db()
    assert (good.status, weak.status) == ("passed", "in_progress")
    page = _body(client.get(_url("audit_detail", audit_id=weak.pk)))
    assert "Redo the production section." in page and _url("audit_review_accept", audit_id=weak.pk) not in page
    # accepting again: refused with a message, nothing written
    before = len(_events(tenant))
    response = client.post(_url("audit_review_accept", audit_id=good.pk), {}, follow=True)
    assert "not awaiting review" in _body(response) and len(_events(tenant)) == before


def test_the_audits_list_filters_and_counts_those_awaiting_review(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership, django_assert_num_queries: Any
) -> None:
    client = _client(quality)
    url = _url("factory_audit_list") + "?status=submitted"

    def grow(n: int) -> None:
        for _ in range(n):
            _submitted(tenant, supplier, agent, ALL_MET)
            done = plan(tenant, supplier, make_template(tenant, name=f"Internal {uuid.uuid4().hex[:6]}"), quality)
            answer_all(tenant, done, quality, ALL_MET)
            with tenant_scope(tenant):
                services.audit_submit(tenant=tenant, by=_as(quality), audit_id=done.pk)

    grow(2)
    client.get(url)  # warm: session and content types
    # the same number of queries at N and 2N rows (13 fixed, the filter choices, count, page, awaiting count)
    with django_assert_num_queries(18):
        page = _body(client.get(url))
    assert page.count("Awaiting review") >= 2 and "2 audits awaiting review" in page
    grow(2)
    with django_assert_num_queries(18):
        page = _body(client.get(url))
    assert "4 audits awaiting review" in page
    with tenant_scope(tenant):
        submitted = {str(pk) for pk in FactoryAudit.objects.filter(status="submitted").values_list("pk", flat=True)}
        passed = {str(pk) for pk in FactoryAudit.objects.filter(status="passed").values_list("pk", flat=True)}
    assert all(pk in page for pk in submitted) and not any(pk in page for pk in passed)


# Approval rules


def test_approval_treats_a_submitted_audit_as_not_passed(
    tenant: Tenant, supplier: Supplier, agent: Membership, quality: Membership
) -> None:
    # given a supplier whose category requires a quality-system audit, and the agent's good audit submitted
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="POTS", name="Pots", required_audits=["quality_system"])
        SupplierCategory.objects.create(tenant=tenant, supplier=supplier, category=category)
    audit = _submitted(tenant, supplier, agent, ALL_MET)
    with tenant_scope(tenant):
        blockers = [b.message for b in approval_blockers(supplier) if b.kind == "audit"]
    # then it blocks approval, saying it awaits review
    assert blockers == ["Factory quality-system audit: no audit passed yet; one is awaiting review."]
    # and once accepted, it no longer does
    with tenant_scope(tenant):
        audit_review.audit_review_accept(tenant=tenant, by=_as(quality), audit_id=audit.pk)
        assert [b for b in approval_blockers(supplier) if b.kind == "audit"] == []
