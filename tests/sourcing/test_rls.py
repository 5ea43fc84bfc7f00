"""Row-level security, run as the runtime role: the database itself refuses what the ORM filter would."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.tenancy import TENANT_SETTING, tenant_scope

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="RLS exists on PostgreSQL only")


def _fetch(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def test_suite_runs_as_the_runtime_role(db: Any) -> None:
    [(user, superuser, bypass)] = _fetch(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert user == settings.DATABASE_APP_ROLE
    assert superuser is False
    assert bypass is False
    owned = _fetch("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    assert owned == [(0,)]


def test_raw_sql_without_tenant_sees_no_rows(tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)
    with tenant_scope(tenant):
        assert _fetch("SELECT count(*) FROM sourcing_membership") == [(1,)]
    assert _fetch("SELECT count(*) FROM sourcing_membership") == [(0,)]
    assert _fetch("SELECT count(*) FROM sourcing_auditevent") == [(0,)]


def test_raw_sql_sees_only_the_current_tenant(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)
    make_member(other_tenant, Role.BUYER)
    make_member(other_tenant, Role.FINANCE)
    with tenant_scope(tenant):
        rows = _fetch("SELECT DISTINCT tenant_id FROM sourcing_membership")
    assert rows == [(tenant.pk,)]


def test_insert_of_another_tenants_row_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant_scope(tenant), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _fetch(
            "INSERT INTO sourcing_agency (id, tenant_id, name, country, contact_email, is_active, created_at) "
            "VALUES (gen_random_uuid(), %s, 'Smuggled', 'CN', '', true, now()) RETURNING id",
            [other_tenant.pk],
        )
    with tenant_scope(other_tenant):
        assert _fetch("SELECT count(*) FROM sourcing_agency") == [(0,)]


def test_update_cannot_move_a_row_to_another_tenant(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    make_agency(tenant, "Acme Agency")
    with tenant_scope(tenant), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _fetch("UPDATE sourcing_agency SET tenant_id = %s RETURNING id", [other_tenant.pk])


def test_tenant_setting_is_transaction_local(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        assert _fetch("SELECT current_setting(%s, true)", [TENANT_SETTING]) == [(str(tenant.pk),)]
    assert _fetch("SELECT coalesce(current_setting(%s, true), '')", [TENANT_SETTING]) == [("",)]


def test_audit_events_cannot_be_updated_or_deleted_in_the_database(tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)  # writes an audit event
    with tenant_scope(tenant):
        assert _fetch("SELECT count(*) FROM sourcing_auditevent") == [(1,)]
        for statement in ("UPDATE sourcing_auditevent SET action = 'x'", "DELETE FROM sourcing_auditevent"):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                _fetch(statement + " RETURNING id")
        assert _fetch("SELECT action FROM sourcing_auditevent") == [("member.invite",)]


def test_every_table_with_a_tenant_column_has_a_forced_policy(db: Any) -> None:
    tables = _fetch(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'tenant_id' ORDER BY table_name"
    )
    assert len(tables) >= 6
    for (table,) in tables:
        [(enabled, forced)] = _fetch(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass", [table]
        )
        assert (enabled, forced) == (True, True), table
        policies = {
            (name, cmd): (using, check)
            for name, cmd, using, check in _fetch(
                "SELECT policyname, cmd, qual, with_check FROM pg_policies WHERE tablename = %s", [table]
            )
        }
        using, check = policies.pop(("tenant_isolation", "ALL"))
        assert "app.tenant_id" in using and "app.tenant_id" in check, table
        assert "app.user_id" not in using and "app.api_key_prefix" not in using, table
        # Anything else may only widen reading, and only on the bootstrap tables.
        assert set(policies) <= {("bootstrap_read", "SELECT")}, (table, policies)
        if policies:
            assert table in {"sourcing_membership", "sourcing_apikey", "sourcing_partnertoken", "sourcing_agency"}, (
                table
            )


def test_memberships_of_a_user_are_visible_without_a_tenant_only_to_that_user(
    tenant: Tenant, other_tenant: Tenant, make_member: Any
) -> None:
    mine = make_member(tenant, Role.BUYER, email="me@example.test")
    make_member(other_tenant, Role.BUYER, email="me@example.test")
    make_member(other_tenant, Role.ADMIN, email="someone@example.test")
    with transaction.atomic():
        _fetch("SELECT set_config('app.user_id', %s, true)", [str(mine.user_id)])
        rows = _fetch("SELECT user_id FROM sourcing_membership")
    assert rows == [(mine.user_id,), (mine.user_id,)]


def test_bootstrap_settings_widen_reading_only(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    """With app.user_id set inside acme, the user's globex membership is visible but cannot be touched."""
    mine = make_member(tenant, Role.BUYER, email="me@example.test")
    theirs = make_member(other_tenant, Role.BUYER, email="me@example.test")
    with tenant_scope(tenant, user_id=mine.user_id):
        assert len(_fetch("SELECT id FROM sourcing_membership WHERE user_id = %s", [mine.user_id])) == 2
        deleted = _fetch("DELETE FROM sourcing_membership WHERE id = %s RETURNING id", [theirs.pk])
        updated = _fetch("UPDATE sourcing_membership SET role = 'admin' WHERE id = %s RETURNING id", [theirs.pk])
        assert (deleted, updated) == ([], [])
    with tenant_scope(other_tenant):
        assert _fetch("SELECT role FROM sourcing_membership WHERE id = %s", [theirs.pk]) == [("buyer",)]


def test_api_key_prefix_setting_reveals_only_that_key(tenant: Tenant, other_tenant: Tenant, make_api_key: Any) -> None:
    key, _raw = make_api_key(other_tenant, ("read",), name="theirs")
    make_api_key(other_tenant, ("read",), name="another")
    with transaction.atomic():
        _fetch("SELECT set_config('app.api_key_prefix', %s, true)", [key.prefix])
        assert _fetch("SELECT id FROM sourcing_apikey") == [(key.pk,)]
        assert _fetch("DELETE FROM sourcing_apikey RETURNING id") == []


def _expected_same_tenant_keys() -> set[tuple[str, str, str]]:
    """From the models: every foreign key from a tenant model to another tenant model."""
    from django.apps import apps

    from sourcing.tenancy import TenantScopedModel

    return {
        (model._meta.db_table, str(field.column), field.related_model._meta.db_table)
        for model in apps.get_models()
        if issubclass(model, TenantScopedModel)
        for field in model._meta.fields
        if field.is_relation
        and field.name != "tenant"
        and issubclass(field.related_model, TenantScopedModel)
        and field.db_constraint  # spend lines: see tests/spend/test_line_integrity.py
    }


def test_every_foreign_key_between_tenant_tables_is_tenant_qualified(db: Any) -> None:
    from sourcing.rls import same_tenant_keys

    expected = _expected_same_tenant_keys()
    assert ("sourcing_membership", "agency_id", "sourcing_agency") in expected
    assert set(same_tenant_keys(connection)) == expected


def test_each_tenant_table_has_exactly_one_unique_tenant_and_id_index(db: Any) -> None:
    rows = _fetch(
        "SELECT tablename, count(*) FROM pg_indexes WHERE schemaname = 'public' "
        "AND indexdef LIKE 'CREATE UNIQUE INDEX %%(tenant_id, id)' GROUP BY tablename"
    )
    tables = {
        t
        for (t,) in _fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
    }
    from sourcing.rls import BULK_FACT_TABLES

    assert dict(rows) == dict.fromkeys(tables - BULK_FACT_TABLES, 1)


@pytest.fixture
def owner_connection(db: Any) -> Any:
    """A second connection to the test database as the schema owner (the suite itself runs as the app role)."""
    import dj_database_url

    owner = connection.copy()
    owner.settings_dict["USER"] = dj_database_url.parse(os.environ["DATABASE_URL"])["USER"]
    owner.settings_dict["PASSWORD"] = dj_database_url.parse(os.environ["DATABASE_URL"])["PASSWORD"]
    yield owner
    owner.close()


def test_key_sync_follows_moved_keys_and_renamed_tables(owner_connection: Any) -> None:
    from sourcing.rls import apply_tenant_keys, same_tenant_keys

    def run(sql: str) -> None:
        with owner_connection.cursor() as cursor:
            cursor.execute(sql)

    tables = ["zz_parent", "zz_other", "zz_child"]
    try:
        for t in tables[:2]:
            run(f"CREATE TABLE {t} (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)")
        run(
            "CREATE TABLE zz_child (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, "
            "parent_id uuid CONSTRAINT zz_child_parent_fk REFERENCES zz_parent (id))"
        )
        apply_tenant_keys(owner_connection, tables)
        keys = {k for k in same_tenant_keys(owner_connection) if k[0].startswith("zz_")}
        assert keys == {("zz_child", "parent_id", "zz_parent")}
        # the foreign key now points at another table: the stale companion goes, a new one comes
        run("ALTER TABLE zz_child DROP CONSTRAINT zz_child_parent_fk")
        run("ALTER TABLE zz_child ADD CONSTRAINT zz_child_parent_fk FOREIGN KEY (parent_id) REFERENCES zz_other (id)")
        apply_tenant_keys(owner_connection, tables)
        keys = {k for k in same_tenant_keys(owner_connection) if k[0].startswith("zz_")}
        assert keys == {("zz_child", "parent_id", "zz_other")}
        # a renamed table keeps one unique (tenant_id, id) index, not two
        run("ALTER TABLE zz_parent RENAME TO zz_renamed")
        tables[0] = "zz_renamed"
        apply_tenant_keys(owner_connection, tables)
        with owner_connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'zz_renamed' AND indexdef LIKE %s",
                ["CREATE UNIQUE INDEX %(tenant_id, id)"],
            )
            assert cursor.fetchone() == (1,)
        # syncing these tables left every other table's keys alone
        assert _expected_same_tenant_keys() <= set(same_tenant_keys(owner_connection))
    finally:
        run("DROP TABLE IF EXISTS zz_child, zz_other, zz_parent, zz_renamed")


def test_a_row_cannot_point_at_another_tenants_row(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    from sourcing.models import User

    theirs = make_agency(other_tenant, "Globex Agency")
    user = User.objects.create_user("x@acme.test")
    insert = (
        "INSERT INTO sourcing_membership (id, tenant_id, user_id, role, agency_id, is_active, created_at) "
        "VALUES (gen_random_uuid(), %s, %s, 'agent', %s, true, now()) RETURNING id"
    )
    with tenant_scope(tenant), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the keys are deferred to commit otherwise
        with pytest.raises(DatabaseError, match="same_tenant"), transaction.atomic():
            _fetch(insert, [tenant.pk, user.pk, theirs.pk])


def test_the_runtime_role_refreshes_planner_statistics_after_a_bulk_write(tenant: Tenant, make_member: Any) -> None:
    """ANALYZE needs the table's owner; the runtime role asks the owner's function, for public tables only."""
    from sourcing.rls import refresh_statistics

    make_member(tenant, Role.BUYER)
    never = _fetch("SELECT reltuples FROM pg_class WHERE relname = 'sourcing_membership'")[0][0]
    refresh_statistics(connection, ["sourcing_membership"])
    analysed = _fetch("SELECT reltuples FROM pg_class WHERE relname = 'sourcing_membership'")[0][0]
    assert (never, analysed) == (-1, 1)
    with pytest.raises(DatabaseError, match="only tables of the public schema"), transaction.atomic():
        _fetch("SELECT sourcewise_analyze('pg_catalog.pg_class'::regclass)")
