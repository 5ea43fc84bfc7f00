"""Supplier master pages: the list (filters, paging, query count), export, create with the duplicate check,
the profile and its lifecycle actions, and the merge."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, RiskFlag, Supplier, SupplierCategory
from suppliers.selectors import master as selectors
from suppliers.services.master import supplier_create
from suppliers.services.row_facts import row_facts_refresh
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _suppliers(tenant: Tenant, n: int, *, start: int = 0) -> list[Supplier]:
    today = timezone.localdate()
    with tenant_scope(tenant):
        category = Category.objects.get_or_create(tenant=tenant, code="110", defaults={"name": "Cookware"})[0]
        made = []
        for i in range(start, start + n):
            s = Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {i:03d}", local_name=f"供应商{i}")
            SupplierCategory.objects.create(tenant=tenant, supplier=s, category=category)
            Certification.objects.create(
                tenant=tenant, supplier=s, cert_type="iso_9001", valid_until=today + datetime.timedelta(days=10)
            )
            RiskFlag.objects.create(tenant=tenant, supplier=s, kind="manual", title="Watch")
            made.append(s)
        row_facts_refresh([s.pk for s in made])  # written here without the services, which keep them
    return made


@pytest.mark.parametrize("n", [5, 10])
def test_list_query_count_does_not_grow_with_rows(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any, n: int
) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    owners = [make_member(tenant, Role.BUYER, email=f"owner{i}@acme.test", full_name=f"Owner {i}") for i in range(2)]
    with tenant_scope(tenant):  # one owner has left: the list still names them
        Membership.objects.filter(pk=owners[1].pk).update(is_active=False)
    for i, supplier in enumerate(_suppliers(tenant, n)):
        with tenant_scope(tenant):
            Supplier.objects.filter(pk=supplier.pk).update(owner=owners[i % 2])
    # the rows are one query (flags, certificates, categories on each), their count and place one more
    with django_assert_num_queries(17):
        response = client.get("/t/acme/suppliers/", {"sort": "-flags", "page_size": "25"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="badge badge-warning">1 expiring') == n
    assert body.count("1 risk flag<") == n
    assert body.count(">Cookware<") + body.count('title="Cookware">110<') == n
    assert body.count("<td>Owner 0</td>") == (n + 1) // 2 and body.count("<td>Owner 1</td>") == n // 2


def test_list_filters_and_pages(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    _suppliers(tenant, 3)
    with tenant_scope(tenant):
        for i in range(55):
            Supplier.objects.create(tenant=tenant, legal_name=f"Zed {i:02d}", status="approved", province="Fujian")
    approved = client.get("/t/acme/suppliers/", {"status": "approved"}).content.decode()
    assert "Zed 00" in approved and "Supplier 000" not in approved and "Zed 54" not in approved
    after = approved.split("after=")[1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/t/acme/suppliers/?status=approved&after={after}").content.decode()
    assert "Zed 50" in second and "Zed 54" in second and "Zed 49" not in second
    assert "Supplier 001" in client.get("/t/acme/suppliers/", {"certificates": "expiring"}).content.decode()
    assert "Zed 01" not in client.get("/t/acme/suppliers/", {"risk": "any"}).content.decode()
    assert "Supplier 002" in client.get("/t/acme/suppliers/", {"q": "供应商2"}).content.decode()


def test_list_sorts_counts_and_pages_by_cursor_in_any_order(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        for i in range(55):
            Supplier.objects.create(tenant=tenant, legal_name=f"Zed {i:02d}", status="approved", tier="strategic")
    seen: list[str] = []
    query = "sort=-name&page_size=25"
    for expected in ("1–25 of 55", "26–50 of 55", "51–55 of 55"):
        body = client.get(f"/t/acme/suppliers/?{query}").content.decode()
        assert expected in body
        assert 'aria-sort="descending"' in body
        seen += re.findall(r">(Zed \d\d)<", body)
        nxt = re.search(r'href="\?([^"]*after=[^"]*)">Next<', body)
        query = nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert not query  # no next page after the last
    assert seen == [f"Zed {i:02d}" for i in range(54, -1, -1)]  # each once, in order
    # ties on the sorted column are broken by id: every row once across the pages
    tier_seen: list[str] = []
    query = "sort=tier&page_size=25"
    while query:
        body = client.get(f"/t/acme/suppliers/?{query}").content.decode()
        tier_seen += re.findall(r">(Zed \d\d)<", body)
        nxt = re.search(r'href="\?([^"]*after=[^"]*)">Next<', body)
        query = nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert sorted(tier_seen) == [f"Zed {i:02d}" for i in range(55)]
    bad = client.get("/t/acme/suppliers/", {"sort": "credit_code", "page_size": "3"})
    assert bad.status_code == 200
    assert "cannot be sorted by “credit_code”" in bad.content.decode()
    assert "“3” is not a page size" in bad.content.decode()


def test_export_escapes_formulas_leaves_notes_out_and_is_audited(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        Supplier.objects.create(tenant=tenant, legal_name='=HYPERLINK("http://x")', internal_notes="TARGET-SECRET")
    response = client.get("/t/acme/suppliers/export/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0].startswith("'=")
    assert "TARGET-SECRET" not in body
    with tenant_scope(tenant):
        assert AuditEvent.objects.filter(action="supplier.export").count() == 1


def test_create_shows_possible_duplicates_before_saving(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright Housewares Co., Ltd.")
        )
    form = {
        "legal_name": "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED",
        "supplier_type": "manufacturer",
        "tier": "core",
        "country": "CN",
    }
    response = client.post("/t/acme/suppliers/new/", form)
    assert response.status_code == 200
    assert "Possible duplicates" in response.content.decode()
    assert "Ningbo Everbright Housewares Co., Ltd." in response.content.decode()
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 1
    response = client.post("/t/acme/suppliers/new/", {**form, "allow_duplicates": "on"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 2


def test_create_names_the_bad_fields(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    response = client.post(
        "/t/acme/suppliers/new/",
        {"legal_name": "X Co", "supplier_type": "manufacturer", "tier": "core", "country": "ZZ", "credit_code": "123"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A two-letter ISO 3166 country code" in body
    assert "18 characters" in body


def test_profile_offers_each_role_only_its_actions(tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright", internal_notes="NOTE-1")
        )
        Supplier.objects.filter(pk=supplier.pk).update(status="in_qualification")
    url = f"/t/acme/suppliers/{supplier.pk}/"
    quality = _client(make_member(tenant, Role.QUALITY)).get(url).content.decode()
    buyer = _client(make_member(tenant, Role.BUYER)).get(url).content.decode()
    assert 'value="approve"' in quality and 'value="approve"' not in buyer
    assert "NOTE-1" in buyer
    agent = _client(make_member(tenant, Role.AGENT)).get(url)
    assert agent.status_code == 403


def test_transition_from_the_page_and_a_refusal_says_why(tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        supplier = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright"))
    client = _client(make_member(tenant, Role.QUALITY))
    url = f"/t/acme/suppliers/{supplier.pk}/status/"
    response = client.post(url, {"action": "reject"}, follow=True)
    assert "Give a reason." in response.content.decode()
    client.post(url, {"action": "reject", "reason": "Trading company posing as a factory"})
    with tenant_scope(tenant):
        supplier.refresh_from_db()
    assert supplier.status == "rejected"


def test_merge_from_the_duplicates_page(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        a = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright Housewares Co., Ltd.")
        )
        b = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Ningbo Everbright Housewares Ltd"),
            allow_duplicates=True,
        )
    page = client.get("/t/acme/suppliers/duplicates/").content.decode()
    assert str(a.pk) in page and str(b.pk) in page
    response = client.post("/t/acme/suppliers/duplicates/merge/", {"source": str(b.pk), "target": str(a.pk)})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Supplier.objects.get(pk=b.pk).merged_into_id == a.pk
    assert "Ningbo Everbright Housewares Ltd<" not in client.get("/t/acme/suppliers/").content.decode()


def test_other_tenants_profile_is_a_missing_page(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(other_tenant):
        theirs = supplier_create(tenant=other_tenant, by=SYSTEM, fields=SupplierFields(legal_name="Globex Supplier"))
    client = _client(make_member(tenant, Role.ADMIN))
    theirs_response = client.get(f"/t/acme/suppliers/{theirs.pk}/")
    missing = client.get("/t/acme/suppliers/00000000-0000-7000-8000-000000000000/")
    assert theirs_response.status_code == missing.status_code == 404
    assert _without_csrf(theirs_response.content) == _without_csrf(missing.content)


def _without_csrf(content: bytes) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def test_the_next_page_holds_when_the_last_row_is_renamed(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        made = [Supplier.objects.create(tenant=tenant, legal_name=f"Mid {i:02d}") for i in range(60)]
    first = client.get("/t/acme/suppliers/").content.decode()
    after = first.split("after=")[1].split('"')[0].replace("&amp;", "&")
    with tenant_scope(tenant):
        Supplier.objects.filter(pk=made[49].pk).update(legal_name="Aaa renamed")
    second = client.get(f"/t/acme/suppliers/?after={after}").content.decode()
    assert "Mid 50" in second and "Mid 59" in second and "Mid 48" not in second


def test_a_cursor_without_its_place_still_says_where_the_page_stands(tenant: Tenant, make_member: Any) -> None:
    # given a cursor that carries only the row it follows (as a link made by hand or kept from before would)
    client = _client(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant):
        made = [Supplier.objects.create(tenant=tenant, legal_name=f"Pos {i:02d}") for i in range(30)]
    bare = selectors.cursor_for(made[9].legal_name, made[9].pk)
    # when the page is opened with it, then its place is counted: rows 11 to 20
    body = client.get("/t/acme/suppliers/", {"after": bare, "page_size": "25"}).content.decode()
    assert "11–30 of 30" in body and "Pos 10" in body and "Pos 09" not in body
    # and a place the cursor carries labels the page without a second count (the rows still follow the row)
    labelled = selectors.cursor_for(made[9].legal_name, made[9].pk, start=11)
    assert "11–30 of 30" in client.get("/t/acme/suppliers/", {"after": labelled, "page_size": "25"}).content.decode()
