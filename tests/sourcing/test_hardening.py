"""Sign-in ignores the e-mail's case; security headers and cookies; the favicon; the product's 404 page on every
runtime; plain-text e-mail subjects; malformed page input answers with a message, not an error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from sourcing.mail import render_subject
from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": email, "password": password})


@pytest.mark.parametrize("typed", ["BUYER@acme.test", "Buyer@Acme.Test", " buyer@acme.test "])
def test_sign_in_ignores_the_case_of_the_e_mail(tenant: Tenant, make_member: Any, typed: str) -> None:
    make_member(tenant, Role.BUYER)
    client = Client()
    response = _login(client, typed)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_lock_out_counts_failures_whatever_the_case(tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)
    client = Client()
    for typed in ["buyer@acme.test", "BUYER@acme.test", "Buyer@acme.test", "buyer@ACME.test"]:
        assert _login(client, typed, "wrong").status_code == 200
    assert _login(client, "BUYER@ACME.TEST", "wrong").status_code == 429
    assert _login(client, "buyer@acme.test").status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_send_a_content_security_policy(tenant: Tenant, make_member: Any) -> None:
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    for url in [reverse("login"), reverse("dashboard", kwargs={"tenant_slug": "acme"}), "/api/v1/docs/"]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def _templates() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*.html") if "/pdf/" not in str(p))


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    for path in _templates():
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path


@pytest.mark.parametrize("docs", ["/api/v1/docs/", "/api/partner/v1/docs/"])
def test_the_api_docs_load_their_start_up_script_from_the_site(docs: str) -> None:
    client = Client()
    page = client.get(docs)
    assert page.status_code == 200
    text = page.content.decode()
    assert not re.search(r"<script>", text)
    scripts = re.findall(r'<script src="([^"]+)"', text)
    assert scripts and all(s.startswith("/") for s in scripts)
    start = next(s for s in scripts if "script=" in s).replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_language_cookie_has_the_session_cookie_attributes(client: Client, settings: Any) -> None:
    settings.LANGUAGE_COOKIE_SECURE = True
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_settings_make_the_language_cookie_secure() -> None:
    import subprocess
    import sys

    from tests.sourcing.test_settings import _base_env

    env = _base_env() | {"DJANGO_DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "sourcing.example.com"}
    code = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1].split() == ["True", "True"], result.stderr


def test_the_favicon_is_shipped_and_linked(tenant: Tenant, make_member: Any) -> None:
    assert finders.find("sourcing/favicon.svg") and finders.find("sourcing/favicon.ico")
    signed_in = Client()
    signed_in.force_login(make_member(tenant, Role.ADMIN).user)
    dashboard = reverse("dashboard", kwargs={"tenant_slug": "acme"})
    for client, url in [(Client(), reverse("login")), (signed_in, dashboard)]:
        text = client.get(url).content.decode()
        assert '<link rel="icon" href="/static/sourcing/favicon.svg"' in text


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_page_shows_the_products_404_page(
    tenant: Tenant, make_member: Any, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    missing_url = client.get("/no/such/page/")
    missing_object = client.get(reverse("supplier_detail", kwargs={"tenant_slug": "acme", "supplier_id": tenant.pk}))
    for response in [missing_url, missing_object]:
        assert response.status_code == 404
        text = response.content.decode()
        assert "Page not found" in text and "Go to the home page" in text
        assert "URLconf" not in text and "t/&lt;slug:tenant_slug&gt;" not in text


def test_an_api_path_still_answers_json_404_in_debug(settings: Any) -> None:
    settings.DEBUG = True
    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        (
            "suppliers/bank/change_requested_subject.txt",
            {"supplier": "Smith & O'Brien <Co>"},
            "Bank details change for Smith & O'Brien <Co> waits for your approval",
        ),
        (
            "registration/added_subject.txt",
            {"tenant_name": "Smith & Sons"},
            "You now have access to Smith & Sons on Sourcewise",
        ),
    ],
)
def test_subjects_are_plain_text_on_one_line(template: str, context: dict[str, Any], expected: str) -> None:
    assert render_subject(template, context) == expected


def test_a_nul_in_an_audit_log_filter_is_ignored_with_a_message(tenant: Tenant, make_member: Any) -> None:
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    response = client.get(reverse("audit_list", kwargs={"tenant_slug": "acme"}), {"action": "member\x00"})
    assert response.status_code == 200
    assert "The filter “action” contains characters that are not allowed; it was ignored." in response.content.decode()


def test_bad_audit_log_dates_are_said_to_be_ignored(tenant: Tenant, make_member: Any) -> None:
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    url = reverse("audit_list", kwargs={"tenant_slug": "acme"})
    text = client.get(url, {"since": "2026-02-30"}).content.decode()
    assert "“2026-02-30” is not a date (YYYY-MM-DD); the date filter was ignored." in text
    text = client.get(url, {"since": "2026-03-01", "until": "2026-02-01"}).content.decode()
    assert "The start date is after the end date; the date filter was ignored." in text


@pytest.mark.parametrize("name", ["Ningbo\x0bPots", "Bell\x07", "Del\x7f", "Tab\tName", "Two\nLines", "Nul\x00"])
def test_a_form_refuses_control_characters_in_a_single_line_field(name: str) -> None:
    from sourcing.forms import AgencyForm

    form = AgencyForm(data={"name": name, "country": "CN"})
    assert not form.is_valid()
    assert list(form.errors) == ["name"]


def test_a_textarea_takes_line_breaks_but_no_other_control_character() -> None:
    from django import forms

    from sourcing.forms import Form

    class NoteForm(Form):
        note = forms.CharField(widget=forms.Textarea)

    assert NoteForm(data={"note": "two\r\nlines\tand a tab"}).is_valid()
    refused = NoteForm(data={"note": "bell\x07"})
    assert not refused.is_valid()
    assert refused.errors["note"] == ["Contains a control character, which is not allowed."]


def test_a_supplier_name_with_a_control_character_cannot_be_saved_from_the_page(
    tenant: Tenant, make_member: Any
) -> None:
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    url = reverse("supplier_create", kwargs={"tenant_slug": "acme"})
    response = client.post(url, {"legal_name": "Ningbo\x0bPots", "supplier_type": "manufacturer", "country": "CN"})
    assert response.status_code == 200
    assert "Contains a control character, which is not allowed." in response.content.decode()
    with tenant_scope(tenant):
        assert not Supplier.objects.exists()


def test_the_new_messages_read_in_chinese() -> None:
    from django.utils import translation

    messages = [
        "Contains a control character, which is not allowed.",
        "Contains a line break or tab, which is not allowed here.",
        "The JSON is nested too deeply.",
        "Nested more than %(n)s levels deep.",
        "The request body is too large: at most %(size)s of JSON (send files as multipart uploads).",
        "Bad request.",
        "The filter “%(name)s” contains characters that are not allowed; it was ignored.",
        "“%(value)s” is not a date (YYYY-MM-DD); the date filter was ignored.",
        "The start date is after the end date; the date filter was ignored.",
    ]
    with translation.override("zh-hans"):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []
