"""Production settings: `check --deploy` is clean, and the embedded default needs no configuration."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _base_env() -> dict[str, str]:
    drop = {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}


def test_check_deploy_is_clean_under_production_settings() -> None:
    env = _base_env() | {
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "sourcing.example.com",
    }
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = _base_env() | {"DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "sourcing.example.com"}
    result = _manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_real_database_needs_a_real_secret_key() -> None:
    env = _base_env() | {"DATABASE_URL": "postgres://nobody@127.0.0.1:5432/nothing"}
    result = _manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DATABASE_URL is" in result.stderr


def test_seed_demo_refuses_production_settings() -> None:
    env = _base_env() | {"DJANGO_DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "x.test"}
    result = _manage(["seed_demo"], env)
    assert result.returncode != 0
    assert "Refusing to create demo logins" in result.stderr


def test_embedded_default_needs_no_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in _base_env().items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env["SOURCEWISE_VAR_DIR"] = str(tmp_path)
    migrate = _manage(["migrate", "--noinput", "-v", "0"], env)
    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "sourcewise.sqlite3").exists()
    seeded = _manage(["seed_demo"], env)
    assert seeded.returncode == 0, seeded.stderr
    assert "admin@acme.test" in seeded.stdout
    again = _manage(["seed_demo"], env)
    assert again.returncode == 0, again.stderr
    key = _manage(["create_api_key", "--org", "acme", "--name", "erp", "--scopes", "read,write"], env)
    assert key.returncode == 0, key.stderr
    assert key.stdout.strip().splitlines()[-1].startswith("sw_")
    missing = _manage(["create_api_key", "--org", "nope", "--name", "erp"], env)
    assert missing.returncode != 0
    assert "No tenant with slug 'nope'" in missing.stderr


def test_client_errors_are_logged_without_a_traceback_server_errors_with_one() -> None:
    import logging
    import sys

    from sourcing.logfilters import NoTracebackForClientErrors

    try:
        raise PermissionError("denied")
    except PermissionError:
        exc_info = sys.exc_info()
    records = {
        status: logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", None, exc_info)
        for status in (403, 500)
    }
    for status, record in records.items():
        record.status_code = status
        assert NoTracebackForClientErrors().filter(record) is True
    assert records[403].exc_info is None
    assert records[500].exc_info == exc_info
