"""Texts the system writes (risk-flag titles, the findings of critical audit items) are a code and parameters,
shown in the viewer's language (suppliers.system_text); those written before were converted from their stored
words; approval blockers name their kind in words."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers import system_text
from suppliers.models import AuditFinding, AuditItem, Certification, RiskFlag, RiskKind, Supplier
from suppliers.selectors.qualification import approval_blockers
from suppliers.services.audits import audit_submit
from suppliers.services.certifications import compliance_evaluate
from suppliers.services.master import supplier_create
from suppliers.services.risk import risk_flag_create
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM
from tests.suppliers.builders import answer_all, make_supplier, make_template, plan

REGION = {"region": "xinjiang", "places": [["province", "Xinjiang"], ["site", "Plant 3"], ["division", "650100"]]}
REGION_EN = (
    "Forced-labour high-risk region (Xinjiang Uyghur Autonomous Region): registered in Xinjiang; site Plant 3;"
    " credit code issued in division 650100"
)
REGION_ZH = "强迫劳动高风险地区（新疆维吾尔自治区）\uff1a注册地在 新疆; 场所 Plant 3; 信用代码的行政区划代码为 650100"


def _in(language: str, code: str, params: dict[str, Any]) -> str:
    with translation.override(language):
        return system_text.render(code, params)


def test_each_code_reads_in_english_and_in_chinese() -> None:
    assert _in("en", system_text.REGION, REGION) == REGION_EN
    assert _in("zh-hans", system_text.REGION, REGION) == REGION_ZH
    certificate = {"type": "iso_9001"}
    assert _in("en", system_text.CERTIFICATION_MISSING, certificate).startswith(
        "Required certification missing or expired: ISO 9001"
    )
    zh_certificate = _in("zh-hans", system_text.CERTIFICATION_MISSING, certificate)
    assert zh_certificate.startswith("所需认证缺失或已过期\uff1aISO 9001")
    single = {"code": "110", "name": "Cookware"}
    assert _in("en", system_text.SINGLE_SOURCE, single) == "Single source for 110 Cookware in the last 12 months"
    assert _in("zh-hans", system_text.SINGLE_SOURCE, single) == "过去 12 个月内 110 Cookware 品类仅有单一来源"


def test_an_unknown_code_or_broken_parameters_fall_back_to_the_stored_words() -> None:
    assert system_text.render("", {}) == ""
    assert system_text.render("no_such_code", {"x": 1}) == ""
    assert system_text.render(system_text.REGION, {"places": []}) == ""


@pytest.mark.parametrize(
    ("title", "source", "expected"),
    [
        (REGION_EN, "region:forced_labour", (system_text.REGION, REGION)),
        (REGION_ZH.replace("新疆;", "Xinjiang;"), "region:forced_labour", (system_text.REGION, REGION)),
        (
            "Required certification missing or expired: BSCI (amfori)",
            "certification:amfori_bsci",
            (system_text.CERTIFICATION_MISSING, {"type": "amfori_bsci"}),
        ),
        (
            "所需认证缺失或已过期\uff1aISO 9001",
            "certification:iso_9001",
            (system_text.CERTIFICATION_MISSING, {"type": "iso_9001"}),
        ),
        (
            "Single source for 110.20 Cast iron cookware in the last 12 months",
            "dependency:110.20",
            (system_text.SINGLE_SOURCE, {"code": "110.20", "name": "Cast iron cookware"}),
        ),
        (
            "过去 12 个月内 110 Cookware 品类仅有单一来源",
            "dependency:110",
            (system_text.SINGLE_SOURCE, {"code": "110", "name": "Cookware"}),
        ),
        ("Owner changed", "", None),  # typed by a person
        ("Something else entirely", "region:forced_labour", None),
        ("Required certification missing or expired: x" + "x" * 300, "certification:iso_9001", None),  # cut
        ("Single source for 999 Cookware in the last 12 months", "dependency:110", None),  # not its category
    ],
)
def test_stored_words_read_back_into_codes(title: str, source: str, expected: Any) -> None:
    assert system_text.parse(title, source) == expected


def _client(member: Membership, language: str) -> Client:
    member.user.language = language
    member.user.save(update_fields=["language"])
    client = Client()
    client.force_login(member.user)
    return client


def test_a_flag_raised_while_reading_chinese_reads_in_english_to_the_next_person(
    tenant: Tenant, make_member: Any
) -> None:
    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code="110", name="Cookware", required_certifications=["iso_9001"]
        )
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(
                legal_name="Kashgar Cotton Co., Ltd.", province="Xinjiang", category_ids=[str(category.pk)]
            ),
        )
        with translation.override("zh-hans"):
            compliance_evaluate(tenant=tenant, by=SYSTEM, supplier=supplier)
        flags = {f.kind: f for f in RiskFlag.objects.all()}
    assert flags[RiskKind.REGION].title_code == system_text.REGION
    assert flags[RiskKind.COMPLIANCE].title_params == {"type": "iso_9001"}
    assert flags[RiskKind.COMPLIANCE].title.startswith("Required certification missing or expired")
    url = f"/t/acme/suppliers/{supplier.pk}/risk/"
    english = _client(make_member(tenant, Role.BUYER, email="en@acme.test"), "en").get(url).content.decode()
    chinese = _client(make_member(tenant, Role.BUYER, email="zh@acme.test"), "zh-hans").get(url).content.decode()
    assert "Forced-labour high-risk region (Xinjiang Uyghur Autonomous Region): registered in Xinjiang" in english
    assert "Required certification missing or expired: ISO 9001" in english and "强迫劳动" not in english
    assert "强迫劳动高风险地区（新疆维吾尔自治区）\uff1a注册地在 新疆" in chinese
    assert "所需认证缺失或已过期\uff1aISO 9001" in chinese and "Forced-labour" not in chinese


def _migration() -> Any:
    return importlib.import_module("suppliers.migrations.0007_system_texts_as_codes")


def test_the_migration_converts_stored_system_titles_and_leaves_typed_ones(tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        supplier = Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright")
        old = [
            RiskFlag.objects.create(
                tenant=tenant, supplier=supplier, kind=RiskKind.REGION, source="region:forced_labour", title=REGION_EN
            ),
            RiskFlag.objects.create(
                tenant=tenant,
                supplier=supplier,
                kind=RiskKind.COMPLIANCE,
                source="certification:iso_9001",
                title="所需认证缺失或已过期\uff1aISO 9001",  # raised while someone read in Chinese
            ),
            RiskFlag.objects.create(
                tenant=tenant,
                supplier=supplier,
                kind=RiskKind.DEPENDENCY,
                source="dependency:110",
                title="Single source for 110 Cookware in the last 12 months",
            ),
        ]
        manual = risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Owner changed")
        _migration().texts_to_codes(apps, SimpleNamespace(connection=connection))
        codes = {f.pk: (f.title_code, f.title_params, f.title) for f in RiskFlag.objects.all()}
    assert codes[old[0].pk] == (system_text.REGION, REGION, REGION_EN)
    assert codes[old[1].pk][:2] == (system_text.CERTIFICATION_MISSING, {"type": "iso_9001"})
    assert codes[old[2].pk][:2] == (system_text.SINGLE_SOURCE, {"code": "110", "name": "Cookware"})
    assert codes[manual.pk] == ("", {}, "Owner changed")
    page = _client(make_member(tenant, Role.BUYER), "en").get(f"/t/acme/suppliers/{supplier.pk}/risk/")
    assert "Required certification missing or expired: ISO 9001" in page.content.decode()
    with tenant_scope(tenant):
        _migration().codes_to_texts(apps, SimpleNamespace(connection=connection))
        assert set(RiskFlag.objects.values_list("title_code", flat=True)) == {""}
        assert RiskFlag.objects.get(pk=old[1].pk).display_title == "所需认证缺失或已过期\uff1aISO 9001"


@pytest.mark.usefixtures("viewers_day")
def test_approval_blocker_badges_name_their_kind_in_words(tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code="110", name="Cookware", required_certifications=["fda_fei"]
        )
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Ningbo Everbright", category_ids=[str(category.pk)]),
        )
        Certification.objects.create(
            tenant=tenant,
            supplier=supplier,
            cert_type="fda_fei",
            valid_until=timezone.localdate() - datetime.timedelta(days=1),
        )
        (blocker,) = approval_blockers(supplier)
    assert blocker.kind == "certification"
    url = f"/t/acme/suppliers/{supplier.pk}/"
    english = _client(make_member(tenant, Role.QUALITY, email="en@acme.test"), "en").get(url).content.decode()
    chinese = _client(make_member(tenant, Role.QUALITY, email="zh@acme.test"), "zh-hans").get(url).content.decode()
    assert '<span class="badge badge-warning">Certificate</span>' in english
    assert '<span class="badge badge-warning">证书</span>' in chinese
    assert ">certification<" not in english + chinese


def test_the_finding_of_a_critical_item_reads_in_each_viewers_language(tenant: Tenant, make_member: Any) -> None:
    quality = make_member(tenant, Role.QUALITY)
    supplier = make_supplier(tenant)
    audit = plan(tenant, supplier, make_template(tenant, pass_score=50), quality)
    answer_all(tenant, audit, quality, ["compliant", "non_compliant", "compliant", "compliant"])
    with tenant_scope(tenant), translation.override("zh-hans"):  # submitted while reading Chinese
        audit_submit(tenant=tenant, by=Actor.for_membership(quality), audit_id=audit.pk)
    with tenant_scope(tenant):
        finding = AuditFinding.objects.get(audit_id=audit.pk)
    assert finding.description_code == system_text.CRITICAL_ITEM
    assert finding.description == "Critical item not met: Are measuring instruments calibrated?"
    url = f"/t/acme/suppliers/audits/{audit.pk}/"
    english = _client(make_member(tenant, Role.QUALITY, email="en@acme.test"), "en").get(url).content.decode()
    chinese = _client(make_member(tenant, Role.QUALITY, email="zh@acme.test"), "zh-hans").get(url).content.decode()
    assert "Critical item not met: Are measuring instruments calibrated?" in english
    assert "关键项未满足\uff1aAre measuring instruments calibrated?" in chinese


def test_the_migration_converts_stored_finding_descriptions(tenant: Tenant, make_member: Any) -> None:
    quality = make_member(tenant, Role.QUALITY)
    audit = plan(tenant, make_supplier(tenant), make_template(tenant), quality)
    with tenant_scope(tenant):
        item = AuditItem.objects.filter(audit_id=audit.pk, is_critical=True).first()
        assert item is not None
        raised = AuditFinding.objects.create(
            tenant=tenant, audit=audit, item=item, severity="critical", description=f"关键项未满足\uff1a{item.text}"
        )
        written = AuditFinding.objects.create(
            tenant=tenant, audit=audit, item=item, severity="minor", description="Gauges kept in a drawer"
        )
        _migration().texts_to_codes(apps, SimpleNamespace(connection=connection))
        raised.refresh_from_db()
        written.refresh_from_db()
        with translation.override("en"):
            assert raised.display_description == f"Critical item not met: {item.text}"
    assert (raised.description_code, raised.description_params) == (system_text.CRITICAL_ITEM, {"item": item.text})
    assert (written.description_code, written.display_description) == ("", "Gauges kept in a drawer")
