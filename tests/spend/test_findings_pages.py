"""Findings and baselines pages as each role uses them: who may open what, which controls a read-only role does
not see, the forms and their errors, the exports with formulas escaped, other tenants' ids, and constant query
counts on the lists."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Baseline, Finding
from sourcing.spend.services import findings as services
from sourcing.spend.services.imports import spend_lines_bulk
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row

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
SPEND_WRITERS = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER}
MISSING_ID = "00000000-0000-7000-8000-000000000000"


def _url(name: str, tenant_slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _audit(tenant: Tenant, prefix: str = "") -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.filter(action__startswith=prefix).count()


def _finding(tenant: Tenant, **values: Any) -> Finding:
    with tenant_scope(tenant):
        arguments = {
            "kind": "maverick",
            "title": "Cartons bought off contract",
            "estimated_saving": "1250.00",
            **values,
        }
        return services.finding_create(tenant=tenant, by=SYSTEM, **arguments)


def _objects(tenant: Tenant) -> dict[str, Any]:
    """A category, a finding on it, some spend and a baseline of ``tenant``."""
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="CART", name="Cartons")
        spend_lines_bulk(
            tenant=tenant,
            by=SYSTEM,
            lines=[row(invoice_number=f"{tenant.slug}-1", category_code="CART", supplier_erp_id="", amount="1250.00")],
        )
        baseline = services.baseline_freeze(
            tenant=tenant, by=SYSTEM, name="FY2026 H1", period_start="2026-01-01", period_end="2026-06-30"
        )
    finding = _finding(tenant, category_id=category.pk)
    return {"category": category, "finding": finding, "baseline": baseline}


def _reload(tenant: Tenant, finding: Finding) -> Finding:
    with tenant_scope(tenant):
        return Finding.objects.select_related("assignee").get(pk=finding.pk)


# Who may open what

READ_PAGES = ["finding_list", "finding_detail", "baseline_list", "baseline_detail"]
WRITE_PAGES = ["finding_create", "finding_edit", "baseline_freeze"]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_page_access_by_role(tenant: Tenant, make_member: MakeMember, role: str, name: str) -> None:
    # given a member of acme with this role, and a finding and a baseline
    objects = _objects(tenant)
    ids = {
        "finding_detail": {"finding_id": objects["finding"].pk},
        "finding_edit": {"finding_id": objects["finding"].pk},
        "baseline_detail": {"baseline_id": objects["baseline"].pk},
    }.get(name, {})
    allowed = SPEND_READERS if name in READ_PAGES else SPEND_WRITERS
    # when they open the page
    response = _client(make_member(tenant, role)).get(_url(name, **ids))
    # then exactly the roles with the page's scope get it (quality and agents never)
    assert response.status_code == (200 if role in allowed else 403)


POST_PAGES = {
    "finding_assign": {"assignee": ""},
    "finding_set_status": {"status": "in_progress"},
    "finding_note": {"note": "Written by someone who may not"},
    "finding_edit": {"title": "Changed", "amount": "1", "estimated_saving": "1"},
    "baseline_delete": {},
}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.QUALITY, Role.AGENT])
@pytest.mark.parametrize("name", sorted(POST_PAGES))
def test_writes_are_refused_without_spend_write_and_change_nothing(
    tenant: Tenant, make_member: MakeMember, role: str, name: str
) -> None:
    objects = _objects(tenant)
    client = _client(make_member(tenant, role))
    before = _audit(tenant)
    key = "baseline_id" if name.startswith("baseline") else "finding_id"
    target = objects["baseline"] if name.startswith("baseline") else objects["finding"]
    response = client.post(_url(name, **{key: target.pk}), POST_PAGES[name])
    assert response.status_code == 403
    assert _audit(tenant) == before
    finding = _reload(tenant, objects["finding"])
    assert (finding.status, finding.title, finding.note) == ("open", "Cartons bought off contract", "")
    with tenant_scope(tenant):
        assert Baseline.objects.filter(pk=objects["baseline"].pk).exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_findings_are_in_the_navigation_of_spend_readers(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    landing = "portal_home" if role == Role.AGENT else "dashboard"
    body = _client(make_member(tenant, role)).get(_url(landing)).content.decode()
    assert (_url("finding_list") in body) == (role in SPEND_READERS)


# Write controls only for those who may write


@pytest.mark.parametrize("role", sorted(SPEND_READERS))
def test_controls_are_shown_only_to_spend_writers(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    objects = _objects(tenant)
    finding, baseline = objects["finding"], objects["baseline"]
    client = _client(make_member(tenant, role))
    listing = client.get(_url("finding_list")).content.decode()
    detail = client.get(_url("finding_detail", finding_id=finding.pk)).content.decode()
    baselines = client.get(_url("baseline_list")).content.decode()
    baseline_page = client.get(_url("baseline_detail", baseline_id=baseline.pk)).content.decode()
    can = role in SPEND_WRITERS
    assert (_url("finding_create") in listing) == can
    assert (_url("finding_edit", finding_id=finding.pk) in detail) == can
    assert (_url("finding_assign", finding_id=finding.pk) in detail) == can
    assert (_url("finding_set_status", finding_id=finding.pk) in detail) == can
    assert (_url("finding_note", finding_id=finding.pk) in detail) == can
    assert (_url("baseline_freeze") in baselines) == can
    assert (_url("baseline_delete", baseline_id=baseline.pk) in baseline_page) == can
    # every reader sees the data, with its currency, and may export
    assert "Cartons bought off contract" in listing
    assert "USD\u00a01,250.00" in listing
    assert "format=csv" in listing
    assert "format=xlsx" in listing
    assert "FY2026 H1" in baselines
    assert "USD\u00a01,250.00" in baseline_page


# Findings: the list


def test_list_shows_open_totals_and_filters_by_category_subtree_and_mine(
    tenant: Tenant, spend_world: dict[str, Any], make_member: MakeMember
) -> None:
    # given findings on pots (under kitchenware), on freight, and one closed
    buyer = make_member(tenant, Role.BUYER)
    pots = _finding(tenant, title="Pots at three prices", category_id=spend_world["pots"].pk, estimated_saving="700")
    _finding(tenant, title="Freight spot rates", category_id=spend_world["freight"].pk, estimated_saving="300.50")
    done = _finding(tenant, title="Done already", estimated_saving="5000")
    with tenant_scope(tenant):
        services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=pots.pk, assignee_id=buyer.pk)
        services.finding_set_status(tenant=tenant, by=SYSTEM, finding_id=done.pk, status="dismissed", note="x")
    client = _client(buyer)
    # when the list is opened
    response = client.get(_url("finding_list"))
    body = response.content.decode()
    # then the totals count what is still open, with the currency
    assert (response.context["totals"].open_count, response.context["totals"].open_saving) == (2, Decimal("1000.50"))
    assert "USD\u00a01,000.50" in body
    # the open saving fits its card (a smaller figure than a count), and a kind never breaks inside its word
    assert '<div class="stat-value text">USD\u00a01,000.50</div>' in body
    assert '<td class="nowrap">Maverick spend</td>' in body

    # and the filters narrow the list
    def titles(**params: str) -> list[str]:
        return [f.title for f in client.get(_url("finding_list"), params).context["findings"]]

    assert titles() == ["Done already", "Pots at three prices", "Freight spot rates"]  # largest saving first
    assert titles(category=str(spend_world["kitchen"].pk)) == ["Pots at three prices"]
    assert titles(mine="on") == ["Pots at three prices"]
    assert titles(status="active", assignee="none") == ["Freight spot rates"]
    assert titles(kind="other") == []


def test_a_category_of_another_tenant_in_the_filter_is_refused_like_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    _finding(tenant)
    with tenant_scope(other_tenant):
        theirs = Category.objects.create(tenant=other_tenant, code="TENT", name="Tent poles")
    client = _client(make_member(tenant, Role.EXECUTIVE))
    answers = [client.get(_url("finding_list"), {"category": c}) for c in (str(theirs.pk), MISSING_ID)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].context["form"].errors == answers[1].context["form"].errors == {"category": ["No such category."]}
    assert "Tent poles" not in answers[0].content.decode()


# Findings: adding, editing, assigning, status and note


def test_add_a_finding_through_the_form(tenant: Tenant, spend_world: dict[str, Any], make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    form = client.get(_url("finding_create")).content.decode()
    assert "111 · Stainless steel pots" in form
    response = client.post(
        _url("finding_create"),
        {
            "kind": "price_variance",
            "title": "Pots bought at three prices",
            "category": str(spend_world["pots"].pk),
            "amount": "12500",
            "estimated_saving": "900.50",
            "note": "March quote is lower.",
        },
    )
    with tenant_scope(tenant):
        finding = Finding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("finding_detail", finding_id=finding.pk)
    assert (finding.kind, finding.category_id, finding.estimated_saving, finding.currency) == (
        "price_variance",
        spend_world["pots"].pk,
        Decimal("900.50"),
        "USD",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"amount": "-1"}, "amount"),
        ({"estimated_saving": "1.234"}, "estimated_saving"),
        ({"kind": "savings"}, "kind"),
        ({"category": MISSING_ID}, "category"),
    ],
)
def test_add_form_names_the_bad_field(
    tenant: Tenant, make_member: MakeMember, data: dict[str, str], field: str
) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    response = client.post(_url("finding_create"), {"kind": "other", "title": "Cartons", **data})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    with tenant_scope(tenant):
        assert not Finding.objects.exists()


def test_another_tenants_category_in_the_add_form_answers_as_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    with tenant_scope(other_tenant):
        theirs = Category.objects.create(tenant=other_tenant, code="TENT", name="Tent poles")
    client = _client(make_member(tenant, Role.ADMIN))
    answers = [
        client.post(_url("finding_create"), {"kind": "other", "title": "x", "category": c})
        for c in (str(theirs.pk), MISSING_ID)
    ]
    assert answers[0].context["form"].errors == answers[1].context["form"].errors == {"category": ["No such category."]}
    assert _without_csrf(answers[0].content) == _without_csrf(answers[1].content)
    with tenant_scope(tenant):
        assert not Finding.objects.exists()


def test_edit_assign_progress_and_dismiss_from_the_detail_page(
    tenant: Tenant, make_member: MakeMember, spend_world: dict[str, Any]
) -> None:
    # given a finding and a category manager
    finding = _finding(tenant)
    manager = make_member(tenant, Role.CATEGORY_MANAGER, full_name="Mei Chen")
    finance = make_member(tenant, Role.FINANCE)
    client = _client(manager)
    # when they edit it, give it to finance, start work, then try to dismiss it without a reason
    edit = client.get(_url("finding_edit", finding_id=finding.pk))
    assert edit.context["form"].initial["estimated_saving"] == Decimal("1250.00")
    client.post(
        _url("finding_edit", finding_id=finding.pk),
        {
            "title": "Cartons off contract",
            "category": str(spend_world["freight"].pk),
            "amount": "9000",
            "estimated_saving": "1300",
        },
    )
    assigned = client.post(_url("finding_assign", finding_id=finding.pk), {"assignee": str(finance.pk)})
    started = client.post(_url("finding_set_status", finding_id=finding.pk), {"status": "in_progress"})
    refused = client.post(_url("finding_set_status", finding_id=finding.pk), {"status": "dismissed", "note": ""})
    # then each step took effect, and the refused one names the note on the page
    assert [assigned.status_code, started.status_code, refused.status_code] == [302, 302, 400]
    assert refused.context["status_form"].errors == {"note": ["Say why the finding is dismissed."]}
    finding = _reload(tenant, finding)
    assert (finding.title, finding.category_id, finding.estimated_saving) == (
        "Cartons off contract",
        spend_world["freight"].pk,
        Decimal("1300.00"),
    )
    assert (finding.assignee_id, finding.status) == (finance.pk, "in_progress")
    # and with a reason it is dismissed; the note form changes the note alone
    client.post(_url("finding_set_status", finding_id=finding.pk), {"status": "dismissed", "note": "Contract signed."})
    client.post(_url("finding_note", finding_id=finding.pk), {"note": "Contract signed in May."})
    finding = _reload(tenant, finding)
    assert (finding.status, finding.note) == ("dismissed", "Contract signed in May.")
    # and the detail page shows the trail of it all
    page = client.get(_url("finding_detail", finding_id=finding.pk))
    actions = [e.action for e in page.context["events"]]
    assert actions == [
        "finding.update",
        "finding.status",
        "finding.status",
        "finding.assign",
        "finding.update",
        "finding.create",
    ]
    body = page.content.decode()
    assert "Contract signed in May." in body
    assert "finance@acme.test" in body
    assert "USD\u00a01,300.00" in body


def test_assigning_to_an_agent_is_refused_on_the_page(tenant: Tenant, make_member: MakeMember) -> None:
    finding = _finding(tenant)
    agent = make_member(tenant, Role.AGENT)
    client = _client(make_member(tenant, Role.ADMIN))
    detail = client.get(_url("finding_detail", finding_id=finding.pk)).content.decode()
    assert "agent@acme.test" not in detail  # not offered
    response = client.post(_url("finding_assign", finding_id=finding.pk), {"assignee": str(agent.pk)})
    assert response.status_code == 400
    assert set(response.context["assign_form"].errors) == {"assignee"}
    assert _reload(tenant, finding).assignee_id is None


# Exports


def test_export_escapes_formulas_in_csv_and_xlsx(tenant: Tenant, make_member: MakeMember) -> None:
    # given findings whose text a spreadsheet would take for formulas
    _finding(tenant, title='=HYPERLINK("http://evil.test","click")', note="+SUM(A1)", estimated_saving="10")
    _finding(tenant, title="Plain", note="@me", estimated_saving="5")
    client = _client(make_member(tenant, Role.EXECUTIVE))
    before = _audit(tenant, "finding.export")
    # when they are exported as CSV
    response = client.get(_url("finding_list"), {"format": "csv", "kind": "maverick"})
    # then it is a CSV attachment with every formula-looking cell starting with an apostrophe
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="findings-acme-')
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [r["Title"] for r in rows] == ['\'=HYPERLINK("http://evil.test","click")', "Plain"]
    assert [r["Note"] for r in rows] == ["'+SUM(A1)", "'@me"]
    assert [r["Estimated saving"] for r in rows] == ["10.00", "5.00"]
    assert rows[0]["Currency"] == "USD"
    # and as XLSX: text escaped the same way, amounts still numbers
    book = openpyxl.load_workbook(io.BytesIO(client.get(_url("finding_list"), {"format": "xlsx"}).content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["Title"] == '=HYPERLINK("http://evil.test","click")'  # as written, a text cell (below)
    assert first["Estimated saving"] == 10
    title_cell = sheet.cell(row=2, column=header.index("Title") + 1)
    assert title_cell.data_type == "s" and title_cell.quotePrefix
    # and each export is in the audit log
    assert _audit(tenant, "finding.export") == before + 2


def test_baseline_export_has_the_frozen_rows_and_the_comparison(tenant: Tenant, make_member: MakeMember) -> None:
    objects = _objects(tenant)
    client = _client(make_member(tenant, Role.FINANCE))
    response = client.get(
        _url("baseline_detail", baseline_id=objects["baseline"].pk), {"format": "csv", "period_start": "2026-03-01"}
    )
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [(r["Category code"], r["Baseline amount"], r["Compared amount"], r["Difference %"]) for r in rows] == [
        ("CART", "1250.00", "1250.00", "0.00"),
        ("", "0.00", "0.00", ""),
    ]
    assert rows[1]["Category"] == "Uncategorised"
    assert (rows[0]["Compared from"], rows[0]["Compared to"]) == ("2026-03-01", "2026-08-28")
    assert _audit(tenant, "baseline.export") == 1


# Baselines: freeze, detail, compare, delete


def test_freeze_a_baseline_and_compare_it(tenant: Tenant, make_member: MakeMember) -> None:
    # given some spend
    objects = _objects(tenant)
    with tenant_scope(tenant):
        spend_lines_bulk(
            tenant=tenant,
            by=SYSTEM,
            lines=[
                row(invoice_number="LATER", invoice_date="2026-07-15", category_code="CART", amount="", unit_price="10")
            ],
        )
    client = _client(make_member(tenant, Role.BUYER))
    # when a buyer freezes March with a bad period, then a good one
    bad = client.post(
        _url("baseline_freeze"), {"name": "March", "period_start": "2026-03-31", "period_end": "2026-03-01"}
    )
    good = client.post(
        _url("baseline_freeze"), {"name": "March", "period_start": "2026-03-01", "period_end": "2026-03-31"}
    )
    # then the bad one names its end, and the good one leads to the baseline
    assert set(bad.context["form"].errors) == {"period_end"}
    with tenant_scope(tenant):
        march = Baseline.objects.get(name="March")
    assert good["Location"] == _url("baseline_detail", baseline_id=march.pk)
    page = client.get(good["Location"])
    assert page.context["comparison"].period_start == datetime.date(2026, 4, 1)
    assert "USD\u00a01,250.00" in page.content.decode()
    # and compared with July it shows July's spend in the category
    july = client.get(good["Location"], {"period_start": "2026-07-01"})
    assert [(r.code, str(r.current)) for r in july.context["comparison"].rows] == [("CART", "1000.00"), ("", "0")]
    assert objects["baseline"].name == "FY2026 H1"


def test_delete_a_baseline(tenant: Tenant, make_member: MakeMember) -> None:
    baseline = _objects(tenant)["baseline"]
    client = _client(make_member(tenant, Role.ADMIN))
    response = client.post(_url("baseline_delete", baseline_id=baseline.pk))
    assert response["Location"] == _url("baseline_list")
    with tenant_scope(tenant):
        assert not Baseline.objects.exists()
    assert _audit(tenant, "baseline.delete") == 1


# Another tenant's ids in the path are missing ids


@pytest.mark.parametrize(
    ("name", "key", "param", "method"),
    [
        ("finding_detail", "finding", "finding_id", "get"),
        ("finding_edit", "finding", "finding_id", "get"),
        ("finding_edit", "finding", "finding_id", "post"),
        ("finding_assign", "finding", "finding_id", "post"),
        ("finding_set_status", "finding", "finding_id", "post"),
        ("finding_note", "finding", "finding_id", "post"),
        ("baseline_detail", "baseline", "baseline_id", "get"),
        ("baseline_delete", "baseline", "baseline_id", "post"),
    ],
)
def test_another_tenants_object_is_a_missing_object(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember, name: str, key: str, param: str, method: str
) -> None:
    # given globex's objects, and acme's admin
    theirs = _objects(other_tenant)[key]
    client = _client(make_member(tenant, Role.ADMIN))
    before = _audit(other_tenant)
    data = {"title": "Mine", "status": "in_progress", "note": "Mine", "assignee": ""}
    # when acme's admin asks for it, and for an id that does not exist
    answers = [
        getattr(client, method)(_url(name, **{param: object_id}), data if method == "post" else None)
        for object_id in (theirs.pk, MISSING_ID)
    ]
    # then both are the same 404, and globex's object is untouched
    assert [a.status_code for a in answers] == [404, 404]
    assert _without_csrf(answers[0].content) == _without_csrf(answers[1].content)
    assert _audit(other_tenant) == before
    with tenant_scope(other_tenant):
        assert type(theirs).objects.filter(pk=theirs.pk).exists()
    if key == "finding":
        assert _reload(other_tenant, theirs).title == "Cartons bought off contract"


def _without_csrf(content: bytes) -> bytes:
    """Pages carry a per-request CSRF token; everything else must be byte-identical."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


# Query counts: constant whatever the number of rows


def _grow(tenant: Tenant, start: int, n: int, members: list[Membership]) -> None:
    with tenant_scope(tenant):
        for i in range(start, start + n):
            category = Category.objects.create(tenant=tenant, code=f"C{i}", name=f"Category {i}")
            finding = services.finding_create(
                tenant=tenant,
                by=SYSTEM,
                kind="other",
                title=f"Finding {i}",
                category_id=category.pk,
                estimated_saving=i,
            )
            services.finding_assign(tenant=tenant, by=SYSTEM, finding_id=finding.pk, assignee_id=members[i % 2].pk)
            spend_lines_bulk(
                tenant=tenant,
                by=SYSTEM,
                lines=[
                    row(invoice_number=f"N-{i}", invoice_date=f"2026-01-{i + 1:02d}", category_code=f"C{i}", amount="")
                ],
            )
            day = datetime.date(2026, 1, i + 1)
            services.baseline_freeze(tenant=tenant, by=SYSTEM, name=f"Baseline {i}", period_start=day, period_end=day)


# Of these, about half is the fixed cost of every tenant page: the session and user, the tenant, the
# membership, the transaction-local RLS settings, and the tenant switcher.
_EXPECTED = {
    "finding_list": 19,  # + categories, assignees, page count, page rows, open totals, the list's totals
    # + categories, assignees, rows, the audit event, and the tenant scope entered again for the streamed body
    # (no template, so no switcher)
    "finding_export": 16,
    "baseline_list": 16,  # + page count, page rows, the list's totals
}
_LAST_ROW = {"finding_list": "Finding 9", "finding_export": "Finding 9", "baseline_list": "Baseline 9"}


@pytest.mark.parametrize("name", sorted(_EXPECTED))
def test_list_page_query_count_is_constant(
    tenant: Tenant, make_member: MakeMember, django_assert_num_queries: Any, name: str
) -> None:
    admin = make_member(tenant, Role.ADMIN)
    members = [admin, make_member(tenant, Role.BUYER)]
    client = _client(admin)
    path, params = (_url("finding_list"), {"format": "csv"}) if name == "finding_export" else (_url(name), {})
    if name == "finding_list":
        params = {"sort": "title", "page_size": "25"}  # a chosen sort and page size cost no query

    def fetch() -> str:
        response = client.get(path, params)
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()

    _grow(tenant, 0, 5, members)
    fetch()  # warm: session and content types
    with django_assert_num_queries(_EXPECTED[name]):
        fetch()
    _grow(tenant, 5, 5, members)
    with django_assert_num_queries(_EXPECTED[name]):
        body = fetch()
    assert _LAST_ROW[name] in body


def test_the_list_totals_every_filtered_finding_per_currency_not_just_the_page(
    tenant: Tenant, make_member: MakeMember
) -> None:
    for i in range(30):
        _finding(tenant, title=f"Finding {i:02d}", estimated_saving=f"{10 + i}.25", amount="100")
    with tenant_scope(tenant):
        Finding.objects.filter(title__in=["Finding 00", "Finding 01", "Finding 02"]).update(currency="EUR")
    client = _client(make_member(tenant, Role.BUYER))
    body = client.get(_url("finding_list"), {"sort": "title", "page_size": "25"}).content.decode()
    # 27 in USD: 10.25 + … + 39.25 less the first three (10.25, 11.25, 12.25); 3 in EUR
    usd = sum(Decimal(f"{10 + i}.25") for i in range(3, 30))
    assert f"USD\u00a0{usd:,.2f}" in body and "USD\u00a02,700.00" in body
    assert "EUR\u00a033.75" in body and "EUR\u00a0300.00" in body
    assert "Total in USD" in body and "27 rows" in body and "Total in EUR" in body and "3 rows" in body
    assert "1–25 of 30" in body
    assert body.index("Finding 00") < body.index("Finding 24") and "Finding 25" not in body
    second = client.get(_url("finding_list"), {"sort": "title", "page_size": "25", "page": "2"}).content.decode()
    assert "26–30 of 30" in second and "Finding 29" in second and "Finding 24" not in second
    assert f"USD\u00a0{usd:,.2f}" in second  # the same totals on every page
    descending = client.get(_url("finding_list"), {"sort": "-title"}).content.decode()
    assert descending.index("Finding 29") < descending.index("Finding 00")
    assert 'aria-sort="descending"' in descending


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sort": "tenant"}, "The list cannot be sorted by “tenant”; it is shown in its usual order."),
        ({"page_size": "5000"}, "“5000” is not a page size (choose 25, 50, 100, 200); 50 rows a page are shown."),
    ],
)
def test_a_bad_sort_or_page_size_is_reported_on_the_page(
    tenant: Tenant, make_member: MakeMember, query: dict[str, str], message: str
) -> None:
    _finding(tenant)
    response = _client(make_member(tenant, Role.BUYER)).get(_url("finding_list"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Cartons bought off contract" in response.content.decode()
