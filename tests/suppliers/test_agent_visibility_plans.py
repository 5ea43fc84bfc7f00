"""What an agent may see is read in a shape whose worst plan is not catastrophic: the granted supplier ids
first (an indexed look-up of the agent's grants), then each list filtered by that literal list. The old shape
joined the grants (guardian's subquery) into every list; right after a bulk load, before ANALYZE, the planner
nested-looped it over whole tables and the partner certificate list took 36 s a request.

Checked on PostgreSQL with a few thousand rows and no ANALYZE (the statistics of freshly filled tables)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, Supplier
from suppliers.selectors.audits import audits_assigned_to
from suppliers.selectors.master import assigned_supplier_ids, suppliers_assigned_to
from tests.conftest import SYSTEM

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner under test is PostgreSQL's")

SUPPLIERS = 3_000
GRANT_TABLE = "suppliers_supplieragentgrant"


def _bulk_world(tenant: Tenant, agent: Membership, other_agent: Membership) -> list[Supplier]:
    """Thousands of suppliers with a certificate each, a few granted to the agent, many to another agent."""
    until = datetime.date.today() + datetime.timedelta(days=400)
    with tenant_scope(tenant):
        suppliers = Supplier.objects.bulk_create(
            [Supplier(tenant=tenant, legal_name=f"Bulk Supplier {i:05d}") for i in range(SUPPLIERS)]
        )
        Certification.objects.bulk_create(
            [Certification(tenant=tenant, supplier=s, cert_type="iso_9001", valid_until=until) for s in suppliers]
        )
        for supplier in suppliers[:5]:
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
        for supplier in suppliers[5:400]:
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=other_agent.pk, obj=supplier)
    return suppliers


def _plan(sql: str, params: Any = None) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _cold() -> None:
    """The statistics are those of tables filled a moment ago (the rows are this test's, uncommitted, so no
    ANALYZE has counted them): the planner believes the tables nearly empty, or does not know."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('suppliers_supplier', 'suppliers_certification', %s)",
            [GRANT_TABLE],
        )
        believed = dict(cursor.fetchall())
    assert len(believed) == 3 and all(n < SUPPLIERS / 10 for n in believed.values()), believed


def test_the_partner_certificate_list_reads_the_granted_ids_first(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    suppliers = _bulk_world(tenant, agent, make_member(tenant, Role.AGENT, email="chen@bridge.test"))
    with tenant_scope(tenant):
        _t, raw = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name="Laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    _cold()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '10s'")  # the old shape ran for minutes here
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/partner/v1/certifications/")
    assert response.status_code == 200
    assert {row["supplier"] for row in response.json()["results"]} == {str(s.pk) for s in suppliers[:5]}
    sqls = [q["sql"] for q in queries.captured_queries]
    grants = [i for i, sql in enumerate(sqls) if GRANT_TABLE in sql]
    lists = [i for i, sql in enumerate(sqls) if 'FROM "suppliers_certification"' in sql and "LIMIT" in sql]
    assert grants and lists, sqls
    # the grants are read on their own, first; the list filters by the ids, joining no grant
    assert all(GRANT_TABLE not in sqls[i] for i in lists)
    assert min(grants) < min(lists)
    for i in lists:
        plan = _plan(sqls[i])
        assert GRANT_TABLE not in plan and "suppliers_supplier " not in plan, plan


def test_every_read_of_what_an_agent_sees_filters_by_the_granted_ids(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    suppliers = _bulk_world(tenant, agent, make_member(tenant, Role.AGENT, email="chen@bridge.test"))
    _cold()
    with tenant_scope(tenant):
        ids = assigned_supplier_ids(user=agent.user)
        assert sorted(ids) == sorted(s.pk for s in suppliers[:5])
        for queryset in (suppliers_assigned_to(user=agent.user), audits_assigned_to(membership=agent)):
            sql, params = queryset.query.sql_with_params()
            assert GRANT_TABLE not in sql, sql
            assert GRANT_TABLE not in _plan(sql, params)
        assert set(suppliers_assigned_to(user=agent.user)) == set(suppliers[:5])


def test_the_granted_ids_are_an_index_look_up_on_cold_statistics(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    _bulk_world(tenant, agent, make_member(tenant, Role.AGENT, email="chen@bridge.test"))
    _cold()
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the planner's choice when a table looks large
        with CaptureQueriesContext(connection) as queries:
            assigned_supplier_ids(user=agent.user)
    plan = _plan(queries.captured_queries[-1]["sql"])
    assert "Index" in plan and f"Seq Scan on {GRANT_TABLE}" not in plan, plan
