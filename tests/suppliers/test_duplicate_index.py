"""The per-process index of name keys that the duplicate check searches is read again after every change a
supplier service makes to names or to which suppliers are live, even when the supplier count and the latest
``updated_at`` stay as they were (the stamp the index used to carry)."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.selectors.duplicates import Probe, duplicate_candidates, names_version
from suppliers.services.master import supplier_create, supplier_propose, supplier_update, supplier_upsert
from suppliers.services.merge import supplier_merge
from suppliers.services.supplier_fields import ProposalFields, SupplierFields
from tests.conftest import SYSTEM

OLD = "Ningbo Everbright Housewares Co., Ltd."
NEW = "Zhejiang Sunrise Cookware Co., Ltd."
# Alike enough to NEW's key by name only (the exact-key query finds nothing), so only the index can find it.
LIKE_NEW = "Zhejiang Sunrise Cookwares Co., Ltd."
LIKE_OLD = "Ningbo Everbright Houseware Co., Ltd."


def _similar(name: str) -> list[str]:
    """The suppliers the check finds by a similar name (not an identical key), by name."""
    return [
        c.supplier.legal_name
        for c in duplicate_candidates(Probe.of(legal_name=name))
        if any("similar name" in str(r) for r in c.reasons)
    ]


def _freeze(supplier: Supplier, updated_at: Any) -> None:
    """Undo what the old stamp relied on: the row keeps its former ``updated_at``."""
    Supplier.objects.filter(pk=supplier.pk).update(updated_at=updated_at)


def _create(tenant: Tenant, name: str, **data: Any) -> Supplier:
    return supplier_create(
        tenant=tenant, by=SYSTEM, fields=SupplierFields.of({"legal_name": name, **data}), allow_duplicates=True
    )


@pytest.fixture
def warm(tenant: Tenant) -> Any:
    """acme with two suppliers, the later one holding the latest ``updated_at``, and the index read."""
    with tenant_scope(tenant):
        first = _create(tenant, OLD)
        _create(tenant, "Xiamen Peakline Outdoor Products Co., Ltd.")
        assert _similar(LIKE_NEW) == []
        yield first


def test_an_update_is_seen_though_count_and_latest_change_stay(tenant: Tenant, warm: Supplier) -> None:
    with tenant_scope(tenant):
        before = names_version()
        assert _similar(LIKE_OLD) == [OLD]
        supplier_update(tenant=tenant, by=SYSTEM, supplier_id=warm.pk, fields=SupplierFields(legal_name=NEW))
        _freeze(warm, warm.updated_at)
        assert names_version() != before  # a new version (random, so never one seen before)
        assert _similar(LIKE_NEW) == [NEW]
        assert _similar(LIKE_OLD) == []  # the old name is gone from the index


def test_an_upsert_by_erp_id_is_seen(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        _create(tenant, OLD, external_id="V-1")
        assert _similar(LIKE_NEW) == []
        supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields(external_id="V-1", legal_name=NEW))
        assert _similar(LIKE_NEW) == [NEW]


def test_a_new_supplier_and_a_proposal_are_seen(tenant: Tenant, warm: Supplier, make_member: Any) -> None:
    agent = Actor.for_membership(make_member(tenant, Role.AGENT))
    with tenant_scope(tenant):
        _create(tenant, NEW)
        assert _similar(LIKE_NEW) == [NEW]
        supplier_propose(
            tenant=tenant, by=agent, fields=ProposalFields(legal_name="Foshan Brightway Ceramics Co., Ltd.")
        )
        assert _similar("Foshan Brightway Ceramic Co., Ltd.") == ["Foshan Brightway Ceramics Co., Ltd."]


def test_a_merge_and_a_new_supplier_together_are_seen(tenant: Tenant, warm: Supplier) -> None:
    """One record leaves the live set and one joins it: the count stays, and with their ``updated_at`` kept
    below the latest seen, so does the old stamp."""
    with tenant_scope(tenant):
        kept = _create(tenant, "Guangzhou Kept Trading Co., Ltd.")
        assert _similar(LIKE_OLD) == [OLD]  # the index is read, with the kept record's updated_at the latest
        latest = kept.updated_at
        count = Supplier.objects.filter(merged_into__isnull=True).count()
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=warm.pk, target_id=kept.pk)
        added = _create(tenant, NEW)
        for row in (warm, kept, added):
            _freeze(row, latest)
        assert Supplier.objects.filter(merged_into__isnull=True).count() == count
        assert _similar(LIKE_OLD) == []  # merged away: no longer a candidate
        assert _similar(LIKE_NEW) == [NEW]


def test_another_tenants_changes_leave_this_index_alone(tenant: Tenant, other_tenant: Tenant, warm: Supplier) -> None:
    with tenant_scope(tenant):
        before = names_version()
    with tenant_scope(other_tenant):
        _create(other_tenant, NEW)
    with tenant_scope(tenant):
        assert names_version() == before
        assert _similar(LIKE_NEW) == []


def test_a_version_read_in_a_rolled_back_change_never_comes_back(tenant: Tenant, warm: Supplier) -> None:
    from django.db import transaction

    def rolled_back() -> None:
        with transaction.atomic():
            _create(tenant, "Guangzhou Phantom Lighting Co., Ltd.")
            assert _similar("Guangzhou Phantom Lightings Co., Ltd.") == ["Guangzhou Phantom Lighting Co., Ltd."]
            raise RuntimeError("rolled back")  # the index read above holds a name that never was

    with tenant_scope(tenant):
        with pytest.raises(RuntimeError, match="rolled back"):
            rolled_back()
        _create(tenant, NEW)
        assert _similar(LIKE_NEW) == [NEW]
        assert _similar("Guangzhou Phantom Lightings Co., Ltd.") == []


def test_a_change_that_leaves_the_names_alone_keeps_the_version(tenant: Tenant, warm: Supplier) -> None:
    with tenant_scope(tenant):
        before = names_version()
        supplier_update(tenant=tenant, by=SYSTEM, supplier_id=warm.pk, fields=SupplierFields(tier="strategic"))
        assert names_version() == before
