"""Category pages as each role uses them: who may open what, the forms, specifications, import, export and
the Kraljic matrix, and constant query counts on the list pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing.categories.models import Category, CategorySpec
from sourcing.categories.services.categories import category_spec_upload
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from tests.categories.conftest import PDF_BYTES
from tests.categories.spend import book_spend
from tests.conftest import SYSTEM

MakeCategory = Callable[..., Category]
WRITERS = {Role.ADMIN, Role.CATEGORY_MANAGER}
READERS = {Role.BUYER, Role.QUALITY, Role.FINANCE, Role.EXECUTIVE}


def _url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": "acme", **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _count(tenant: Tenant, model: Any = Category, **filters: Any) -> int:
    with tenant_scope(tenant):
        return int(model.objects.filter(**filters).count())


@pytest.fixture
def pots(tenant: Tenant, make_category: MakeCategory) -> Category:
    kitchen = make_category(tenant, "100", name="Kitchenware")
    return make_category(
        tenant,
        "111",
        name="Stainless steel pots",
        parent=kitchen,
        profit_impact=4,
        supply_risk=3,
        compliance_requirements=["fda", "prop65"],
        required_audits=["social"],
    )


def _spec(tenant: Tenant, category: Category, title: str = "Pot drawing") -> CategorySpec:
    with tenant_scope(tenant):
        return category_spec_upload(
            tenant=tenant, by=SYSTEM, category_id=category.pk, title=title, file=io.BytesIO(PDF_BYTES)
        )


# Who may open what


@pytest.mark.parametrize("role", sorted(WRITERS | READERS | {Role.AGENT}))
def test_who_may_open_which_page(tenant: Tenant, make_member: Any, pots: Category, role: str) -> None:
    # given a member of each role and a category with a specification
    spec = _spec(tenant, pots)
    client = _client(make_member(tenant, role))
    reads = [
        _url("category_list"),
        _url("category_export"),
        _url("category_kraljic"),
        _url("category_detail", category_id=pots.pk),
        _url("category_spec_download", spec_id=spec.pk),
    ]
    writes = [_url("category_create"), _url("category_edit", category_id=pots.pk), _url("category_import")]
    # then internal roles read, only writers open the forms, and agents get nothing
    expected_read = 403 if role == Role.AGENT else 200
    expected_write = 200 if role in WRITERS else 403
    assert [client.get(url).status_code for url in reads] == [expected_read] * len(reads)
    assert [client.get(url).status_code for url in writes] == [expected_write] * len(writes)


@pytest.mark.parametrize("role", sorted(READERS | {Role.AGENT}))
def test_refused_writes_change_nothing(tenant: Tenant, make_member: Any, pots: Category, role: str) -> None:
    client = _client(make_member(tenant, role))
    with tenant_scope(tenant):
        events = AuditEvent.objects.count()
    posts = {
        _url("category_create"): {"code": "999", "name": "Sneaky"},
        _url("category_edit", category_id=pots.pk): {"code": "111", "name": "Renamed"},
        _url("category_delete", category_id=pots.pk): {},
        _url("category_spec_upload", category_id=pots.pk): {
            "title": "x",
            "file": SimpleUploadedFile("x.pdf", PDF_BYTES),
        },
        _url("category_import"): {"file": SimpleUploadedFile("c.csv", b"code,name\n999,Sneaky\n")},
    }
    assert {url: client.post(url, data).status_code for url, data in posts.items()} == dict.fromkeys(posts, 403)
    assert _count(tenant) == 2
    assert _count(tenant, CategorySpec) == 0
    with tenant_scope(tenant):
        assert AuditEvent.objects.count() == events
        assert Category.objects.get(pk=pots.pk).name == "Stainless steel pots"


def test_write_buttons_show_only_to_writers(tenant: Tenant, make_member: Any, pots: Category) -> None:
    # given a buyer (reads) and a category manager (writes)
    buyer = _client(make_member(tenant, Role.BUYER))
    manager = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    write_links = [
        _url("category_create"),
        _url("category_import"),
        _url("category_edit", category_id=pots.pk),
        _url("category_delete", category_id=pots.pk),
        _url("category_spec_upload", category_id=pots.pk),
    ]
    for page in (_url("category_list"), _url("category_detail", category_id=pots.pk)):
        # then the buyer sees no way to change anything, the manager does
        assert [link for link in write_links if link in buyer.get(page).content.decode()] == []
        assert [link for link in write_links if link in manager.get(page).content.decode()] != []
    detail = manager.get(_url("category_detail", category_id=pots.pk)).content.decode()
    assert _url("category_edit", category_id=pots.pk) in detail
    assert _url("category_spec_upload", category_id=pots.pk) in detail


def test_the_navigation_offers_categories_to_internal_roles_only(tenant: Tenant, make_member: Any) -> None:
    quality = _client(make_member(tenant, Role.QUALITY)).get(_url("dashboard")).content.decode()
    assert f'href="{_url("category_list")}"' in quality
    agent = _client(make_member(tenant, Role.AGENT)).get(_url("portal_home")).content.decode()
    assert _url("category_list") not in agent


def test_another_tenants_category_is_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, make_category: MakeCategory
) -> None:
    # given a globex category with a spec, and acme's administrator
    theirs = make_category(other_tenant, "111", name="Globex tent poles")
    spec = _spec(other_tenant, theirs)
    client = _client(make_member(tenant, Role.ADMIN))
    # then every page that takes its id answers 404, and nothing is written
    for url in (
        _url("category_detail", category_id=theirs.pk),
        _url("category_edit", category_id=theirs.pk),
        _url("category_spec_download", spec_id=spec.pk),
    ):
        assert client.get(url).status_code == 404
    assert client.post(_url("category_delete", category_id=theirs.pk)).status_code == 404
    upload = {"title": "x", "file": SimpleUploadedFile("x.pdf", PDF_BYTES)}
    assert client.post(_url("category_spec_upload", category_id=theirs.pk), upload).status_code == 404
    assert _count(other_tenant) == 1
    assert _count(other_tenant, CategorySpec) == 1


# List, filters and export


def test_the_list_is_an_indented_tree_with_filters(tenant: Tenant, make_member: Any, pots: Category) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    response = client.get(_url("category_list"))
    assert [(n.category.code, n.depth) for n in response.context["nodes"]] == [("100", 0), ("111", 1)]
    body = response.content.decode()
    assert "Stainless steel pots" in body
    assert "calc(0.75rem + 1 * 1.5rem)" in body  # the child is indented one level
    filtered = client.get(_url("category_list"), {"position": "strategic"})
    assert [(n.category.code, n.matched) for n in filtered.context["nodes"]] == [("100", False), ("111", True)]
    nothing = client.get(_url("category_list"), {"q": "no such thing"})
    assert "No categories match these filters" in nothing.content.decode()
    # a filter value that is not offered shows the form's error instead of filtering on it
    bad = client.get(_url("category_list"), {"owner": "someone-else"})
    assert bad.context["form"].errors["owner"] == ["Choose one of the listed options."]


def test_export_escapes_formulas_and_is_recorded(tenant: Tenant, make_member: Any, make_category: MakeCategory) -> None:
    # given categories whose text would run as formulas in a spreadsheet
    root = make_category(tenant, "=1+2", name="@SUM(A1)", description="-10 % target")
    make_category(tenant, "+111", name="Pots", parent=root, compliance_requirements=["fda", "prop65"])
    buyer = make_member(tenant, Role.BUYER)
    # when the list is exported
    response = _client(buyer).get(_url("category_export"))
    # then it is an attachment, UTF-8 with a BOM, every formula-looking cell starting with an apostrophe
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="categories-acme-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["code", "name", "parent_code"]
    assert rows[1][:4] == ["'=1+2", "'@SUM(A1)", "", "'-10 % target"]
    assert rows[2][:3] == ["'+111", "Pots", "'=1+2"]
    assert rows[2][12] == "fda; prop65"
    with tenant_scope(tenant):
        event = AuditEvent.objects.filter(action="category.export").get()
    assert event.actor_id == buyer.user_id
    assert event.after == {"rows": 2}


def test_export_follows_the_filters_without_context_rows(tenant: Tenant, make_member: Any, pots: Category) -> None:
    response = _client(make_member(tenant, Role.BUYER)).get(_url("category_export"), {"position": "strategic"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert [r[0] for r in rows[1:]] == ["111"]


# Forms


def test_create_form_offers_only_managers_and_admins_as_owners(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    buyer = make_member(tenant, Role.BUYER)
    form = _client(admin).get(_url("category_create")).context["form"]
    offered = {value for value, _label in form.fields["owner"].choices if value}
    assert offered == {str(admin.pk), str(manager.pk)}
    assert str(buyer.pk) not in offered


def test_create_with_requirements_and_owner(tenant: Tenant, make_member: Any, pots: Category) -> None:
    # given a category manager
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    client = _client(manager)
    # when they add a subcategory with ticked requirements
    response = client.post(
        _url("category_create"),
        {
            "code": "112",
            "name": "Non-stick pans",
            "parent": str(pots.parent_id),
            "owner": str(manager.pk),
            "segment": "strategic",
            "profit_impact": "4",
            "supply_risk": "4",
            "is_production_material": "on",
            "expected_lead_time_days": "65",
            "compliance_requirements": ["fda", "prop65"],
            "required_certifications": ["fda_fei"],
            "required_audits": ["quality_system", "social"],
        },
    )
    # then it is created and its page shows the requirements by name
    with tenant_scope(tenant):
        created = Category.objects.get(code="112")
    assert response.status_code == 302
    assert response["Location"] == _url("category_detail", category_id=created.pk)
    assert (created.parent_id, created.owner_id, created.kraljic_position) == (pots.parent_id, manager.pk, "strategic")
    assert created.required_audits == ["quality_system", "social"]
    detail = client.get(response["Location"]).content.decode()
    assert "FDA (food contact, facility registration)" in detail
    assert "Social-compliance audit" in detail


def test_create_with_a_taken_code_shows_the_error_on_the_field(
    tenant: Tenant, make_member: Any, pots: Category
) -> None:
    response = _client(make_member(tenant, Role.ADMIN)).post(_url("category_create"), {"code": "111", "name": "Again"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Another category already has the code 111."]
    assert _count(tenant) == 2


def test_edit_does_not_offer_the_category_or_its_subtree_as_parent(
    tenant: Tenant, make_member: Any, pots: Category
) -> None:
    url = _url("category_edit", category_id=pots.parent_id)
    form = _client(make_member(tenant, Role.ADMIN)).get(url).context["form"]
    assert [value for value, _label in form.fields["parent"].choices] == [""]


def test_edit_saves_and_a_refused_move_shows_on_the_parent_field(
    tenant: Tenant, make_member: Any, pots: Category
) -> None:
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    url = _url("category_edit", category_id=pots.pk)
    data = {"code": "111", "name": "Stainless pots", "parent": str(pots.parent_id), "supply_risk": "2"}
    assert client.post(url, data).status_code == 302
    with tenant_scope(tenant):
        pots = Category.objects.get(pk=pots.pk)
    assert (pots.name, pots.supply_risk, pots.profit_impact) == ("Stainless pots", 2, None)
    # the kitchen cannot be moved under pots: it is not even offered
    kitchen_url = _url("category_edit", category_id=pots.parent_id)
    refused = client.post(kitchen_url, {"code": "100", "name": "Kitchenware", "parent": str(pots.pk)})
    assert refused.status_code == 200
    assert refused.context["form"].errors["parent"] == ["Choose one of the listed options."]


def test_delete_refused_while_it_has_subcategories_then_allowed(
    tenant: Tenant, make_member: Any, pots: Category
) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    kitchen_id = pots.parent_id
    refused = client.post(_url("category_delete", category_id=kitchen_id), follow=True)
    assert "100 Kitchenware cannot be deleted: it has 1 subcategory." in refused.content.decode()
    assert _count(tenant) == 2
    deleted = client.post(_url("category_delete", category_id=pots.pk))
    assert deleted["Location"] == _url("category_list")
    assert _count(tenant) == 1
    assert client.get(_url("category_delete", category_id=kitchen_id)).status_code == 405


# Specifications


def test_upload_versions_and_download_them(tenant: Tenant, make_member: Any, pots: Category) -> None:
    # given a manager uploading the same drawing twice
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    url = _url("category_spec_upload", category_id=pots.pk)
    for content in (PDF_BYTES, PDF_BYTES + b"% revised\n"):
        response = client.post(url, {"title": "Pot drawing", "file": SimpleUploadedFile("pot.pdf", content)})
        assert response.status_code == 302
    # then the page lists both versions
    detail = client.get(_url("category_detail", category_id=pots.pk))
    [group] = detail.context["specs"]
    assert [s.version for s in group.versions] == [2, 1]
    # and each downloads as an attachment with its own bytes, recorded, never from a public URL
    old = group.versions[1]
    download = _client(make_member(tenant, Role.EXECUTIVE)).get(_url("category_spec_download", spec_id=old.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="pot.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF_BYTES
    with tenant_scope(tenant):
        assert AuditEvent.objects.filter(action="category_spec.download", object_id=str(old.pk)).count() == 1
    assert "/media/" not in detail.content.decode()


def test_upload_of_a_disguised_file_is_refused_on_the_form(tenant: Tenant, make_member: Any, pots: Category) -> None:
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    response = client.post(
        _url("category_spec_upload", category_id=pots.pk),
        {"title": "Drawing", "file": SimpleUploadedFile("drawing.pdf", b"MZ\x90\x00" + b"\x00" * 60)},
    )
    assert response.status_code == 200
    assert response.context["spec_form"].errors["file"] == [
        "The file's contents are not an accepted type (accepted: Excel (.xlsx), JPEG, PDF, PNG, Word (.docx))."
    ]
    assert _count(tenant, CategorySpec) == 0


# Import


def test_import_shows_every_problem_in_a_table_and_writes_nothing(
    tenant: Tenant, make_member: Any, pots: Category
) -> None:
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    data = b"code,name,parent_code,supply_risk\n120,Tools,100,\n121,Spatulas,120,7\n,Nameless,,\n122,Ladles,404,\n"
    response = client.post(_url("category_import"), {"file": SimpleUploadedFile("c.csv", data)})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [
        (3, "supply_risk"),
        (4, "code"),
        (5, "parent_code"),
    ]
    body = response.content.decode()
    assert "3 problems found — nothing was imported" in body
    assert "No category has the code 404, in this file or already stored." in body
    assert _count(tenant) == 2


def test_import_success_goes_back_to_the_list(tenant: Tenant, make_member: Any, pots: Category) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    data = "code,name,parent_code\n120,Tools,100\n121,Spatulas,120\n".encode("gb18030")
    response = client.post(_url("category_import"), {"file": SimpleUploadedFile("c.csv", data)}, follow=True)
    assert response.redirect_chain[-1][0] == _url("category_list")
    assert "Import done: 2 added, 0 changed, 0 unchanged." in response.content.decode()
    assert _count(tenant) == 4


# Kraljic matrix


def test_kraljic_page_draws_scored_categories_sized_by_spend(
    tenant: Tenant, make_member: Any, make_category: MakeCategory, pots: Category
) -> None:
    # given two scored categories, one with much more spend below it
    make_category(tenant, "420", name="Shipping cartons", profit_impact=1, supply_risk=1)
    book_spend(tenant, pots, "9000.00")
    response = _client(make_member(tenant, Role.EXECUTIVE)).get(_url("category_kraljic"))
    assert response.status_code == 200
    body = response.content.decode()
    # then both are bubbles (inline SVG, no script), the one with spend the larger
    assert body.count("<circle") == 2
    assert "<script" not in body.split("<main", 1)[1]
    radii = {point.category.code: bubble.r for bubble, point, _colour in response.context["bubbles"]}
    assert radii["111"] > radii["420"]
    assert "9,000" in body
    assert "Strategic" in body and "Non-critical" in body


def test_kraljic_page_without_scores(tenant: Tenant, make_member: Any, make_category: MakeCategory) -> None:
    make_category(tenant, "500", name="Indirect")
    body = _client(make_member(tenant, Role.BUYER)).get(_url("category_kraljic")).content.decode()
    assert "No category is scored yet" in body


# Query counts: constant whatever the number of categories


def _grow(tenant: Tenant, make_category: MakeCategory, owner: Membership, start: int, n: int) -> None:
    for i in range(start, start + n):
        root = make_category(tenant, f"{i}00", owner_id=owner.pk, profit_impact=3, supply_risk=i % 5 + 1)
        child = make_category(tenant, f"{i}10", parent=root, owner_id=owner.pk, required_audits=["social"])
        make_category(tenant, f"{i}11", parent=child, profit_impact=4, supply_risk=2)
        book_spend(tenant, child, "10.00")


@pytest.mark.parametrize("url_name", ["category_list", "category_kraljic", "category_export"])
def test_list_pages_run_a_constant_number_of_queries(
    tenant: Tenant, make_member: Any, make_category: MakeCategory, django_assert_num_queries: Any, url_name: str
) -> None:
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    client = _client(manager)
    url = _url(url_name)
    _grow(tenant, make_category, manager, 1, 3)
    client.get(url)  # warm: session and content types
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200
    _grow(tenant, make_category, manager, 4, 3)
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200


# A tenant page's fixed cost is 13 queries: session, user, tenant, membership, the RLS settings and their
# savepoints, and the tenant switcher (a file download renders no layout, so it has no switcher: 8). On top:
# list, owner choices and the categories with their owners; kraljic, the categories and the spend totals;
# export, owner choices, the categories, and the audit event in its savepoint.
EXPECTED = {"category_list": 15, "category_kraljic": 15, "category_export": 13}
