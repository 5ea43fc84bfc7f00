"""Imports run one way, between apps and inside each app; a conventions test, so a back edge fails here.

Between apps: core → webhooks → categories → suppliers → spend → rfq → contracts → quality → kpis. A module may import
its own app and the apps before it, never one after it. Above them all sit the project's URLs, settings,
Celery app and seed command, and ``sourcing.workspace`` (pages that gather from every app); they may import
anything, and nothing below imports them.

Inside an app: pages and API (views, portal pages, api, urls) and Celery entry points (tasks) → forms →
services → selectors → models → pure modules. A module imports its own layer and the layers below it.
Pure domain modules (at an app's top level, no layer name) import no ORM. Tasks are entry points like
pages: a service never imports a task; it schedules one by name on commit (``sourcing.background.enqueue_on_commit``).

Every import counts: top-level, inside functions and under TYPE_CHECKING. The allow-lists name today's
exceptions and may only shrink: an entry that no longer happens fails the test too, so it gets removed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["sourcing", "suppliers", "rfq", "contracts", "quality", "kpis"]
APP_ORDER = ["core", "webhooks", "categories", "suppliers", "spend", "rfq", "contracts", "quality", "kpis", "top"]
TOP = (
    "sourcing.urls",
    "sourcing.settings",
    "sourcing.celery",
    "sourcing.wsgi",
    "sourcing.asgi",
    "sourcing.workspace",
    "sourcing.management.commands.seed_demo",
)
SUB_APPS = {"sourcing.webhooks": "webhooks", "sourcing.categories": "categories", "sourcing.spend": "spend"}

# Layers by the first name under an app's package (``services``, ``services_x``, ``x_services`` alike).
PURE, MODELS, SELECTORS, SERVICES, FORMS, ENTRY, OUTER = range(7)
LAYER_NAMES = {
    "models": MODELS,
    "selectors": SELECTORS,
    "services": SERVICES,
    "forms": FORMS,
    "views": ENTRY,
    "portal": ENTRY,
    "api": ENTRY,
    "urls": ENTRY,
    "tasks": ENTRY,
    "pdf": ENTRY,
    "templatetags": ENTRY,
    "demo": OUTER,
    "management": OUTER,
    "apps": OUTER,
}
# The core's plumbing, which has no layer name: where each module stands.
CORE_LAYERS = {
    "sourcing.tenancy": MODELS,  # the tenant-scoped base model and manager, beside the models
    "sourcing.rls": MODELS,  # row-level security steps for migrations
    "sourcing.permissions": MODELS,  # the agents' object grants (django-guardian), beside the models
    "sourcing.actors": SELECTORS,  # who is acting and their scopes, read from memberships
    "sourcing.audit": SELECTORS,  # the audit event writer every service calls
    "sourcing.access": SERVICES,  # access_<entity>() of the core's records, as suppliers/services/access.py
    "sourcing.partner_tokens": SERVICES,
    "sourcing.uploads": SERVICES,  # file checks and storage for the services that take uploads
    "sourcing.background": SERVICES,  # tasks sent on commit: to the broker, or to the in-process pool
    "sourcing.exports": ENTRY,  # CSV and XLSX answers
    "sourcing.audit_text": ENTRY,  # audit events read as sentences, for the pages
    "sourcing.web": ENTRY,  # the page wrapper
    "sourcing.middleware": ENTRY,
    "sourcing.context_processors": ENTRY,
    "sourcing.errorpages": ENTRY,
    "sourcing.accounts": ENTRY,  # sign-in pages
    "sourcing.partner_token_views": ENTRY,
    "sourcing.celery": OUTER,
}

# (importer, imported) pairs that break the rules today. Only ever remove entries.
ALLOWED_APP_EDGES: set[tuple[str, str]] = set()
ALLOWED_LAYER_EDGES: set[tuple[str, str]] = set()
ALLOWED_ORM_IN_PURE: set[str] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    }


def _imported_names(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from pkg import module`` names the module; ``from module import name`` resolves to the module.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name if name in modules else None


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module → the project modules it imports (third-party and standard library left out)."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        targets = {_resolve(n, modules) for n in _imported_names(name, path)}
        graph[name] = frozenset(t for t in targets if t and t != name and not name.startswith(t + "."))
    return graph


def app_of(module: str) -> str:
    if module == "sourcing":
        return "top"  # the project package's __init__, which loads the Celery app
    if any(module == top or module.startswith(top + ".") for top in TOP):
        return "top"
    for prefix, app in SUB_APPS.items():
        if module == prefix or module.startswith(prefix + "."):
            return app
    package = module.split(".")[0]
    return "core" if package == "sourcing" else package


def layer_of(module: str) -> int:
    app = app_of(module)
    if module in CORE_LAYERS:
        return CORE_LAYERS[module]
    prefix = next((p for p, a in SUB_APPS.items() if a == app), "sourcing" if app == "core" else app)
    rest = module.removeprefix(prefix).lstrip(".")
    head = rest.split(".")[0]
    if not head:
        return OUTER  # the package's own __init__
    for word, layer in LAYER_NAMES.items():
        if head == word or head.startswith(word + "_") or head.endswith("_" + word):
            return layer
    return PURE


def app_back_edges(graph: dict[str, Iterable[str]]) -> set[tuple[str, str]]:
    order = {app: i for i, app in enumerate(APP_ORDER)}
    return {
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if order[app_of(target)] > order[app_of(source)]
    }


def layer_back_edges(graph: dict[str, Iterable[str]]) -> set[tuple[str, str]]:
    return {
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if app_of(source) == app_of(target) != "top" and layer_of(target) > layer_of(source)
    }


CHOICES = {"TextChoices", "IntegerChoices", "Choices"}


def orm_in_pure_modules() -> set[str]:
    """Pure modules that use the database layer. Enumerations (``models.TextChoices``) are plain Python."""
    found = set()
    for name, path in _modules().items():
        if app_of(name) == "top" or layer_of(name) != PURE:
            continue
        source = path.read_text()
        imported = {n for n in _imported_names(name, path) if n.startswith("django.db")}
        used = set(re.findall(r"\bmodels\.(\w+)", source)) if "django.db.models" in imported else set()
        if imported - {"django.db.models"} or used - CHOICES:
            found.add(name)
    return found


def test_apps_import_only_the_apps_before_them() -> None:
    assert app_back_edges(import_graph()) == ALLOWED_APP_EDGES


def test_layers_import_only_the_layers_below_them() -> None:
    assert layer_back_edges(import_graph()) == ALLOWED_LAYER_EDGES


def test_pure_modules_use_no_orm() -> None:
    """A pure domain module (landed cost, AQL, scoring, names) is plain Python: no database, no models."""
    assert orm_in_pure_modules() == ALLOWED_ORM_IN_PURE


def test_every_module_is_in_an_app() -> None:
    assert {app_of(m) for m in import_graph()} <= set(APP_ORDER)


def test_the_checks_catch_a_back_edge() -> None:
    """The rules above, on a small made-up graph: each kind of back edge is found, and a forward one is not."""
    graph = {
        "suppliers.services.master": ["sourcing.spend.selectors.analysis", "sourcing.models"],
        "sourcing.models": ["sourcing.workspace.views"],
        "suppliers.selectors.master": ["suppliers.services.master", "suppliers.models", "suppliers.names"],
        "suppliers.names": ["suppliers.models"],
        "sourcing.urls": ["kpis.api"],
    }
    assert app_back_edges(graph) == {
        ("suppliers.services.master", "sourcing.spend.selectors.analysis"),
        ("sourcing.models", "sourcing.workspace.views"),
    }
    assert layer_back_edges(graph) == {
        ("suppliers.selectors.master", "suppliers.services.master"),
        ("suppliers.names", "suppliers.models"),
    }


def test_tasks_are_registered_under_their_module_path() -> None:
    """Services send tasks by name (``enqueue_on_commit``), which loads the module the name starts with."""
    from celery import current_app

    from sourcing.celery import app

    app.loader.import_default_modules()  # what a worker does at start: every app's task modules
    ours = {name: task for name, task in current_app.tasks.items() if name.split(".")[0] in PACKAGES}
    assert len(ours) >= 8
    for name, task in ours.items():
        assert name == f"{task.run.__module__}.{task.run.__name__}", name
