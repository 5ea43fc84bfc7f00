"""The row facts the supplier list reads from the supplier's own row (open flag count, current certificates'
end dates, category ids): what they mean, that every service writing their sources keeps them true, that a
stale copy of a supplier cannot undo them, and that the daily job repairs rows written around the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sourcing.categories.models import Category
from sourcing.categories.services.categories import category_delete
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers import row_facts
from suppliers.models import Certification, RiskFlag, Supplier
from suppliers.selectors import master as selectors
from suppliers.selectors.evidence import ExpiringFilters, certificate_expiring_list
from suppliers.services import certifications as cert_services
from suppliers.services import master as master_services
from suppliers.services import merge as merge_services
from suppliers.services import risk as risk_services
from suppliers.services import sites_contacts as site_services
from suppliers.services.row_facts import row_facts_for, row_facts_refresh_all
from suppliers.services.supplier_fields import SupplierFields
from suppliers.tasks import certification_daily
from tests.conftest import SYSTEM

D = datetime.date


# What the facts mean (pure)


def test_a_later_certificate_of_the_same_kind_renews_the_earlier() -> None:
    rows = [
        ("s1", "iso_9001", "", None, None, D(2026, 1, 31)),  # renewed by the next one
        ("s1", "iso_9001", "", None, None, D(2027, 1, 31)),
        ("s1", "iso_9001", "", "site-a", None, D(2026, 3, 1)),  # another site's certificate stands on its own
        ("s1", "other", "Lead test", None, None, D(2026, 2, 1)),
        ("s1", "other", "Cadmium test", None, None, D(2025, 2, 1)),  # another name: its own certificate
        ("s2", "smeta", "", None, None, D(2026, 5, 5)),
        ("s2", "smeta", "", None, None, D(2026, 5, 5)),  # two ending the same last day are both current
    ]
    spans = row_facts.certificate_ends(rows)
    assert spans == {
        "s1": [[end, None, None] for end in ("2025-02-01", "2026-02-01", "2026-03-01", "2027-01-31")],
        "s2": [["2026-05-05", None, None], ["2026-05-05", None, None]],
    }
    assert row_facts.current_ends(spans["s1"], D(2026, 1, 1)) == [
        "2025-02-01",
        "2026-02-01",
        "2026-03-01",
        "2027-01-31",
    ]


@pytest.mark.parametrize(
    ("today", "expired", "expiring"),
    [
        (D(2026, 1, 1), 0, 1),  # 2026-01-31 is 30 days away: expiring, the last day of the window included
        (D(2026, 1, 31), 0, 2),  # ends today: still in force, expiring
        (D(2026, 2, 1), 1, 1),
        (D(2026, 3, 5), 2, 0),
    ],
)
def test_expired_and_expiring_are_read_on_the_day(today: D, expired: int, expiring: int) -> None:
    ends = ["2026-01-31", "2026-02-20", "2026-04-30"]
    assert row_facts.expired(ends, today) == expired
    assert row_facts.expiring(ends, today, 30) == expiring


# Every writer keeps them true


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        return master_services.supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields.of({"legal_name": name, **values}), allow_duplicates=True
        )


def _stored(tenant: Tenant, supplier: Supplier) -> tuple[int, list[row_facts.Span], list[str]]:
    """The row facts on the supplier's row, checked against what their sources say."""
    with tenant_scope(tenant):
        row = Supplier.objects.get(pk=supplier.pk)
        stored = (row.open_flag_count, row.certificate_ends, row.category_ids)
        assert stored == row_facts_for([supplier.pk])[supplier.pk]
    return stored


def _days(n: int) -> D:
    return timezone.localdate() + datetime.timedelta(days=n)


def _current(tenant: Tenant, supplier: Supplier) -> list[str]:
    """The end dates of the supplier's current certificates today, as the list reads them from its row."""
    return row_facts.current_ends(_stored(tenant, supplier)[1], timezone.localdate())


def test_flag_services_keep_the_open_flag_count(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        first = risk_services.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Late twice")
        risk_services.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Price hike")
    assert _stored(tenant, supplier)[0] == 2
    with tenant_scope(tenant):
        risk_services.risk_flag_close(tenant=tenant, by=SYSTEM, flag_id=first.pk, note="Two good deliveries since.")
    assert _stored(tenant, supplier)[0] == 1
    with tenant_scope(tenant):  # an automatic flag, raised and resolved by the region rule
        master_services.supplier_update(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, fields=SupplierFields(province="Xinjiang")
        )
    assert _stored(tenant, supplier)[0] == 2
    with tenant_scope(tenant):
        master_services.supplier_update(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, fields=SupplierFields(province="Zhejiang")
        )
    assert _stored(tenant, supplier)[0] == 1


def test_certificate_services_keep_the_end_dates(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        old = cert_services.certification_create(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, cert_type="iso_9001", valid_until=_days(-3)
        )
    assert _current(tenant, supplier) == [_days(-3).isoformat()]
    with tenant_scope(tenant):
        assert Supplier.objects.get(pk=supplier.pk).certs_expired == 1
        renewal = cert_services.certification_create(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, cert_type="iso_9001", valid_until=_days(20)
        )
    assert _current(tenant, supplier) == [_days(20).isoformat()]  # the old one is renewed: history
    with tenant_scope(tenant):
        row = Supplier.objects.get(pk=supplier.pk)
        assert (row.certs_expired, row.certs_expiring) == (0, 1)
        cert_services.certification_update(
            tenant=tenant, by=SYSTEM, certification_id=renewal.pk, valid_until=_days(400)
        )
    assert _current(tenant, supplier) == [_days(400).isoformat()]
    with tenant_scope(tenant):
        cert_services.certification_delete(tenant=tenant, by=SYSTEM, certification_id=renewal.pk)
    assert _current(tenant, supplier) == [_days(-3).isoformat()]  # without its renewal, the old one is current
    with tenant_scope(tenant):
        cert_services.certification_delete(tenant=tenant, by=SYSTEM, certification_id=old.pk)
    assert _current(tenant, supplier) == []


def test_category_changes_keep_the_category_ids(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        cookware = Category.objects.create(tenant=tenant, code="110", name="Cookware")
        textiles = Category.objects.create(tenant=tenant, code="120", name="Textiles")
    supplier = _supplier(tenant, category_ids=[str(cookware.pk)])
    assert _stored(tenant, supplier)[2] == [str(cookware.pk)]
    with tenant_scope(tenant):
        master_services.supplier_update(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, fields=SupplierFields(category_ids=[str(textiles.pk)])
        )
    assert _stored(tenant, supplier)[2] == [str(textiles.pk)]


def test_a_merge_moves_the_facts_with_the_records(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        cookware = Category.objects.create(tenant=tenant, code="110", name="Cookware")
    kept = _supplier(tenant, "Ningbo Everbright Housewares Co., Ltd.")
    merged = _supplier(tenant, "Ningbo Everbright Housewares", category_ids=[str(cookware.pk)])
    with tenant_scope(tenant):
        risk_services.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=merged.pk, title="Late twice")
        cert_services.certification_create(
            tenant=tenant, by=SYSTEM, supplier_id=merged.pk, cert_type="amfori_bsci", valid_until=_days(10)
        )
        merge_services.supplier_merge(tenant=tenant, by=SYSTEM, source_id=merged.pk, target_id=kept.pk)
    assert _stored(tenant, kept) == (1, [[_days(10).isoformat(), None, None]], [str(cookware.pk)])
    assert _stored(tenant, merged) == (0, [], [])


def test_a_stale_copy_of_the_supplier_cannot_undo_them(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        stale = Supplier.objects.get(pk=supplier.pk)
        risk_services.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Late twice")
        stale.city = "Ningbo"
        stale.save()
        assert Supplier.objects.get(pk=supplier.pk).city == "Ningbo"
    assert _stored(tenant, supplier)[0] == 1


def test_the_daily_job_repairs_rows_written_around_the_services(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        RiskFlag.objects.create(tenant=tenant, supplier=supplier, kind="manual", title="Bulk-loaded")
        assert row_facts_refresh_all() == 1
        assert row_facts_refresh_all() == 0
        RiskFlag.objects.create(tenant=tenant, supplier=supplier, kind="manual", title="Bulk-loaded again")
    assert certification_daily(str(tenant.pk))["row_facts_repaired"] == 1
    assert _stored(tenant, supplier)[0] == 2


def test_a_category_suppliers_are_qualified_for_cannot_be_deleted(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        cookware = Category.objects.create(tenant=tenant, code="110", name="Cookware")
    _supplier(tenant, category_ids=[str(cookware.pk)])
    with tenant_scope(tenant), pytest.raises(DomainError, match="1 supplier supplies it"):
        category_delete(tenant=tenant, by=SYSTEM, category_id=cookware.pk)


# A renewed certificate is history everywhere the list and the reminders look


def test_a_renewed_certificate_is_neither_expired_nor_expiring_on_the_list(tenant: Tenant, make_member: Any) -> None:
    renewed = _supplier(tenant, "Renewed Co.")
    lapsed = _supplier(tenant, "Lapsed Co.")
    with tenant_scope(tenant):
        for supplier, ends in ((renewed, (-5, 300)), (lapsed, (-5,))):
            for n in ends:
                cert_services.certification_create(
                    tenant=tenant,
                    by=SYSTEM,
                    supplier_id=supplier.pk,
                    cert_type="iso_9001",
                    valid_until=_days(n),
                    number=f"{supplier.legal_name}/{n}",
                )
        expired = selectors.supplier_list(selectors.SupplierFilter(certificates="expired"))
        assert list(expired.values_list("legal_name", flat=True)) == ["Lapsed Co."]
        listed = certificate_expiring_list(filters=ExpiringFilters(), today=timezone.localdate())
        assert [c.number for c in listed] == ["Lapsed Co./-5"]
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    body = client.get(f"/t/{tenant.slug}/suppliers/").content.decode()
    assert body.count("1 certificate expired") == 1
    row = body[body.index("Renewed Co.") : body.index("</tr>", body.index("Renewed Co."))]
    assert "expired" not in row


def test_nobody_is_reminded_of_a_renewed_certificate(tenant: Tenant, make_member: Any, mailoutbox: Any) -> None:
    owner = make_member(tenant, Role.BUYER, email="owner@acme.test")
    supplier = _supplier(tenant, owner_id=str(owner.pk))
    with tenant_scope(tenant):
        for n in (7, 365):
            cert_services.certification_create(
                tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, cert_type="iso_9001", valid_until=_days(n)
            )
        assert cert_services.certification_reminders_send(tenant=tenant, by=SYSTEM, today=timezone.localdate()) == 0
        Certification.objects.filter(valid_until=_days(365)).delete()  # without the renewal, 7 days is due
        assert cert_services.certification_reminders_send(tenant=tenant, by=SYSTEM, today=timezone.localdate()) == 1


def test_deleting_a_site_refreshes_the_certificates_it_held(tenant: Tenant) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        site = site_services.site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Plant 1")
        for site_id, days in ((None, -5), (site.pk, 300)):
            cert_services.certification_create(
                tenant=tenant,
                by=SYSTEM,
                supplier_id=supplier.pk,
                cert_type="iso_9001",
                valid_until=_days(days),
                site_id=site_id,
            )
    assert _current(tenant, supplier) == [_days(-5).isoformat(), _days(300).isoformat()]  # two sites' own
    with tenant_scope(tenant):
        site_services.site_delete(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, site_id=site.pk)
    # Plant 1's certificate is now the supplier's, and renews the lapsed one
    assert _current(tenant, supplier) == [_days(300).isoformat()]


def test_a_renewed_certificate_says_so_on_the_profile_and_in_the_api(
    tenant: Tenant, make_member: Any, api_client: Any
) -> None:
    supplier = _supplier(tenant)
    with tenant_scope(tenant):
        old, new = (
            cert_services.certification_create(
                tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, cert_type="smeta", valid_until=_days(n)
            )
            for n in (-5, 300)
        )
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    tab = client.get(f"/t/{tenant.slug}/suppliers/{supplier.pk}/certifications/").content.decode()
    assert tab.count(">Renewed<") == 1 and ">Expired<" not in tab
    api = api_client()
    rows = {r["id"]: r for r in api.get("/api/v1/certifications/").json()["results"]}
    assert (rows[str(old.pk)]["state"], rows[str(old.pk)]["renewed"]) == ("expired", True)
    assert (rows[str(new.pk)]["state"], rows[str(new.pk)]["renewed"]) == ("valid", False)
    assert api.get("/api/v1/certifications/", {"state": "expired"}).json()["results"] == []
