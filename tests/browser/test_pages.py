"""Every page shape of the demo, as each person who reaches it, at desktop and phone width.

The pages are found the way people find them: from the links on the pages each person can open, starting
where signing in lands them. A shape is a URL pattern of the resolver; one page of each shape is opened.
A page fails on sideways scrolling, a console error, a raw id or action code in its text, or an error status.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from sourcing.audit_text import ACTION_CODE_RE
from tests.browser.conftest import AGENT_EMAILS, DESKTOP, INTERNAL_EMAILS, PHONE, Watched, page_problems

PEOPLE = [*INTERNAL_EMAILS.values(), *AGENT_EMAILS]
# Not pages: signing out, the language switch, the APIs and their documents, files.
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/api/", "/static/", "/media/")
SKIP_SHAPE_WORDS = ("export", "download", "pdf", "logout")


def _shape(url: str, origin: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIP_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.url_name or match.route
    if any(word in name for word in SKIP_SHAPE_WORDS):
        return None
    # A list with a filter in its query is the same shape as the list; the portal and internal pages differ.
    return name, parts.path if parts.query == "" else f"{parts.path}?{parts.query}"


def crawl(watched: Watched, origin: str) -> tuple[set[str], dict[str, list[str]]]:
    page = watched.page
    start = _shape(page.url, origin)
    assert start is not None, page.url
    queue = deque([start])
    seen = {start[0]}
    problems: dict[str, list[str]] = {}
    while queue:
        name, path = queue.popleft()
        watched.take_errors()
        page.set_viewport_size(DESKTOP)
        try:
            response = page.goto(origin + path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue
            raise
        assert response is not None
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        found = []
        if response.status >= 400:
            found.append(f"answers {response.status}")
        found += [f"at {DESKTOP['width']}px: {p}" for p in page_problems(page, ACTION_CODE_RE)]
        page.set_viewport_size(PHONE)
        found += [f"at {PHONE['width']}px: {p}" for p in page_problems(page, ACTION_CODE_RE)]
        found += watched.take_errors()
        if found:
            problems[f"{name} {path}"] = found
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => new URL(a.getAttribute('href'), location.href).href)"
        )
        for link in links:
            shape = _shape(link, origin)
            if shape is not None and shape[0] not in seen:
                seen.add(shape[0])
                queue.append(shape)
    return seen, problems


@pytest.mark.parametrize("email", PEOPLE)
def test_every_page_reads_well_on_desktop_and_phone(
    email: str, signed_in: Callable[..., Watched], demo_server: str
) -> None:
    seen, problems = crawl(signed_in(email), demo_server)
    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in sorted(problems.items()))
    assert not problems, f"{email}, {len(problems)} of {len(seen)} page shapes:\n{report}"
    assert len(seen) >= 3, f"{email} reached only {sorted(seen)}"
