"""The findings the analyses raise keep their title as a code and parameters (sourcing.spend.finding_text),
shown in the viewer's language in pages, exports and the API; a title a person changes keeps their words; the
findings raised before were converted from their stored words."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import translation

from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.spend import finding_text
from sourcing.spend.models import Finding
from sourcing.spend.services import findings as finding_services
from sourcing.spend.services.finding_rules import findings_raise
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.test_analysis import five_lines  # noqa: F401 - the fixture


def _in(language: str, code: str, params: dict[str, Any]) -> str:
    with translation.override(language):
        return finding_text.render(code, params)


def test_each_code_reads_in_english_and_in_chinese() -> None:
    variance = {"sku": "POT-24", "spread": "10.0"}
    assert _in("en", finding_text.PRICE_VARIANCE, variance) == "POT-24 bought at prices up to 10.0% apart"
    assert _in("zh-hans", finding_text.PRICE_VARIANCE, variance) == "POT-24 的采购价格相差高达 10.0%"
    names = {"names": ["Ningbo Everbright", "宁波永辉"]}
    assert _in("en", finding_text.DUPLICATE_SUPPLIERS, names) == "Probably one company: Ningbo Everbright / 宁波永辉"
    assert _in("zh-hans", finding_text.DUPLICATE_SUPPLIERS, names).startswith("疑似同一家公司")
    assert finding_text.render(finding_text.DUPLICATE_SUPPLIERS, {"names": "not a list"}) == ""


@pytest.mark.parametrize(
    ("title", "kind", "names", "expected"),
    [
        (
            "POT-24 bought at prices up to 12.5% apart",
            "price_variance",
            [],
            ("price_variance", {"sku": "POT-24", "spread": "12.5"}),
        ),
        (
            "POT-24 的采购价格相差高达 12.5%",
            "price_variance",
            [],
            ("price_variance", {"sku": "POT-24", "spread": "12.5"}),
        ),
        (
            "7.5% of Cookware spend without a PO or an approved supplier",
            "maverick",
            [],
            ("maverick", {"pct": "7.5", "category": "Cookware"}),
        ),
        (
            "Cookware 有 7.5% 的支出无 PO 或非来自已批准供应商",
            "maverick",
            [],
            ("maverick", {"pct": "7.5", "category": "Cookware"}),
        ),
        (
            "Probably one company: A Co / B Co",
            "duplicate_suppliers",
            ["A Co", "B Co"],
            ("duplicate_suppliers", {"names": ["A Co", "B Co"]}),
        ),
        (
            "Probably one company: A / B / C",
            "duplicate_suppliers",
            ["A / B", "C"],
            ("duplicate_suppliers", {"names": ["A / B", "C"]}),
        ),
        ("Probably one company: A / B", "duplicate_suppliers", ["A", "X"], None),  # not the names it was raised with
        (
            "Cookware depends on one supplier, Ningbo Everbright",
            "single_source",
            [],
            ("single_source", {"category": "Cookware", "supplier": "Ningbo Everbright"}),
        ),
        ("Cookware depends on one supplier, Ningbo Everbright", "maverick", [], None),  # not its kind's title
        ("Renegotiate freight", "other", [], None),
    ],
)
def test_stored_words_read_back_into_codes(title: str, kind: str, names: list[str], expected: Any) -> None:
    assert finding_text.parse(title, kind, names) == expected


def _client(member: Membership, language: str) -> Client:
    member.user.language = language
    member.user.save(update_fields=["language"])
    client = Client()
    client.force_login(member.user)
    return client


def test_findings_raised_while_reading_chinese_read_in_english_to_the_next_person(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
    make_member: Any,
    api_client: Any,
) -> None:
    with tenant_scope(tenant), translation.override("zh-hans"):
        findings_raise(tenant=tenant, by=SYSTEM)
    with tenant_scope(tenant):
        duplicate = Finding.objects.get(kind="duplicate_suppliers")
    assert duplicate.title_code == "duplicate_suppliers" and duplicate.title.startswith("Probably one company: ")
    english = _client(make_member(tenant, Role.BUYER, email="en@acme.test"), "en")
    chinese = _client(make_member(tenant, Role.BUYER, email="zh@acme.test"), "zh-hans")
    assert "Probably one company: " in english.get("/t/acme/spend/findings/").content.decode()
    page = chinese.get(f"/t/acme/spend/findings/{duplicate.pk}/").content.decode()
    assert "<h1>疑似同一家公司" in page  # (its history keeps the English words it was recorded with)
    export = chinese.get("/t/acme/spend/findings/?format=csv")
    body = b"".join(export.streaming_content) if export.streaming else export.content  # type: ignore[attr-defined]
    assert export.status_code == 200 and "疑似同一家公司" in body.decode("utf-8-sig")
    api = api_client().get(f"/api/v1/spend/findings/{duplicate.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 200 and api.json()["title"].startswith("疑似同一家公司")


def test_a_title_a_person_changes_keeps_their_words(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
) -> None:
    with tenant_scope(tenant):
        findings_raise(tenant=tenant, by=SYSTEM)
        finding = Finding.objects.get(kind="duplicate_suppliers")
        with translation.override("zh-hans"):  # the edit form sent back the title it showed
            finding_services.finding_update(
                tenant=tenant, by=SYSTEM, finding_id=finding.pk, title=finding.display_title
            )
        finding.refresh_from_db()
        assert finding.title_code == "duplicate_suppliers"
        finding_services.finding_update(tenant=tenant, by=SYSTEM, finding_id=finding.pk, title="Merge the two vendors")
        finding.refresh_from_db()
    assert (finding.title_code, finding.display_title) == ("", "Merge the two vendors")


def test_the_migration_converts_stored_titles(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        raised = Finding.objects.create(
            tenant=tenant,
            key="maverick:x",
            kind="maverick",
            title="Cookware 有 7.5% 的支出无 PO 或非来自已批准供应商",
            currency="USD",
        )
        written = Finding.objects.create(tenant=tenant, kind="other", title="Renegotiate freight", currency="USD")
        migration = importlib.import_module("sourcing.spend.migrations.0005_finding_titles_as_codes")
        migration.titles_to_codes(apps, SimpleNamespace(connection=connection))
        raised.refresh_from_db()
        written.refresh_from_db()
        with translation.override("en"):
            assert raised.display_title == "7.5% of Cookware spend without a PO or an approved supplier"
        assert (written.title_code, written.display_title) == ("", "Renegotiate freight")
        migration.codes_to_titles(apps, SimpleNamespace(connection=connection))
        raised.refresh_from_db()
    assert raised.title_code == ""
