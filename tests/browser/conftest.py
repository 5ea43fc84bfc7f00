"""The demo as people see it: a server on the embedded default with the demo data, and one headless Chromium.

The server is a separate process (`manage.py runserver` on SQLite in a temporary folder, seeded with
`seed_demo`), so these tests use no test database. Chromium is Debian's package, driven by Playwright.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from sourcing.management.commands.seed_demo import AGENTS, INTERNAL_USERS

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

UUID_RE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)

# Who signs in: every internal role of the first demo tenant, and both agents.
INTERNAL_EMAILS: dict[str, str] = {str(role): f"{local}@acme.test" for local, role, _name in INTERNAL_USERS}
AGENT_EMAILS = [email for email, _name, _tenants in AGENTS]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the demo server did not answer {url} within {seconds}s")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded default (what `make run` starts) with the demo data, on a free local port; or, when
    SOURCEWISE_DEMO_URL names one, a demo server that is already running."""
    if os.environ.get("SOURCEWISE_DEMO_URL"):
        yield os.environ["SOURCEWISE_DEMO_URL"].rstrip("/")
        return
    var_dir = tmp_path_factory.mktemp("demo-var")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SOURCEWISE_VAR_DIR=str(var_dir), SITE_URL=base_url, PYTHONUNBUFFERED="1")
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([*manage, *command], env=env, cwd=BASE_DIR, check=True, capture_output=True)
    log = (var_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{base_url}/healthz", server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


class Watched:
    """A page that remembers the console errors and uncaught exceptions it saw."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def take_errors(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


def sign_in(context: BrowserContext, base_url: str, email: str) -> Watched:
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form .btn-primary")
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"
    watched.take_errors()  # the pages under test start after signing in
    return watched


@pytest.fixture(scope="session")
def signed_in(browser: Browser, demo_server: str) -> Iterator[Callable[..., Watched]]:
    """One signed-in context per person, made on first use and kept for the session."""
    pages: dict[tuple[str, str], Watched] = {}
    contexts: list[BrowserContext] = []

    def get(email: str, language: str = "en") -> Watched:
        key = (email, language)
        if key not in pages:
            context = browser.new_context(viewport=DESKTOP, base_url=demo_server, locale=language)
            contexts.append(context)
            pages[key] = sign_in(context, demo_server, email)
        return pages[key]

    yield get
    for context in contexts:
        context.close()


def page_problems(page: Page, forbidden: re.Pattern[str]) -> list[str]:
    """What a person would see wrong on the page as it is now: sideways scrolling and raw codes."""
    found: dict[str, Any] = page.evaluate(
        """() => ({
            scroll: document.scrollingElement.scrollWidth,
            inner: window.innerWidth,
            text: document.body.innerText,
            // boxes that hide what does not fit: a figure wider than its stat card, a table cut by its card
            spilled: [...document.querySelectorAll(".stat, .card-flush")]
                .filter(box => box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1)
                .map(box => box.innerText.trim().split("\\n")[0].slice(0, 60)),
        })"""
    )
    problems = []
    if found["scroll"] > found["inner"]:
        problems.append(f"scrolls sideways: {found['scroll']}px wide in a {found['inner']}px window")
    for box in found["spilled"]:
        problems.append(f"does not fit its box: {box!r}")
    for pattern in (UUID_RE, forbidden):
        shown = sorted({m.group(0) for m in pattern.finditer(found["text"])})
        if shown:
            problems.append(f"shows raw codes: {', '.join(shown[:5])}")
    return problems
