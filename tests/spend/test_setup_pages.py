"""Spend set-up pages as each role uses them: who may open what, which controls a read-only role does not
see, the CSV upload and download, other tenants' ids, and constant query counts on the lists."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, SpendSettings
from sourcing.tenancy import tenant_scope

MakeMember = Callable[..., Membership]
ALL_ROLES = [
    Role.ADMIN,
    Role.CATEGORY_MANAGER,
    Role.BUYER,
    Role.FINANCE,
    Role.EXECUTIVE,
    Role.QUALITY,
    Role.AGENT,
]
SPEND_READERS = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.FINANCE, Role.EXECUTIVE}
FX_WRITERS = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.FINANCE}
SPEND_WRITERS = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER}
MAPPING_COLUMNS = {
    "invoice_date": "Date",
    "invoice_number": "Invoice",
    "supplier_name": "Vendor",
    "quantity": "Qty",
    "unit_price": "Price",
    "currency": "Cur",
    "amount": "Total",
}


def _url(name: str, tenant_slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _objects(tenant: Tenant, suffix: str = "") -> dict[str, Any]:
    """One rate, category, rule and mapping of ``tenant``."""
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code=f"FAST{suffix}", name="Fasteners")
        return {
            "category": category,
            "rate": FxRate.objects.create(
                tenant=tenant, currency="CNY", rate_date=datetime.date(2026, 3, 2), rate=Decimal("0.1381")
            ),
            "rule": CategoryRule.objects.create(tenant=tenant, field="description", pattern="bolt", category=category),
            "mapping": ColumnMapping.objects.create(tenant=tenant, name=f"SAP{suffix}", columns=MAPPING_COLUMNS),
        }


def _audit_count(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.count()


# Who may open what

READ_PAGES = ["fx_rate_list", "fx_rate_export", "category_rule_list", "column_mapping_list", "spend_settings"]
FX_WRITE_PAGES = ["fx_rate_create", "fx_rate_import", "fx_rate_edit"]
SPEND_WRITE_PAGES = ["category_rule_create", "category_rule_edit", "column_mapping_create", "column_mapping_edit"]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", READ_PAGES + FX_WRITE_PAGES + SPEND_WRITE_PAGES)
def test_page_access_by_role(tenant: Tenant, make_member: MakeMember, role: str, name: str) -> None:
    # given a member of acme with this role, and one object of each kind
    objects = _objects(tenant)
    ids = {
        "fx_rate_edit": {"fx_rate_id": objects["rate"].pk},
        "category_rule_edit": {"rule_id": objects["rule"].pk},
        "column_mapping_edit": {"mapping_id": objects["mapping"].pk},
    }.get(name, {})
    allowed = SPEND_READERS if name in READ_PAGES else FX_WRITERS if name in FX_WRITE_PAGES else SPEND_WRITERS
    # when they open the page
    response = _client(make_member(tenant, role)).get(_url(name, **ids))
    # then exactly the roles with the page's scope get it
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_fx_rates_are_in_the_navigation_of_spend_readers(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    member = make_member(tenant, role)
    landing = "portal_home" if role == Role.AGENT else "dashboard"
    body = _client(member).get(_url(landing)).content.decode()
    assert (_url("fx_rate_list") in body) == (role in SPEND_READERS)


# Write controls are shown only to those who may write


@pytest.mark.parametrize("role", sorted(SPEND_READERS))
def test_fx_list_shows_write_controls_only_with_fx_write(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    rate = _objects(tenant)["rate"]
    body = _client(make_member(tenant, role)).get(_url("fx_rate_list")).content.decode()
    controls = [
        _url("fx_rate_create"),
        _url("fx_rate_import"),
        _url("fx_rate_edit", fx_rate_id=rate.pk),
        _url("fx_rate_delete", fx_rate_id=rate.pk),
    ]
    assert [c in body for c in controls] == [role in FX_WRITERS] * 4
    assert _url("fx_rate_export") in body  # every reader may download
    assert "0.1381" in body


@pytest.mark.parametrize("role", sorted(SPEND_READERS))
def test_rule_and_mapping_lists_show_write_controls_only_with_spend_write(
    tenant: Tenant, make_member: MakeMember, role: str
) -> None:
    objects = _objects(tenant)
    client = _client(make_member(tenant, role))
    rules = client.get(_url("category_rule_list")).content.decode()
    mappings = client.get(_url("column_mapping_list")).content.decode()
    can = role in SPEND_WRITERS
    assert (_url("category_rule_create") in rules) == can
    assert (_url("category_rule_edit", rule_id=objects["rule"].pk) in rules) == can
    assert (_url("category_rule_delete", rule_id=objects["rule"].pk) in rules) == can
    assert (_url("column_mapping_create") in mappings) == can
    assert (_url("column_mapping_edit", mapping_id=objects["mapping"].pk) in mappings) == can
    assert (_url("column_mapping_delete", mapping_id=objects["mapping"].pk) in mappings) == can
    # the category is shown as code and name, the mapping with its headers
    assert "FAST" in rules
    assert "Fasteners" in rules
    assert "Vendor" in mappings


@pytest.mark.parametrize("role", sorted(SPEND_READERS))
def test_settings_page_is_read_only_without_spend_write(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    # given a spend reader
    client = _client(make_member(tenant, role))
    # when they open the settings and try to change one
    page = client.get(_url("spend_settings")).content.decode()
    response = client.post(
        _url("spend_settings"),
        {
            "fx_max_age_days": "7",
            "amount_tolerance_pct": "0.5",
            "one_off_max_invoices": "1",
            "one_off_window_days": "365",
        },
    )
    # then only spend writers get a form they can submit, and the change goes through only for them
    can = role in SPEND_WRITERS
    assert ("Save settings" in page) == can
    assert ("<fieldset disabled" in page) == (not can)
    assert response.status_code == (302 if can else 403)
    with tenant_scope(tenant):
        row = SpendSettings.objects.first()
        assert (row is not None and row.fx_max_age_days == 7) == can


def test_settings_form_names_the_bad_field(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    response = client.post(
        _url("spend_settings"),
        {
            "fx_max_age_days": "9999",
            "amount_tolerance_pct": "0.5",
            "one_off_max_invoices": "1",
            "one_off_window_days": "1",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"fx_max_age_days"}
    with tenant_scope(tenant):
        assert not SpendSettings.objects.exists()


# FX rates: add, edit, delete


def test_add_edit_and_delete_a_rate(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.FINANCE))
    # when finance adds a rate
    response = client.post(
        _url("fx_rate_create"), {"currency": "eur", "rate_date": "2026-03-02", "rate": "1.0842", "source": "ECB"}
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        rate = FxRate.objects.get()
    assert (rate.currency, rate.rate, rate.source) == ("EUR", Decimal("1.0842"), "ECB")
    # and edits it
    edit = client.get(_url("fx_rate_edit", fx_rate_id=rate.pk))
    assert edit.context["form"].initial["rate"] == "1.0842"
    client.post(_url("fx_rate_edit", fx_rate_id=rate.pk), {"rate": "1.0850", "source": ""})
    with tenant_scope(tenant):
        rate.refresh_from_db()
    assert (rate.rate, rate.source) == (Decimal("1.085"), "")
    # and deletes it
    assert client.post(_url("fx_rate_delete", fx_rate_id=rate.pk)).status_code == 302
    with tenant_scope(tenant):
        assert not FxRate.objects.exists()
        assert [e.action for e in AuditEvent.objects.filter(action__startswith="fx_rate").order_by("id")] == [
            "fx_rate.create",
            "fx_rate.update",
            "fx_rate.delete",
        ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"currency": "USD"}, "currency"),
        ({"currency": "XXY"}, "currency"),
        ({"rate": "-1"}, "rate"),
        ({"rate": "1,08"}, "rate"),
        ({"rate_date": "31/03/2026"}, "rate_date"),
    ],
)
def test_add_rate_form_names_the_bad_field(
    tenant: Tenant, make_member: MakeMember, data: dict[str, str], field: str
) -> None:
    client = _client(make_member(tenant, Role.FINANCE))
    response = client.post(
        _url("fx_rate_create"), {"currency": "EUR", "rate_date": "2026-03-02", "rate": "1.08", **data}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    with tenant_scope(tenant):
        assert not FxRate.objects.exists()


# FX rates: CSV upload and download


def test_a_rejected_upload_lists_every_problem_and_imports_nothing(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.FINANCE))
    before = _audit_count(tenant)
    data = b"currency,rate_date,rate\nCNY,2026-03-02,0.1381\nEUR,2026-03-32,1.08\nUSD,2026-03-02,-1\n"
    # when a file with three bad values among good rows is uploaded
    response = client.post(_url("fx_rate_import"), {"file": SimpleUploadedFile("rates.csv", data, "text/csv")})
    # then the page lists each problem by row and column, and nothing was imported
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "rate_date"), (4, "currency"), (4, "rate")]
    body = response.content.decode()
    assert "Problems in the file" in body
    assert "<code>rate_date</code>" in body
    with tenant_scope(tenant):
        assert not FxRate.objects.exists()
    assert _audit_count(tenant) == before


def test_a_good_upload_imports_and_says_what_changed(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.FINANCE))
    data = "currency,rate_date,rate,source\nCNY,2026-03-02,0.1381,中国人民银行\n".encode("gb18030")
    response = client.post(
        _url("fx_rate_import"), {"file": SimpleUploadedFile("rates.csv", data, "text/csv")}, follow=True
    )
    assert "1 added, 0 changed, 0 already up to date" in response.content.decode()
    with tenant_scope(tenant):
        assert FxRate.objects.get().source == "中国人民银行"


def test_an_upload_that_is_not_text_is_refused_on_the_field(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.FINANCE))
    pdf = SimpleUploadedFile("rates.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "text/csv")
    response = client.post(_url("fx_rate_import"), {"file": pdf})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"file"}


def test_download_escapes_formulas_and_reads_back(tenant: Tenant, make_member: MakeMember) -> None:
    # given rates whose sources a spreadsheet would take for formulas
    sources = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ECB"]
    with tenant_scope(tenant):
        for day, source in enumerate(sources, start=1):
            FxRate.objects.create(
                tenant=tenant,
                currency="EUR",
                rate_date=datetime.date(2026, 3, day),
                rate=Decimal("1.08"),
                source=source,
            )
        FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=datetime.date(2026, 3, 1), rate=Decimal("100"))
    client = _client(make_member(tenant, Role.EXECUTIVE))
    # when they are downloaded
    response = client.get(_url("fx_rate_export"))
    # then it is a CSV attachment where every formula-looking cell starts with an apostrophe
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="fx-rates-')
    text = response.content.decode("utf-8")
    assert text.startswith('\ufeff"currency","rate_date","rate","source"\r\n')  # every cell quoted
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[1] == ["CNY", "2026-03-01", "100", ""]
    assert [r[3] for r in rows[2:]] == ["ECB", "'\rx", "'\tx", "'@SUM(A1)", "'-1", "'+1", '\'=HYPERLINK("http://x")']
    # and filtering by currency narrows the file
    only_cny = client.get(_url("fx_rate_export"), {"currency": "cny"}).content.decode()
    assert only_cny.count("\r\n") == 2


# Category rules and column mappings through their forms


def test_add_a_rule_with_a_category(tenant: Tenant, make_member: MakeMember) -> None:
    objects = _objects(tenant)
    client = _client(make_member(tenant, Role.BUYER))
    form = client.get(_url("category_rule_create")).content.decode()
    assert "FAST · Fasteners" in form
    response = client.post(
        _url("category_rule_create"),
        {"priority": "5", "field": "supplier_name", "pattern": "Ningbo", "category": str(objects["category"].pk)},
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        rule = CategoryRule.objects.get(pattern="Ningbo")
    assert (rule.priority, rule.field, rule.category_id) == (5, "supplier_name", objects["category"].pk)


def test_a_rule_form_with_another_tenants_category_answers_as_for_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    _objects(tenant)
    theirs = _objects(other_tenant, "-G")["category"]
    client = _client(make_member(tenant, Role.ADMIN))
    before = _audit_count(tenant)
    answers = [
        client.post(
            _url("category_rule_create"),
            {"priority": "5", "field": "description", "pattern": "x", "category": category_id},
        )
        for category_id in (str(theirs.pk), "00000000-0000-7000-8000-000000000000")
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].context["form"].errors == answers[1].context["form"].errors
    assert set(answers[0].context["form"].errors) == {"category"}
    assert "FAST-G" not in answers[0].content.decode()
    assert _audit_count(tenant) == before


def test_add_a_mapping_and_errors_land_on_their_column(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    data = {f"col_{c}": h for c, h in MAPPING_COLUMNS.items()} | {"name": "Oracle", "date_format": "%m/%d/%Y"}
    # a header used twice is refused on the second column's input
    response = client.post(_url("column_mapping_create"), data | {"col_po_number": "qty"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"col_po_number"}
    # a bad date format on its own field
    response = client.post(_url("column_mapping_create"), data | {"date_format": "%d/%m"})
    assert set(response.context["form"].errors) == {"date_format"}
    # a required column left empty on its input
    response = client.post(_url("column_mapping_create"), data | {"col_amount": ""})
    assert set(response.context["form"].errors) == {"col_amount"}
    with tenant_scope(tenant):
        assert not ColumnMapping.objects.exists()
    # and a good one is saved, empty optional columns left out
    assert client.post(_url("column_mapping_create"), data | {"col_po_number": "PO"}).status_code == 302
    with tenant_scope(tenant):
        mapping = ColumnMapping.objects.get()
    assert mapping.columns == MAPPING_COLUMNS | {"po_number": "PO"}
    assert mapping.date_format == "%m/%d/%Y"
    # its edit page shows what is stored
    edit = client.get(_url("column_mapping_edit", mapping_id=mapping.pk))
    assert edit.context["form"].initial["col_po_number"] == "PO"


# Another tenant's ids in the path are missing ids


@pytest.mark.parametrize(
    ("name", "key", "param", "method"),
    [
        ("fx_rate_edit", "rate", "fx_rate_id", "get"),
        ("fx_rate_delete", "rate", "fx_rate_id", "post"),
        ("category_rule_edit", "rule", "rule_id", "get"),
        ("category_rule_delete", "rule", "rule_id", "post"),
        ("column_mapping_edit", "mapping", "mapping_id", "get"),
        ("column_mapping_delete", "mapping", "mapping_id", "post"),
    ],
)
def test_another_tenants_object_is_a_missing_object(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember, name: str, key: str, param: str, method: str
) -> None:
    # given an object of globex, and acme's admin
    theirs = _objects(other_tenant, "-G")[key]
    client = _client(make_member(tenant, Role.ADMIN))
    before = _audit_count(other_tenant)
    # when acme's admin asks for it, and for an id that does not exist
    answers = [
        getattr(client, method)(_url(name, **{param: object_id}))
        for object_id in (theirs.pk, "00000000-0000-7000-8000-000000000000")
    ]
    # then both are the same 404, and globex's object is untouched
    assert [a.status_code for a in answers] == [404, 404]
    assert _without_csrf(answers[0].content) == _without_csrf(answers[1].content)
    assert _audit_count(other_tenant) == before
    with tenant_scope(other_tenant):
        assert type(theirs).objects.filter(pk=theirs.pk).exists()


def _without_csrf(content: bytes) -> bytes:
    """Pages carry a per-request CSRF token; everything else must be byte-identical."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


# Query counts: constant whatever the number of rows


def _grow(tenant: Tenant, start: int, n: int) -> None:
    with tenant_scope(tenant):
        for i in range(start, start + n):
            category = Category.objects.create(tenant=tenant, code=f"C{i}", name=f"Category {i}")
            FxRate.objects.create(
                tenant=tenant,
                currency=["CNY", "EUR", "JPY"][i % 3],
                rate_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                rate=Decimal("1.5"),
            )
            CategoryRule.objects.create(tenant=tenant, field="description", pattern=f"p{i}", category=category)
            ColumnMapping.objects.create(tenant=tenant, name=f"Mapping {i}", columns=MAPPING_COLUMNS)


# Of these, about half is the fixed cost of every tenant page: the session and user, the tenant, the
# membership, the transaction-local RLS settings, and the tenant switcher.
_EXPECTED = {
    "fx_rate_list": 16,  # + currency summary, page count, page rows
    "fx_rate_export": 9,  # + the rates (no template, so no switcher)
    "category_rule_list": 14,  # + rules with their categories
    "column_mapping_list": 14,  # + mappings
}


@pytest.mark.parametrize("name", sorted(_EXPECTED))
def test_list_page_query_count_is_constant(
    tenant: Tenant, make_member: MakeMember, django_assert_num_queries: Any, name: str
) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    _grow(tenant, 0, 5)
    client.get(_url(name))  # warm: session and content types
    with django_assert_num_queries(_EXPECTED[name]):
        assert client.get(_url(name)).status_code == 200
    _grow(tenant, 5, 5)
    with django_assert_num_queries(_EXPECTED[name]):
        response = client.get(_url(name))
        assert response.status_code == 200
    # and the page shows the rows added last
    assert _LAST_ROW[name] in response.content.decode()


_LAST_ROW = {
    "fx_rate_list": "2026-01-10",
    "fx_rate_export": "2026-01-10",
    "category_rule_list": "p9",
    "column_mapping_list": "Mapping 9",
}
