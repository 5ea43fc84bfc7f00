"""Certification services: validation, files judged by their bytes, who may write, states, compliance flags,
and the expiry reminders with their daily task."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, CertificationState, RiskFlag, Site
from suppliers.selectors.evidence import certifications_missing, state_bounds, tenant_today
from suppliers.services.certifications import (
    certification_create,
    certification_delete,
    certification_reminders_send,
    certification_update,
    compliance_refresh,
    reminder_mark,
)
from suppliers.tasks import certification_daily, certification_daily_all
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF_BYTES, add_certificate, make_supplier, pdf, require_certifications

pytestmark = pytest.mark.usefixtures("viewers_day")  # dates counted in the viewer's day, as the pages count them


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _counts(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return Certification.objects.count(), AuditEvent.objects.count()


def _create(tenant: Tenant, by: Actor, supplier_id: Any, **extra: Any) -> Certification:
    arguments: dict[str, Any] = {"cert_type": "iso_9001", "valid_until": datetime.date(2030, 1, 31), **extra}
    with tenant_scope(tenant):
        return certification_create(tenant=tenant, by=by, supplier_id=supplier_id, **arguments)


def test_create_stores_the_file_judged_by_its_bytes_and_records_it(tenant: Tenant) -> None:
    # given a supplier with a site
    supplier = make_supplier(tenant)
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=supplier, name="Plant 1")
    # when a certificate with a PDF (named .txt) is added for that site
    certification = _create(
        tenant, SYSTEM, supplier.pk, number="Q-1", issuer="SGS", site_id=site.pk, file=pdf("scan.txt")
    )
    # then the file is kept with the type and size its bytes show, and the event is recorded
    with tenant_scope(tenant):
        stored = Certification.objects.get(pk=certification.pk)
        event = AuditEvent.objects.get(action="certification.create")
    assert (stored.content_type, stored.size, stored.file_name) == ("application/pdf", len(PDF_BYTES), "scan.txt")
    assert stored.file.read() == PDF_BYTES
    assert stored.site_id == site.pk
    assert event.after is not None and event.after["number"] == "Q-1"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"valid_from": datetime.date(2030, 2, 1)}, "valid_until"),
        ({"valid_until": None}, "valid_until"),
        ({"cert_type": "iso_27001"}, "cert_type"),
        ({"cert_type": "other", "name": "  "}, "name"),
        ({"number": "N" * 101}, "number"),
        ({"file": pdf("note.pdf", b"just some text, not a PDF")}, "file"),
        ({"file": pdf("empty.pdf", b"")}, "file"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_written(tenant: Tenant, arguments: dict[str, Any], field: str) -> None:
    supplier = make_supplier(tenant)
    before = _counts(tenant)
    with pytest.raises(DomainError) as caught:
        _create(tenant, SYSTEM, supplier.pk, **arguments)
    assert field in caught.value.fields
    assert _counts(tenant) == before


def test_a_file_over_the_limit_is_refused(tenant: Tenant, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1024
    supplier = make_supplier(tenant)
    before = _counts(tenant)
    with pytest.raises(DomainError) as caught:
        _create(tenant, SYSTEM, supplier.pk, file=pdf(body=PDF_BYTES + b"0" * 2000))
    assert "limit" in caught.value.fields["file"][0]
    assert _counts(tenant) == before


def test_every_bad_field_is_named_at_once(tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    with pytest.raises(DomainError) as caught:
        _create(tenant, SYSTEM, supplier.pk, cert_type="nope", valid_until=None, file=pdf(body=b""))
    assert set(caught.value.fields) == {"cert_type", "valid_until", "file"}


def test_a_site_of_another_supplier_or_tenant_is_refused_alike(tenant: Tenant, other_tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    neighbour = make_supplier(tenant, "Other Co.")
    theirs = make_supplier(other_tenant, "Xiamen Peakline")
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=neighbour, name="Not yours")
    with tenant_scope(other_tenant):
        foreign = Site.objects.create(tenant=other_tenant, supplier=theirs, name="Elsewhere")
    messages = []
    for site_id in (site.pk, foreign.pk, "not-an-id"):
        with pytest.raises(DomainError) as caught:
            _create(tenant, SYSTEM, supplier.pk, site_id=site_id)
        messages.append(caught.value.fields["site"])
    assert messages[0] == messages[1] == messages[2]
    assert _counts(tenant)[0] == 0


def test_another_tenants_supplier_is_a_missing_one(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_supplier(other_tenant, "Xiamen Peakline")
    before = _counts(tenant)
    with pytest.raises(NotFoundError):
        _create(tenant, SYSTEM, theirs.pk, file=pdf())
    assert _counts(tenant) == before
    with tenant_scope(other_tenant):
        assert Certification.objects.count() == 0


def test_an_internal_role_without_evidence_scope_is_refused(tenant: Tenant, make_member: Any) -> None:
    finance = Actor.for_membership(make_member(tenant, Role.FINANCE))
    supplier = make_supplier(tenant)
    before = _counts(tenant)
    with pytest.raises(ScopeError):
        _create(tenant, finance, supplier.pk)
    assert _counts(tenant) == before


def _agent(tenant: Tenant, make_member: Any, email: str = "agent.li@bridge.test") -> Membership:
    membership: Membership = make_member(tenant, Role.AGENT, email=email)
    return membership


def test_an_assigned_agent_adds_but_never_changes_or_removes(tenant: Tenant, make_member: Any) -> None:
    # given an agent assigned to the supplier, and a certificate someone else recorded
    supplier = make_supplier(tenant)
    agent = _agent(tenant, make_member)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    theirs = add_certificate(tenant, supplier)
    by = Actor.for_membership(agent)
    # when the agent adds one, it is theirs
    mine = _create(tenant, by, supplier.pk, cert_type="amfori_bsci", file=pdf())
    assert mine.uploaded_by_id == agent.user_id
    # but they can change or delete neither record
    before = _counts(tenant)
    for certification in (theirs, mine):
        with pytest.raises(ScopeError), tenant_scope(tenant):
            certification_update(tenant=tenant, by=by, certification_id=certification.pk, number="X")
        with pytest.raises(ScopeError), tenant_scope(tenant):
            certification_delete(tenant=tenant, by=by, certification_id=certification.pk)
    assert _counts(tenant) == before


def test_an_unassigned_agent_finds_no_supplier(tenant: Tenant, make_member: Any) -> None:
    supplier = make_supplier(tenant)
    by = Actor.for_membership(_agent(tenant, make_member))
    before = _counts(tenant)
    with pytest.raises(NotFoundError):
        _create(tenant, by, supplier.pk, file=pdf())
    assert _counts(tenant) == before


def test_update_changes_fields_replaces_the_file_and_restarts_reminders(tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    certification = add_certificate(tenant, supplier, with_file=False)
    with tenant_scope(tenant):
        Certification.objects.filter(pk=certification.pk).update(reminders_sent=[30, 14])
        certification_update(
            tenant=tenant,
            by=SYSTEM,
            certification_id=certification.pk,
            valid_until=datetime.date(2031, 1, 31),
            issuer="TÜV",
            file=pdf("renewed.pdf"),
            file_name="renewed.pdf",
        )
        stored = Certification.objects.get(pk=certification.pk)
        event = AuditEvent.objects.get(action="certification.update")
    assert (stored.valid_until, stored.issuer, stored.file_name) == (datetime.date(2031, 1, 31), "TÜV", "renewed.pdf")
    assert stored.reminders_sent == []
    assert event.before is not None and event.before["issuer"] == ""


def test_a_corrected_end_date_keeps_the_reminders_already_sent(tenant: Tenant) -> None:
    # given a certificate 20 days from its end, whose 30-day reminder has gone out
    supplier = make_supplier(tenant)
    certification = add_certificate(tenant, supplier, with_file=False)
    with tenant_scope(tenant):
        today = tenant_today(tenant)
        Certification.objects.filter(pk=certification.pk).update(
            valid_until=today + datetime.timedelta(days=20), reminders_sent=[30]
        )
        # when a typo in the end date is corrected by a day
        certification_update(
            tenant=tenant, by=SYSTEM, certification_id=certification.pk, valid_until=today + datetime.timedelta(days=21)
        )
        # then the 30-day mark is still sent, so nobody gets that reminder again
        assert Certification.objects.get(pk=certification.pk).reminders_sent == [30]


def test_update_refuses_an_end_before_the_start_and_keeps_the_record(tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    certification = add_certificate(tenant, supplier, valid_from=datetime.date(2025, 1, 1))
    before = _counts(tenant)
    with pytest.raises(DomainError) as caught, tenant_scope(tenant):
        certification_update(
            tenant=tenant, by=SYSTEM, certification_id=certification.pk, valid_until=datetime.date(2024, 1, 1)
        )
    assert "valid_until" in caught.value.fields
    with tenant_scope(tenant):
        assert Certification.objects.get(pk=certification.pk).valid_until == datetime.date(2030, 1, 31)
    assert _counts(tenant) == before


def test_delete_is_audited_and_another_tenants_id_is_missing(tenant: Tenant, other_tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    certification = add_certificate(tenant, supplier)
    with pytest.raises(NotFoundError), tenant_scope(other_tenant):
        certification_delete(tenant=other_tenant, by=SYSTEM, certification_id=certification.pk)
    with tenant_scope(tenant):
        certification_delete(tenant=tenant, by=SYSTEM, certification_id=certification.pk)
        assert not Certification.objects.exists()
        assert AuditEvent.objects.filter(action="certification.delete", object_id=str(certification.pk)).exists()


# States


@pytest.mark.parametrize(
    ("days", "state"),
    [(-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "valid"), (400, "valid")],
)
def test_state_and_its_query_agree(tenant: Tenant, days: int, state: str) -> None:
    today = datetime.date(2026, 3, 10)
    supplier = make_supplier(tenant)
    certification = add_certificate(tenant, supplier, valid_until=today + datetime.timedelta(days=days))
    assert certification.state(today) == state
    with tenant_scope(tenant):
        found = {s for s in CertificationState.values if Certification.objects.filter(state_bounds(s, today)).exists()}
    assert found == {state}


# Compliance flags


def _open_flags(tenant: Tenant) -> list[str]:
    with tenant_scope(tenant):
        return sorted(RiskFlag.objects.filter(is_open=True, kind="compliance").values_list("source", flat=True))


def test_a_required_certification_flag_is_raised_and_resolved(tenant: Tenant) -> None:
    # given a supplier whose category requires ISO 9001 and amfori BSCI
    supplier = make_supplier(tenant)
    require_certifications(tenant, supplier, "iso_9001", "amfori_bsci")
    today = tenant_today(tenant)
    # when it gets an expired ISO 9001 certificate
    expired = add_certificate(tenant, supplier, valid_until=today - datetime.timedelta(days=1))
    # then both required types are flagged
    assert _open_flags(tenant) == ["certification:amfori_bsci", "certification:iso_9001"]
    with tenant_scope(tenant):
        assert certifications_missing(supplier) == ["amfori_bsci", "iso_9001"]
    # when the certificate is renewed, its flag is resolved and the other stays
    with tenant_scope(tenant):
        certification_update(
            tenant=tenant, by=SYSTEM, certification_id=expired.pk, valid_until=today + datetime.timedelta(days=90)
        )
    assert _open_flags(tenant) == ["certification:amfori_bsci"]
    # a new valid BSCI certificate resolves the last one
    add_certificate(tenant, supplier, cert_type="amfori_bsci", valid_until=today)
    assert _open_flags(tenant) == []
    with tenant_scope(tenant):
        assert certifications_missing(supplier) == []
        # deleting it raises the flag again
        bsci = Certification.objects.get(cert_type="amfori_bsci")
        certification_delete(tenant=tenant, by=SYSTEM, certification_id=bsci.pk)
    assert _open_flags(tenant) == ["certification:amfori_bsci"]


def test_a_certificate_not_yet_started_does_not_count(tenant: Tenant) -> None:
    supplier = make_supplier(tenant)
    require_certifications(tenant, supplier, "iso_9001")
    today = tenant_today(tenant)
    add_certificate(tenant, supplier, valid_from=today + datetime.timedelta(days=5))
    with tenant_scope(tenant):
        assert certifications_missing(supplier) == ["iso_9001"]
        assert certifications_missing(supplier, today + datetime.timedelta(days=5)) == []


def test_the_daily_refresh_flags_what_expired_overnight(tenant: Tenant) -> None:
    # given a required certificate valid until today: no flag
    supplier = make_supplier(tenant)
    require_certifications(tenant, supplier, "iso_9001")
    today = tenant_today(tenant)
    add_certificate(tenant, supplier, valid_until=today)
    assert _open_flags(tenant) == []
    # when the refresh runs tomorrow, the flag is raised, once
    tomorrow = today + datetime.timedelta(days=1)
    with tenant_scope(tenant):
        assert compliance_refresh(tenant=tenant, by=SYSTEM, today=tomorrow) == 1
        assert compliance_refresh(tenant=tenant, by=SYSTEM, today=tomorrow) == 0
    assert _open_flags(tenant) == ["certification:iso_9001"]
    # and a category that stops requiring it resolves the flag on the next run
    from sourcing.categories.models import Category

    with tenant_scope(tenant):
        Category.objects.update(required_certifications=[])
        assert compliance_refresh(tenant=tenant, by=SYSTEM, today=tomorrow) == 1
    assert _open_flags(tenant) == []


# Reminders


@pytest.mark.parametrize(
    ("days", "mark"), [(45, None), (31, None), (30, 30), (15, 30), (14, 14), (8, 14), (7, 7), (0, 7), (-1, None)]
)
def test_reminder_mark(days: int, mark: int | None) -> None:
    assert reminder_mark(days) == mark


@pytest.fixture
def reminder_world(tenant: Tenant, make_member: Any) -> dict[str, Any]:
    """A supplier owned by a buyer, with one assigned agent (Chinese) and one unassigned agent."""
    owner = make_member(tenant, Role.BUYER, email="buyer@acme.test")
    agent = make_member(tenant, Role.AGENT, email="agent.li@bridge.test")
    make_member(tenant, Role.AGENT, email="agent.chen@bridge.test")
    agent.user.language = "zh-hans"
    agent.user.save(update_fields=["language"])
    supplier = make_supplier(tenant, owner=owner)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    return {"supplier": supplier, "owner": owner, "agent": agent}


def _remind(tenant: Tenant, today: datetime.date, capture: Any) -> int:
    with capture(execute=True), tenant_scope(tenant):
        return certification_reminders_send(tenant=tenant, by=SYSTEM, today=today)


def test_reminders_go_to_the_owner_and_assigned_agents_in_their_language_once_per_mark(
    tenant: Tenant, reminder_world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    today = datetime.date(2026, 3, 1)
    certification = add_certificate(
        tenant, reminder_world["supplier"], valid_until=today + datetime.timedelta(days=30), number="Q-77"
    )
    # 31 days before: nothing yet
    assert _remind(tenant, today - datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    # 30 days before: the owner and the assigned agent, each in their own language
    assert _remind(tenant, today, django_capture_on_commit_callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["agent.li@bridge.test", "buyer@acme.test"]
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert by_recipient["buyer@acme.test"].body.startswith("Hello,")
    assert by_recipient["agent.li@bridge.test"].body.startswith("您好\uff1a")  # the catalogue's "Hello,"
    assert "Q-77" in by_recipient["buyer@acme.test"].body
    assert "/portal/suppliers/" in by_recipient["agent.li@bridge.test"].body
    assert "/portal/" not in by_recipient["buyer@acme.test"].body
    # a rerun the same day, and the next day, send nothing more
    assert _remind(tenant, today, django_capture_on_commit_callbacks) == 0
    assert _remind(tenant, today + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 2
    # 14 and 7 days before: one more each
    assert _remind(tenant, today + datetime.timedelta(days=16), django_capture_on_commit_callbacks) == 1
    assert _remind(tenant, today + datetime.timedelta(days=23), django_capture_on_commit_callbacks) == 1
    assert _remind(tenant, today + datetime.timedelta(days=25), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 6
    with tenant_scope(tenant):
        assert Certification.objects.get(pk=certification.pk).reminders_sent == [30, 14, 7]
        assert AuditEvent.objects.filter(action="certification.remind").count() == 3


def test_a_certificate_past_a_later_mark_gets_only_the_latest_reminder(
    tenant: Tenant, reminder_world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    today = datetime.date(2026, 3, 1)
    certification = add_certificate(tenant, reminder_world["supplier"], valid_until=today + datetime.timedelta(days=10))
    assert _remind(tenant, today, django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 2
    assert "10" in mailoutbox[0].subject
    with tenant_scope(tenant):
        assert Certification.objects.get(pk=certification.pk).reminders_sent == [30, 14]
    # the 7-day mark still comes, once
    assert _remind(tenant, today + datetime.timedelta(days=3), django_capture_on_commit_callbacks) == 1
    assert _remind(tenant, today + datetime.timedelta(days=4), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 4


def test_expired_certificates_and_inactive_people_get_no_reminder(
    tenant: Tenant, reminder_world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    today = datetime.date(2026, 3, 1)
    add_certificate(tenant, reminder_world["supplier"], valid_until=today - datetime.timedelta(days=1))
    assert _remind(tenant, today, django_capture_on_commit_callbacks) == 0
    add_certificate(tenant, reminder_world["supplier"], valid_until=today + datetime.timedelta(days=7))
    with tenant_scope(tenant):
        Membership.objects.filter(pk=reminder_world["agent"].pk).update(is_active=False)
    assert _remind(tenant, today, django_capture_on_commit_callbacks) == 1
    assert [m.to[0] for m in mailoutbox] == ["buyer@acme.test"]


def test_the_daily_task_runs_flags_and_reminders_for_its_tenant_only(
    tenant: Tenant,
    other_tenant: Tenant,
    reminder_world: dict[str, Any],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an expired required certificate and one ending in a week, in acme; and one ending in globex
    supplier = reminder_world["supplier"]
    require_certifications(tenant, supplier, "smeta")
    today = tenant_today(tenant)
    add_certificate(tenant, supplier, valid_until=today + datetime.timedelta(days=7))
    with tenant_scope(tenant):
        RiskFlag.objects.all().delete()  # as if the flag had not been raised when it was added
    theirs = make_supplier(other_tenant, "Xiamen Peakline")
    add_certificate(other_tenant, theirs, valid_until=tenant_today(other_tenant) + datetime.timedelta(days=7))
    # when acme's daily run happens (twice, as a retry would)
    with django_capture_on_commit_callbacks(execute=True):
        first = certification_daily(str(tenant.pk))
        second = certification_daily(str(tenant.pk))
    # then acme's flag is raised and its reminders sent once; globex is untouched
    assert first == {"flags": 1, "reminded": 1, "row_facts_repaired": 0}
    assert second == {"flags": 0, "reminded": 0, "row_facts_repaired": 0}
    assert _open_flags(tenant) == ["certification:smeta"]
    assert len(mailoutbox) == 2
    with tenant_scope(other_tenant):
        assert Certification.objects.get().reminders_sent == []


def test_the_fan_out_queues_one_run_per_active_tenant(tenant: Tenant, other_tenant: Tenant, monkeypatch: Any) -> None:
    queued: list[str] = []
    monkeypatch.setattr(certification_daily, "delay", lambda tenant_id: queued.append(tenant_id))
    Tenant.objects.filter(pk=other_tenant.pk).update(is_active=False)
    assert certification_daily_all() == 1
    assert queued == [str(tenant.pk)]
