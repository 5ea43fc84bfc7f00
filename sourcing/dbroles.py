"""Provision the PostgreSQL roles Sourcewise runs with, from an administrator's connection URL.

    python -m sourcing.dbroles postgres://postgres@127.0.0.1:5432/sourcewise

creates (idempotently) the database, an owner role that runs migrations and owns every table, and a
runtime role that owns nothing and cannot bypass row-level security, and prints the owner's URL as its
last line. Passwords come from DATABASE_OWNER_PASSWORD / DATABASE_APP_PASSWORD when set.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

OWNER_ROLE = os.environ.get("DATABASE_OWNER_ROLE", "sourcewise_owner")
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "sourcewise_app")


def _with_user(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = quote(user) + (f":{quote(password)}" if password else "") + f"@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _ensure_role(cur: psycopg.Cursor, role: str, password: str, *, createdb: bool) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    options = sql.SQL("LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE {}").format(
        sql.SQL("CREATEDB" if createdb else "NOCREATEDB")
    )
    statement = sql.SQL("{} ROLE {} WITH {}").format(sql.SQL(verb), sql.Identifier(role), options)
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    cur.execute(statement)


def provision(admin_url: str) -> str:
    owner_password = os.environ.get("DATABASE_OWNER_PASSWORD", "")
    app_password = os.environ.get("DATABASE_APP_PASSWORD", "")
    database = urlsplit(admin_url).path.lstrip("/") or "sourcewise"
    maintenance = urlunsplit(urlsplit(admin_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn, conn.cursor() as cur:
        _ensure_role(cur, OWNER_ROLE, owner_password, createdb=True)
        _ensure_role(cur, APP_ROLE, app_password, createdb=False)
        # The owner creates test databases, and must be able to grant the runtime role on them.
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(OWNER_ROLE)))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cur.fetchone() is None:
            cur.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(OWNER_ROLE))
            )
    with psycopg.connect(urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}")), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(OWNER_ROLE)))
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(APP_ROLE))
        )
    return _with_user(admin_url, OWNER_ROLE, owner_password)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m sourcing.dbroles <admin database URL>")
    print(provision(sys.argv[1]))
