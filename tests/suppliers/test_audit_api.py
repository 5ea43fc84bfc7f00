"""The factory audit endpoints: audits with filters and their checklist in the detail, checklist templates,
another tenant's ids, read-only keys, and constant query counts on the lists."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import FactoryAudit, Supplier
from suppliers.services import audit_findings as finding_services
from suppliers.services import audits as services
from tests.suppliers.builders import QUESTIONS, answer_all, make_template, plan


@pytest.fixture
def quality(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.QUALITY)


def _supplier(tenant: Tenant, name: str) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, internal_notes="not for the audit API")


def _passed(tenant: Tenant, supplier: Supplier, template: Any, auditor: Membership) -> FactoryAudit:
    audit = plan(tenant, supplier, template, auditor)
    answer_all(tenant, audit, auditor, ["compliant", "compliant", "non_compliant", "compliant"])
    with tenant_scope(tenant):
        finding_services.audit_finding_add(
            tenant=tenant,
            by=Actor.for_membership(auditor),
            audit_id=audit.pk,
            severity="minor",
            description="Work instructions missing at two stations",
            owner_id=auditor.pk,
        )
        return services.audit_submit(tenant=tenant, by=Actor.for_membership(auditor), audit_id=audit.pk)


def test_audits_list_filters_and_detail(tenant: Tenant, quality: Membership, api_client: Any) -> None:
    # given a passed quality audit of one supplier and a planned social audit of another
    template = make_template(tenant)
    social = make_template(tenant, name="Social", audit_type="social")
    ningbo, xiamen = _supplier(tenant, "Ningbo Everbright"), _supplier(tenant, "Xiamen Peakline")
    passed = _passed(tenant, ningbo, template, quality)
    planned = plan(tenant, xiamen, social, quality)
    client = api_client(("read",))
    # when the list is read, whole and filtered
    everything = client.get("/api/v1/audits/").json()["results"]
    by_supplier = client.get(f"/api/v1/audits/?supplier={ningbo.pk}").json()["results"]
    by_status = client.get("/api/v1/audits/?status=planned").json()["results"]
    by_type = client.get("/api/v1/audits/?audit_type=quality_system").json()["results"]
    # then the filters pick the right audits
    assert {a["id"] for a in everything} == {str(passed.pk), str(planned.pk)}
    assert [a["id"] for a in by_supplier] == [str(passed.pk)]
    assert [a["id"] for a in by_status] == [str(planned.pk)]
    assert [a["id"] for a in by_type] == [str(passed.pk)]
    row = by_supplier[0]
    assert (row["status"], row["score"], row["supplier_name"], row["auditor_email"]) == (
        "passed",
        "90.00",
        "Ningbo Everbright",
        "quality@acme.test",
    )
    assert "items" not in row and "internal_notes" not in row
    # and the detail carries the checklist and the findings
    detail = client.get(f"/api/v1/audits/{passed.pk}/").json()
    assert [(i["section"], i["text"], i["weight"], i["is_critical"]) for i in detail["items"]] == [
        tuple(q) for q in QUESTIONS
    ]
    assert [i["answer"] for i in detail["items"]] == ["compliant", "compliant", "non_compliant", "compliant"]
    assert [(f["severity"], f["owner_email"]) for f in detail["findings"]] == [("minor", "quality@acme.test")]
    assert client.get("/api/v1/audits/?status=bogus").status_code == 400


def test_audit_templates_with_their_questions(tenant: Tenant, api_client: Any) -> None:
    template = make_template(tenant, pass_score="72.5")
    client = api_client(("read",))
    listing = client.get("/api/v1/audit-templates/").json()["results"]
    assert [(t["name"], t["pass_score"], len(t["questions"])) for t in listing] == [
        ("Factory quality-system audit", "72.50", 4)
    ]
    detail = client.get(f"/api/v1/audit-templates/{template.pk}/").json()
    assert [q["text"] for q in detail["questions"]] == [q[1] for q in QUESTIONS]


def test_another_tenants_ids_are_missing_ids(
    tenant: Tenant, other_tenant: Tenant, quality: Membership, api_client: Any
) -> None:
    template = make_template(tenant)
    audit = plan(tenant, _supplier(tenant, "Ningbo Everbright"), template, quality)
    client = api_client(("read", "write"), other_tenant)
    for path in (f"/api/v1/audits/{audit.pk}/", f"/api/v1/audit-templates/{template.pk}/"):
        theirs = client.get(path)
        missing = client.get(path.replace(str(path.split("/")[-2]), str(uuid.uuid4())))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.content == missing.content
    assert client.get("/api/v1/audits/").json()["results"] == []


def test_keys_without_read_and_writes_are_refused(tenant: Tenant, quality: Membership, api_client: Any) -> None:
    template = make_template(tenant)
    plan(tenant, _supplier(tenant, "Ningbo Everbright"), template, quality)
    assert api_client(("write",)).get("/api/v1/audits/").status_code == 403
    read = api_client(("read", "write"))
    assert read.post("/api/v1/audits/", {}, format="json").status_code == 405
    assert read.post("/api/v1/audit-templates/", {}, format="json").status_code == 405


# As every other API list: key, throttle, tenant scope, then one query for the page of audits with their suppliers,
# auditors and templates; for the templates, one for the page and one for their questions.
@pytest.mark.parametrize(("path", "queries"), [("/api/v1/audits/", 10), ("/api/v1/audit-templates/", 11)])
def test_lists_run_a_constant_number_of_queries(
    tenant: Tenant, quality: Membership, api_client: Any, django_assert_num_queries: Any, path: str, queries: int
) -> None:
    client = api_client(("read",))

    def grow(n: int) -> None:
        for i in range(n):
            template = make_template(tenant, name=f"Checklist {uuid.uuid4().hex[:6]}")
            _passed(tenant, _supplier(tenant, f"Supplier {i} {uuid.uuid4().hex[:6]}"), template, quality)

    grow(2)
    client.get(path)  # warm
    with django_assert_num_queries(queries):
        assert len(client.get(path).json()["results"]) == 2
    grow(2)
    with django_assert_num_queries(queries):
        assert len(client.get(path).json()["results"]) == 4
