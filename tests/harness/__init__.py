"""Each app's part of the isolation harness (tests/test_isolation.py), one module per app.

The harness finds every module of this package by itself: a new app adds ``tests/harness/<app>.py`` and
nothing else. ``core`` is built first, the others in the order of their names. A module defines:

``POST_ONLY: set[str]``
    url names of the app's pages that are exercised with POST (every other page is asked with GET).
``BODY_ID_ROUTES: set[str]``
    url names of pages that take object ids in their form (alone, or beside the ids in their path): those ids
    must resolve through the scoped manager too, so another tenant's id is refused like a missing one.
``API_PK_OBJECT: dict[str, str]``
    ERP API basename -> the object key whose id a detail route of that basename is asked about (``pk``).
``post_data(name, objects) -> dict | None``
    the form the page ``name`` is sent (for POST-only and body-id routes), built from ``objects`` (the ids of
    the tenant being asked about; may be random ids); ``None`` when the page is not the app's.
``make_objects(tenant, supplier, members) -> dict[str, str]``
    builds objects of ``tenant`` and returns ``{object key: id}``. ``supplier`` is the tenant's harness
    supplier (for acme, the one the assigned agent holds); ``members`` are the tenant's memberships by role
    (acme: every internal role, ``"agent"`` being the assigned agent, plus ``"unassigned_agent"``; globex:
    admin, buyer and agent). Object keys are shared by all apps and must not collide; a URL parameter
    ``<name>`` is filled from the key of the same name. A part sees no other part's objects.

Optionally, ``OWN_ROUTES: dict[str, str]``: url name -> the acme role whose own record the page is about
(an export job, which only its requester reaches); every other member gets 404.

and, optionally, for the partner API (``/api/partner/v1/``):

``PARTNER_REQUESTS: dict[str, dict[str, Callable[[dict[str, str]], tuple[dict, str]]]]``
    url name -> HTTP method -> (body, format) it is sent, built from acme's objects. Every partner route must
    be described by some part, with exactly the methods it declares.
``PARTNER_BODY_ID_ROUTES: set[str]``
    partner routes whose POST body names an object an unassigned agent must find missing.

The world is built once per test module (and process) and every test is rolled back to it, so
``make_objects`` may write files (under the module's MEDIA_ROOT) and audit events, but must not rely on
anything outside the database and that directory.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def parts() -> list[ModuleType]:
    """The harness modules of every app: ``core`` first, then by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    names.sort(key=lambda name: name != "core")
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
