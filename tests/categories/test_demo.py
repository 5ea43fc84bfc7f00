"""The demo category tree: realistic, valid, three levels deep, and safe to seed twice."""

from __future__ import annotations

from typing import Any

from sourcing.categories.demo.categories import seed_categories
from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM


def test_seed_builds_a_three_level_tree_owned_by_the_category_manager(tenant: Tenant, make_member: Any) -> None:
    # given a tenant with a category manager
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    # when the demo categories are seeded
    seeded = seed_categories(tenant=tenant, by=SYSTEM)
    # then there are 20 to 30 of them, three levels deep, with the product categories owned and scored
    with tenant_scope(tenant):
        categories = {c.code: c for c in Category.objects.select_related("parent__parent")}
    assert 20 <= len(seeded) == len(categories) <= 32
    assert categories["111"].parent.code == "110"
    assert categories["111"].parent.parent.code == "100"
    assert categories["111"].name == "Stainless steel pots"
    assert categories["111"].owner_id == manager.pk
    assert categories["530"].owner_id is None
    assert not categories["510"].is_production_material
    assert categories["111"].is_production_material
    assert "fda" in categories["111"].compliance_requirements
    assert "cpsia" in categories["231"].compliance_requirements
    assert "forced_labour" in categories["211"].compliance_requirements
    positions = {c.kraljic_position for c in categories.values()}
    assert {"strategic", "leverage", "bottleneck", "non_critical"} <= positions


def test_seeding_again_changes_nothing(tenant: Tenant) -> None:
    first = seed_categories(tenant=tenant, by=SYSTEM)
    with tenant_scope(tenant):
        events = AuditEvent.objects.count()
        Category.objects.filter(code="111").update(name="Renamed by a person")
    second = seed_categories(tenant=tenant, by=SYSTEM)
    assert [c.pk for c in first] == [c.pk for c in second]
    with tenant_scope(tenant):
        assert AuditEvent.objects.count() == events
        assert Category.objects.get(code="111").name == "Renamed by a person"
