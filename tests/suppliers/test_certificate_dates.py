"""Certificates read on the viewer's day: one whose ``valid_from`` is after today is "not yet valid" (its own
state, in the badges, the filters, the pages in English and Chinese, and both APIs with the schema's enum), and
"renewed" belongs to the older certificate that a newer one in force replaces: a certificate dated to start
later renews nothing until its day, and on that day the list, the filters, the expiring page and the reminders
see it without any write."""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.services import agent_assign, api_key_create
from sourcing.tenancy import tenant_scope
from suppliers import row_facts
from suppliers.models import Certification, Supplier
from suppliers.selectors import master as master_selectors
from suppliers.selectors.evidence import ExpiringFilters, certificate_expiring_list, certifications_missing
from suppliers.selectors.qualification import approval_blockers
from suppliers.services import certifications as cert_services
from suppliers.services import master as master_services
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

pytestmark = pytest.mark.usefixtures("viewers_day")  # dates counted in the viewer's day, as the pages count them


D = datetime.date
SUPPLIER = "Ningbo Everbright Housewares Co., Ltd."


# The rules (pure)


def test_a_certificate_starting_later_renews_nothing_until_its_day() -> None:
    rows = [
        ("s1", "prop65", "", None, D(2025, 10, 1), D(2027, 10, 1)),  # in force now
        ("s1", "prop65", "", None, D(2027, 9, 21), D(2030, 9, 20)),  # uploaded early, valid from 2027-09-21
        ("s1", "iso_9001", "", None, None, D(2026, 1, 31)),  # renewed by one without a start: history always
        ("s1", "iso_9001", "", None, None, D(2027, 1, 31)),
    ]
    spans = row_facts.certificate_ends(rows)["s1"]
    assert spans == [
        ["2027-01-31", None, None],
        ["2027-10-01", "2025-10-01", "2027-09-21"],
        ["2030-09-20", "2027-09-21", None],
    ]
    # before 2027-09-21 the report in force is current and the later one does not count yet
    assert row_facts.current_ends(spans, D(2026, 12, 7)) == ["2027-01-31", "2027-10-01"]
    assert row_facts.current_ends(spans, D(2027, 9, 20)) == ["2027-01-31", "2027-10-01"]
    # from that day on the later one is current and the earlier one is renewed
    assert row_facts.current_ends(spans, D(2027, 9, 21)) == ["2027-01-31", "2030-09-20"]


def test_a_later_certificate_that_has_lapsed_still_renews_the_earlier() -> None:
    rows = [
        ("s1", "smeta", "", None, D(2020, 1, 1), D(2022, 1, 1)),
        ("s1", "smeta", "", None, D(2022, 1, 1), D(2024, 1, 1)),
    ]
    spans = row_facts.certificate_ends(rows)["s1"]
    assert row_facts.current_ends(spans, D(2026, 1, 1)) == ["2024-01-01"]  # one expired certificate, not two


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "state"),
    [
        (D(2027, 9, 21), D(2030, 9, 20), "not_yet_valid"),
        (D(2026, 12, 8), D(2026, 12, 20), "not_yet_valid"),  # starts tomorrow, ends soon after
        (D(2026, 12, 7), D(2030, 1, 1), "valid"),  # starts today
        (None, D(2030, 1, 1), "valid"),
        (D(2025, 1, 1), D(2027, 1, 6), "expiring"),
        (D(2025, 1, 1), D(2026, 12, 6), "expired"),
    ],
)
def test_state_reads_the_start_date(valid_from: D | None, valid_until: D, state: str) -> None:
    certification = Certification(cert_type="prop65", valid_from=valid_from, valid_until=valid_until)
    assert certification.state(D(2026, 12, 7)) == state


# Across the product


def _days(n: int) -> D:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``travel(n)``: from now on every "today" (the viewer's and the tenant's) is ``n`` days later."""
    real = timezone.localdate

    def to(days: int) -> None:
        def shifted(value: Any = None, timezone: Any = None) -> D:
            day = real(value, timezone)
            return day + datetime.timedelta(days=days) if value is None else day

        monkeypatch.setattr("django.utils.timezone.localdate", shifted)

    return to


@dataclass
class Prop65:
    tenant: Tenant
    supplier: Supplier
    owner: Membership
    agent: Membership
    erp: APIClient  # a read key of the tenant
    partner: APIClient  # the agent's partner token


@pytest.fixture
def prop65(tenant: Tenant, make_member: Any) -> Prop65:
    """A supplier in a category that requires a Prop 65 report, with an owner and an assigned agent."""
    owner = make_member(tenant, Role.BUYER, email="owner@acme.test")
    agent = make_member(tenant, Role.AGENT, email="li@bridge.test")
    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code="110", name="Cookware", required_certifications=["prop65"]
        )
        supplier = master_services.supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name=SUPPLIER, category_ids=[str(category.pk)], owner_id=str(owner.pk)),
        )
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
        _key, key = api_key_create(tenant=tenant, by=SYSTEM, name="erp", scopes=["read"])
        _token, token = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name="Laptop")
    erp, partner = APIClient(), APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    partner.credentials(HTTP_AUTHORIZATION=f"Partner-Token {token}")
    return Prop65(tenant, supplier, owner, agent, erp, partner)


def _certificate(world: Prop65, valid_from: D | None, valid_until: D, number: str) -> Certification:
    with tenant_scope(world.tenant):
        return cert_services.certification_create(
            tenant=world.tenant,
            by=SYSTEM,
            supplier_id=world.supplier.pk,
            cert_type="prop65",
            valid_from=valid_from,
            valid_until=valid_until,
            number=number,
        )


def _page(world: Prop65, member: Membership, path: str) -> str:
    client = Client()
    client.force_login(member.user)
    response = client.get(f"/t/{world.tenant.slug}/{path}")
    assert response.status_code == 200
    return response.content.decode()


def _erp(world: Prop65, **query: Any) -> dict[str, dict[str, Any]]:
    response = world.erp.get("/api/v1/certifications/", query)
    assert response.status_code == 200, response.content
    return {row["number"]: row for row in response.json()["results"]}


def _partner(world: Prop65) -> dict[str, dict[str, Any]]:
    response = world.partner.get("/api/partner/v1/certifications/")
    assert response.status_code == 200, response.content
    return {row["number"]: row for row in response.json()["results"]}


def test_a_report_valid_from_a_later_day_is_not_yet_valid_and_prop65_is_missing(prop65: Prop65) -> None:
    # given only a Prop 65 report that starts in 200 days
    _certificate(prop65, _days(200), _days(900), "P65-NEXT")
    # then its state says so, wherever it is shown, and Prop 65 is missing: approval is blocked by it
    tab = _page(prop65, prop65.owner, f"suppliers/{prop65.supplier.pk}/certifications/")
    assert ">Not yet valid<" in tab and ">Valid<" not in tab
    missing = tab[tab.index(">Missing<") : tab.index('id="certifications"')]
    assert "Prop 65 test report" in missing
    with tenant_scope(prop65.tenant):
        assert certifications_missing(prop65.supplier) == ["prop65"]
        assert [b.kind for b in approval_blockers(prop65.supplier)] == ["certification"]
    assert _erp(prop65)["P65-NEXT"]["state"] == "not_yet_valid"
    assert _erp(prop65, state="not_yet_valid").keys() == {"P65-NEXT"}
    assert _erp(prop65, state="valid") == {}
    assert _partner(prop65)["P65-NEXT"]["state"] == "not_yet_valid"
    portal = _page(prop65, prop65.agent, f"portal/suppliers/{prop65.supplier.pk}/certifications/")
    assert ">Not yet valid<" in portal


def test_not_yet_valid_is_shown_in_chinese(prop65: Prop65) -> None:
    _certificate(prop65, _days(200), _days(900), "P65-NEXT")
    prop65.agent.user.language = "zh-hans"
    prop65.agent.user.save(update_fields=["language"])
    portal = _page(prop65, prop65.agent, f"portal/suppliers/{prop65.supplier.pk}/certifications/")
    assert ">尚未生效<" in portal


def test_a_report_in_force_uploaded_after_a_later_one_is_the_current_one(
    prop65: Prop65, travel: Any, mailoutbox: Any
) -> None:
    # given the report for the next period (from tomorrow) uploaded first, then the one in force now, which ends in
    # 10 days
    later = _certificate(prop65, _days(1), _days(700), "P65-NEXT")
    current = _certificate(prop65, _days(-300), _days(10), "P65-NOW")
    # then today the one in force is current (expiring), the later one not yet valid, and neither is renewed
    tab = _page(prop65, prop65.owner, f"suppliers/{prop65.supplier.pk}/certifications/")
    assert ">Renewed<" not in tab and ">Not yet valid<" in tab and "Expiring in 10 days" in tab
    rows = _erp(prop65)
    assert (rows["P65-NOW"]["state"], rows["P65-NOW"]["renewed"]) == ("expiring", False)
    assert (rows["P65-NEXT"]["state"], rows["P65-NEXT"]["renewed"]) == ("not_yet_valid", False)
    assert _erp(prop65, state="expiring").keys() == {"P65-NOW"}
    assert _erp(prop65, expiring_within=800).keys() == {"P65-NOW"}  # the later one does not count yet
    partner = _partner(prop65)
    assert (partner["P65-NOW"]["renewed"], partner["P65-NEXT"]["state"]) == (False, "not_yet_valid")
    with tenant_scope(prop65.tenant):
        assert certifications_missing(prop65.supplier) == []
        assert Supplier.objects.get(pk=prop65.supplier.pk).certificate_states() == (0, 1)
        expiring = master_selectors.supplier_list(master_selectors.SupplierFilter(certificates="expiring"))
        assert list(expiring.values_list("pk", flat=True)) == [prop65.supplier.pk]
        listed = certificate_expiring_list(filters=ExpiringFilters(within_days=800), today=timezone.localdate())
        assert [c.pk for c in listed] == [current.pk]
        assert cert_services.certification_reminders_send(tenant=prop65.tenant, by=SYSTEM) == 1
        stored = Supplier.objects.get(pk=prop65.supplier.pk).certificate_ends
    assert "1 expiring" in _page(prop65, prop65.owner, "suppliers/")
    assert "P65-NOW" in _page(prop65, prop65.owner, "suppliers/certificates/expiring/")

    # when tomorrow comes, with nothing written in between
    travel(1)
    # then the later one is valid and has renewed the earlier one, everywhere
    tab = _page(prop65, prop65.owner, f"suppliers/{prop65.supplier.pk}/certifications/")
    assert tab.count(">Renewed<") == 1 and ">Not yet valid<" not in tab and ">Valid<" in tab
    rows = _erp(prop65)
    assert (rows["P65-NOW"]["state"], rows["P65-NOW"]["renewed"]) == ("expiring", True)
    assert (rows["P65-NEXT"]["state"], rows["P65-NEXT"]["renewed"]) == ("valid", False)
    assert _erp(prop65, state="expiring") == {}
    assert _erp(prop65, expiring_within=30) == {}
    assert _erp(prop65, expiring_within=800).keys() == {"P65-NEXT"}
    assert _partner(prop65)["P65-NOW"]["renewed"] is True
    with tenant_scope(prop65.tenant):
        row = Supplier.objects.get(pk=prop65.supplier.pk)
        assert row.certificate_ends == stored  # read differently on another day, not rewritten
        assert row.certificate_states() == (0, 0)
        expiring = master_selectors.supplier_list(master_selectors.SupplierFilter(certificates="expiring"))
        assert not expiring.exists()
        listed = certificate_expiring_list(filters=ExpiringFilters(within_days=800), today=timezone.localdate())
        assert [c.pk for c in listed] == [later.pk]
        # its 7-day mark, three days on, is not sent: the certificate is renewed
        assert cert_services.certification_reminders_send(tenant=prop65.tenant, by=SYSTEM, today=_days(2)) == 0
        assert Certification.objects.get(pk=later.pk).state() == "valid"
    list_page = _page(prop65, prop65.owner, "suppliers/")
    assert "expiring" not in list_page[list_page.index(SUPPLIER) : list_page.index("</tr>", list_page.index(SUPPLIER))]
    assert "P65-NOW" not in _page(prop65, prop65.owner, "suppliers/certificates/expiring/")


def test_a_lapsed_report_counts_as_expired_until_the_next_one_starts(prop65: Prop65, travel: Any) -> None:
    # a gap: the old report ended 5 days ago, the next one starts in 3 days
    _certificate(prop65, _days(-400), _days(-5), "P65-OLD")
    _certificate(prop65, _days(3), _days(700), "P65-NEXT")
    with tenant_scope(prop65.tenant):
        assert Supplier.objects.get(pk=prop65.supplier.pk).certificate_states() == (1, 0)
        expired = master_selectors.supplier_list(master_selectors.SupplierFilter(certificates="expired"))
        assert expired.exists()
    assert _erp(prop65, state="expired").keys() == {"P65-OLD"}
    travel(3)
    with tenant_scope(prop65.tenant):
        assert Supplier.objects.get(pk=prop65.supplier.pk).certificate_states() == (0, 0)
        expired = master_selectors.supplier_list(master_selectors.SupplierFilter(certificates="expired"))
        assert not expired.exists()
        assert certifications_missing(prop65.supplier) == []
    assert _erp(prop65, state="expired") == {}
    assert _erp(prop65)["P65-OLD"]["renewed"] is True


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/partner/v1/schema/"])
def test_the_schemas_list_not_yet_valid_among_the_states(db: Any, path: str) -> None:
    schema = APIClient().get(path, {"format": "json"}).json()
    name = "Certification" if path.startswith("/api/v1/") else "PartnerCertification"
    properties = schema["components"]["schemas"][name]["properties"]
    assert properties["state"]["allOf"] == [{"$ref": "#/components/schemas/CertificationStateEnum"}]
    enum = schema["components"]["schemas"]["CertificationStateEnum"]["enum"]
    assert set(enum) == {"not_yet_valid", "valid", "expiring", "expired"}
    assert properties["renewed"]["type"] == "boolean"


def test_the_migration_rewrites_stored_end_dates_as_spans(prop65: Prop65, tenant: Tenant) -> None:
    # given a row written before spans, holding the end dates of the certificates current then
    later = _certificate(prop65, _days(1), _days(700), "P65-NEXT")
    _certificate(prop65, _days(-300), _days(10), "P65-NOW")
    with tenant_scope(tenant):
        Supplier.objects.filter(pk=prop65.supplier.pk).update(certificate_ends=[later.valid_until.isoformat()])
    # when the data migration runs
    migration = importlib.import_module("suppliers.migrations.0005_certificate_spans")
    migration.refill_certificate_ends(django_apps, SimpleNamespace(connection=connection))
    # then the row holds both spans, the earlier renewed from the later one's first day
    with tenant_scope(tenant):
        stored = Supplier.objects.get(pk=prop65.supplier.pk).certificate_ends
    assert stored == [
        [_days(10).isoformat(), _days(-300).isoformat(), _days(1).isoformat()],
        [_days(700).isoformat(), _days(1).isoformat(), None],
    ]
