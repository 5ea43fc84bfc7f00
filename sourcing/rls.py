"""PostgreSQL row-level security: the second wall under the ORM's tenant filter.

After every ``migrate`` (run as the table owner), ``apply_rls`` finds every table in the schema with a
``tenant_id`` column, enables and forces RLS on it, and (re)creates one policy comparing ``tenant_id`` with
the transaction-local ``app.tenant_id`` that ``sourcing.tenancy.tenant_scope`` sets. It then grants the
runtime role (settings.DATABASE_APP_ROLE) plain DML and nothing else; that role owns no tables and has no
BYPASSRLS, so the policies bind it. Audit events get no UPDATE or DELETE grant at all (append-only).

Three bootstrap lookups happen before the tenant is known, and a second, SELECT-only policy on their tables
allows exactly that much more reading: a user's own memberships (``app.user_id``, to list the tenants they
belong to, and the agencies behind them), an API key by its public prefix (``app.api_key_prefix``) and a
partner token by its public prefix (``app.partner_token_prefix``), to authenticate them. Every write,
DELETE included, is governed by the tenant policy alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

POLICY_NAME = "tenant_isolation"
BOOTSTRAP_POLICY_NAME = "bootstrap_read"
CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"

# Extra read visibility for bootstrap lookups, keyed by table name.
EXTRA_READ = {
    "sourcing_membership": "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid",
    "sourcing_apikey": "prefix = NULLIF(current_setting('app.api_key_prefix', true), '')",
    "sourcing_partnertoken": "prefix = NULLIF(current_setting('app.partner_token_prefix', true), '')",
    # The agencies behind those memberships (an agent whose agency is inactive cannot open that tenant).
    "sourcing_agency": (
        "id IN (SELECT agency_id FROM sourcing_membership "
        "WHERE user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)"
    ),
}
APPEND_ONLY = {"sourcing_auditevent"}
# Fact tables loaded a million rows at a time. Nothing points at their rows and every list of them is
# filtered (by import, category, period), so they do without the (tenant_id, id) index every load would pay for.
BULK_FACT_TABLES = {"spend_spendline"}


def tenant_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
              AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name
            """
        )
        return [row[0] for row in cursor.fetchall()]


def _name(*parts: str) -> str:
    """A constraint or index name within PostgreSQL's 63 bytes, stable for the same parts."""
    name = "_".join(parts)
    if len(name) <= 63:
        return name
    import hashlib

    return f"{name[:54]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _foreign_keys_between(connection: BaseDatabaseWrapper, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, referenced table) for every single-column FK from one tenant table to another."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text
            FROM pg_constraint con
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
            WHERE con.contype = 'f' AND array_length(con.conkey, 1) = 1 AND a.attname <> 'tenant_id'
              AND con.conrelid::regclass::text = ANY(%s) AND con.confrelid::regclass::text = ANY(%s)
            ORDER BY 1, 2
            """,
            [tables, tables],
        )
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def _free_name(cursor: Any, base: str) -> str:
    """A relation/constraint name not yet used in the schema (names are schema-wide for indexes)."""
    candidate, n = _name(base), 1
    while True:
        cursor.execute(
            "SELECT 1 FROM pg_class WHERE relname = %s AND relnamespace = current_schema()::regnamespace "
            "UNION SELECT 1 FROM pg_constraint WHERE conname = %s AND connamespace = current_schema()::regnamespace",
            [candidate, candidate],
        )
        if cursor.fetchone() is None:
            return candidate
        n += 1
        candidate = _name(base, str(n))


def _has_unique_tenant_id_index(cursor: Any, table: str) -> bool:
    cursor.execute(
        """
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnkeyatts = 2
          AND (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) = ARRAY['tenant_id', 'id']
        """,
        [table],
    )
    return cursor.fetchone() is not None


def same_tenant_keys(connection: BaseDatabaseWrapper) -> dict[tuple[str, str, str], str]:
    """The (tenant_id, column) → (tenant_id, id) keys in the database, by what they cover: name by triple."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname, con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text
            FROM pg_constraint con
            JOIN pg_attribute t ON t.attrelid = con.conrelid AND t.attnum = con.conkey[1]
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[2]
            WHERE con.contype = 'f' AND array_length(con.conkey, 1) = 2 AND t.attname = 'tenant_id'
              AND con.connamespace = current_schema()::regnamespace
            """
        )
        return {(row[1], row[2], row[3]): row[0] for row in cursor.fetchall()}


def apply_tenant_keys(connection: BaseDatabaseWrapper, tables: list[str]) -> None:
    """Every tenant table gets a unique (tenant_id, id) index: lists are "this tenant's rows, newest first",
    and it is what same-tenant foreign keys point at. Every foreign key between tenant tables gets a companion
    (tenant_id, column) → (tenant_id, id) key, so a row can never point at another tenant's row (foreign-key
    checks bypass RLS; this is the wall for them, and the shape a tenant-distributed database needs).

    Everything is matched by what it covers, not by name, so a renamed table or a foreign key moved to
    another model is brought back in line: companions that no longer match a foreign key are dropped.
    """
    qn = connection.ops.quote_name
    wanted = set(_foreign_keys_between(connection, tables))
    existing = same_tenant_keys(connection)
    with connection.cursor() as cursor:
        for table in tables:
            if table not in BULK_FACT_TABLES and not _has_unique_tenant_id_index(cursor, table):
                name = _free_name(cursor, f"{table}_tenant_id_key")
                cursor.execute(f"CREATE UNIQUE INDEX {qn(name)} ON {qn(table)} (tenant_id, id)")
        for (table, column, referenced), name in existing.items():
            if table in tables and (table, column, referenced) not in wanted:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for table, column, referenced in sorted(wanted - set(existing)):
            name = _free_name(cursor, f"{table}_{column}_same_tenant")
            # NOT VALID first: adding it takes no long lock; validating then checks the rows already there.
            cursor.execute(
                f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} FOREIGN KEY (tenant_id, {qn(column)}) "
                f"REFERENCES {qn(referenced)} (tenant_id, id) DEFERRABLE INITIALLY DEFERRED NOT VALID"
            )
            cursor.execute(f"ALTER TABLE {qn(table)} VALIDATE CONSTRAINT {qn(name)}")


ANALYZE_FUNCTION = "sourcewise_analyze"


def _create_analyze_function(cursor: Any, role: str | None, qn: Any) -> None:
    """The runtime role owns no table, so it may not ANALYZE one; this function, run with the owner's rights,
    analyzes one table of the public schema and nothing else."""
    cursor.execute(
        """CREATE OR REPLACE FUNCTION sourcewise_analyze(target regclass) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
            IF (SELECT relnamespace FROM pg_class WHERE oid = target) <> 'public'::regnamespace THEN
                RAISE EXCEPTION 'only tables of the public schema are analyzed';
            END IF;
            EXECUTE format('ANALYZE %s', target);
        END $$"""
    )
    cursor.execute(f"REVOKE ALL ON FUNCTION {ANALYZE_FUNCTION}(regclass) FROM PUBLIC")
    if role:
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {ANALYZE_FUNCTION}(regclass) TO {qn(role)}")


def refresh_statistics(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    """Fresh planner statistics for the tables a bulk write has just filled (a demo seed, a large import).

    Until autovacuum's next pass the planner would plan for the tables as they were (empty, after a seed) and
    may pick a plan that reads everything for each row; one ANALYZE per table is cheap. Every tenant table
    when ``tables`` is None. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tenant_tables(connection) if tables is None else tables:
            cursor.execute(f"SELECT {ANALYZE_FUNCTION}(%s::regclass)", [table])


def _role_exists(connection: BaseDatabaseWrapper, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def apply_rls(connection: BaseDatabaseWrapper) -> list[str]:
    """Idempotently enable, force and (re)create the tenant policy on every tenant table; grant DML."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == settings.DATABASE_APP_ROLE:
            return []  # the runtime role never changes the schema (e.g. `flush` re-emits post_migrate)
    qn = connection.ops.quote_name
    tables = tenant_tables(connection)
    apply_tenant_keys(connection, tables)
    with connection.cursor() as cursor:
        tenant_only = f"tenant_id = {CURRENT_TENANT}"
        for table in tables:
            cursor.execute(f"ALTER TABLE {qn(table)} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {qn(table)} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {qn(table)}")
            cursor.execute(f"DROP POLICY IF EXISTS {BOOTSTRAP_POLICY_NAME} ON {qn(table)}")
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {qn(table)} USING ({tenant_only}) WITH CHECK ({tenant_only})"
            )
            if table in EXTRA_READ:
                # Permissive policies are OR-ed, so this widens SELECT only; every write still needs the tenant.
                cursor.execute(
                    f"CREATE POLICY {BOOTSTRAP_POLICY_NAME} ON {qn(table)} FOR SELECT USING ({EXTRA_READ[table]})"
                )
        role = settings.DATABASE_APP_ROLE
        _create_analyze_function(cursor, role if role and _role_exists(connection, role) else None, qn)
        if role and _role_exists(connection, role):
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {qn(role)}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {qn(role)}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {qn(role)}")
            for table in APPEND_ONLY & set(tables):
                cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {qn(table)} FROM {qn(role)}")
    return tables
