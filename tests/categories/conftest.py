"""Fixtures for the category tests: uploaded files go to a temporary media root, and categories are made
through the service, as people make them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sourcing.categories.models import Category
from sourcing.categories.services.categories import category_create
from sourcing.models import Tenant
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM

# The smallest files whose bytes say what they are.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_category(db: Any) -> Callable[..., Category]:
    """``make_category(tenant, "110", parent=cookware, profit_impact=4)``; the name defaults to the code."""

    def make(tenant: Tenant, code: str, parent: Category | None = None, **fields: Any) -> Category:
        fields.setdefault("name", f"Category {code}")
        with tenant_scope(tenant):
            return category_create(
                tenant=tenant, by=SYSTEM, code=code, parent_id=parent.pk if parent else None, **fields
            )

    return make
