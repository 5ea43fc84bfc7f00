"""Supplier master services: create/update validation, the duplicate check, ERP upsert, agents' proposals,
sites and contacts, and the merge."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, Contact, RiskFlag, Site, Supplier, SupplierAgentGrant, SupplierStatus
from suppliers.selectors.duplicates import Probe, duplicate_candidates, supplier_clusters
from suppliers.services.master import (
    PossibleDuplicate,
    supplier_create,
    supplier_propose,
    supplier_update,
    supplier_upsert,
)
from suppliers.services.merge import supplier_merge
from suppliers.services.sites_contacts import contact_save, site_save
from suppliers.services.supplier_fields import ProposalFields, SupplierFields
from tests.conftest import SYSTEM


def _valid_uscc() -> str:
    from suppliers.identifiers import uscc_check_character

    body = "91330200MA2H4XKJ3"
    return body + uscc_check_character(body)


def _create(tenant: Tenant, **data: Any) -> Supplier:
    with tenant_scope(tenant):
        return supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields.of({"legal_name": "Ningbo Everbright Housewares Co., Ltd.", **data}),
        )


def _events(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.count()


def test_create_reports_every_bad_field_and_writes_nothing(tenant: Tenant) -> None:
    # given a supplier with five wrong fields
    data = {
        "legal_name": "",
        "credit_code": "91330200MA2H4XKJ30",
        "country": "China",
        "website": "nowhere",
        "year_founded": "1700",
        "tier": "gold",
    }
    # when it is created
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data))
    # then every one is named, and nothing is written
    assert set(caught.value.fields) == {"legal_name", "credit_code", "country", "website", "year_founded", "tier"}
    assert "check character" in caught.value.fields["credit_code"][0]
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 0
        assert AuditEvent.objects.count() == 0


def test_create_stores_normalised_keys_and_audits(tenant: Tenant) -> None:
    supplier = _create(
        tenant,
        local_name="宁波永辉家居用品有限公司",
        credit_code=_valid_uscc().lower(),
        website="https://www.nbeb.com.cn/en/",
        phone="+86 574-8765 4321",
        tier="core",
    )
    assert supplier.status == SupplierStatus.PROSPECT
    assert supplier.credit_code == _valid_uscc()
    assert (supplier.name_key, supplier.local_name_key) == ("ningbo everbright housewares", "宁波永辉家居用品")
    assert (supplier.website_key, supplier.phone_key) == ("nbeb.com.cn", "57487654321")
    with tenant_scope(tenant):
        event = AuditEvent.objects.get(action="supplier.create")
    assert event.after["tier"] == "core"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"legal_name": "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED"}, "same name"),
        ({"legal_name": "Everbright Ningbo", "local_name": "宁波永辉家居用品股份有限公司"}, "same name"),
        ({"legal_name": "Other Name Trading", "website": "nbeb.com.cn"}, "same website"),
        ({"legal_name": "Other Name Trading", "phone": "0574 8765 4321"}, "same phone"),
        ({"legal_name": "Ningbo Everbrite Housewares Co Ltd"}, "similar name"),
    ],
)
def test_a_new_supplier_like_an_existing_one_is_held_with_the_candidates(
    tenant: Tenant, data: dict[str, str], reason: str
) -> None:
    # given a supplier
    existing = _create(
        tenant, local_name="宁波永辉家居用品有限公司", website="www.nbeb.com.cn", phone="+86 574 87654321"
    )
    # when one like it is created
    with tenant_scope(tenant), pytest.raises(PossibleDuplicate) as caught:
        supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data))
    # then it is not saved, and the existing one is the candidate, with the reason
    assert [c.supplier.pk for c in caught.value.candidates] == [existing.pk]
    assert any(r.startswith(reason) for r in caught.value.candidates[0].reasons)
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 1
    # and confirmed, it is saved
    with tenant_scope(tenant):
        supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data), allow_duplicates=True)
        assert Supplier.objects.count() == 2


def test_same_credit_code_is_a_candidate(tenant: Tenant) -> None:
    existing = _create(tenant, credit_code=_valid_uscc())
    with tenant_scope(tenant):
        found = duplicate_candidates(Probe.of(legal_name="Completely Different", credit_code=_valid_uscc()))
    assert [(c.supplier.pk, c.reasons) for c in found] == [(existing.pk, ["same credit code"])]


def test_a_different_company_is_no_candidate(tenant: Tenant) -> None:
    _create(tenant)
    with tenant_scope(tenant):
        assert duplicate_candidates(Probe.of(legal_name="Xiamen Peakline Outdoor Co., Ltd.")) == []


def test_another_tenants_supplier_is_never_a_candidate(tenant: Tenant, other_tenant: Tenant) -> None:
    _create(other_tenant, credit_code=_valid_uscc())
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Ningbo Everbright Housewares", credit_code=_valid_uscc()),
        )
    assert supplier.pk


def test_update_audits_only_what_changed_and_reruns_the_check(tenant: Tenant) -> None:
    a = _create(tenant)
    b = _create(tenant, legal_name="Xiamen Peakline Outdoor Co., Ltd.")
    with tenant_scope(tenant):
        supplier_update(tenant=tenant, by=SYSTEM, supplier_id=b.pk, fields=SupplierFields(city="Xiamen"))
        event = AuditEvent.objects.filter(action="supplier.update").get()
        assert (event.before, event.after) == ({"city": ""}, {"city": "Xiamen"})
        # renaming it like the other one is held
        with pytest.raises(PossibleDuplicate):
            supplier_update(tenant=tenant, by=SYSTEM, supplier_id=b.pk, fields=SupplierFields(legal_name=a.legal_name))
        # the same values again: nothing saved, nothing audited
        supplier_update(tenant=tenant, by=SYSTEM, supplier_id=b.pk, fields=SupplierFields(city="Xiamen"))
        assert AuditEvent.objects.filter(action="supplier.update").count() == 1


def test_categories_are_set_and_unknown_ones_named(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant_scope(other_tenant):
        theirs = Category.objects.create(tenant=other_tenant, code="X", name="Theirs")
    with tenant_scope(tenant):
        ours = Category.objects.create(tenant=tenant, code="110", name="Cookware")
        supplier = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Acme Pots", category_ids=[str(ours.pk)])
        )
        assert list(supplier.categories.all()) == [ours]
        with pytest.raises(DomainError) as caught:
            supplier_update(
                tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, fields=SupplierFields(category_ids=[str(theirs.pk)])
            )
        assert str(theirs.pk) in caught.value.fields["category_ids"][0]
        assert list(supplier.categories.all()) == [ours]


def test_upsert_by_external_id_creates_then_updates_and_follows_a_merge(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        first, created = supplier_upsert(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(external_id="V-1", legal_name="Alpha Plastics")
        )
        assert created
        same, created = supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields(external_id="V-1", city="Yiwu"))
        assert (same.pk, created, same.city) == (first.pk, False, "Yiwu")
        kept = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Beta Moulding"))
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=first.pk, target_id=kept.pk)
        followed, created = supplier_upsert(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(external_id="V-1", legal_name="Alpha Plastics", city="Ningbo"),
        )
    # the ERP's record of the merged-away supplier finds the kept one, and does not overwrite it
    assert (followed.pk, created, followed.legal_name, followed.city) == (kept.pk, False, "Beta Moulding", "")


def test_writes_need_the_scope_and_refusals_write_nothing(tenant: Tenant) -> None:
    reader = Actor.system("reader", scopes=frozenset({"supplier:read"}))
    supplier = _create(tenant)
    before = _events(tenant)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            supplier_create(tenant=tenant, by=reader, fields=SupplierFields(legal_name="X"))
        with pytest.raises(ScopeError):
            supplier_update(tenant=tenant, by=reader, supplier_id=supplier.pk, fields=SupplierFields(city="X"))
        with pytest.raises(ScopeError):
            site_save(tenant=tenant, by=reader, supplier_id=supplier.pk, name="Plant 1")
        assert Supplier.objects.count() == 1 and Site.objects.count() == 0
    assert _events(tenant) == before


def test_another_tenants_supplier_is_a_missing_one(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = _create(other_tenant)
    with tenant_scope(tenant):
        for call in (
            lambda: supplier_update(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk, fields=SupplierFields(city="X")),
            lambda: site_save(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk, name="Plant"),
            lambda: contact_save(tenant=tenant, by=SYSTEM, supplier_id=theirs.pk, name="Li", email="li@x.cn"),
        ):
            with pytest.raises(NotFoundError):
                call()
    with tenant_scope(other_tenant):
        assert Supplier.objects.get().city == ""


def test_sites_and_contacts(tenant: Tenant) -> None:
    supplier = _create(tenant)
    with tenant_scope(tenant):
        site = site_save(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            name="Plant 2",
            province="Zhejiang",
            processes="injection moulding, assembly",
        )
        assert site.processes == ["injection moulding", "assembly"]
        with pytest.raises(DomainError) as caught:
            contact_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Li Wei")
        assert "email" in caught.value.fields
        first = contact_save(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            name="Li Wei",
            wechat="liwei88",
            is_primary=True,
        )
        second = contact_save(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            name="Amy Zhang",
            email="amy@nbeb.cn",
            is_primary=True,
            time_zone="Asia/Shanghai",
        )
        assert list(Contact.objects.filter(is_primary=True)) == [second]
        first.refresh_from_db()
        assert not first.is_primary
        with pytest.raises(DomainError) as caught:
            contact_save(
                tenant=tenant,
                by=SYSTEM,
                supplier_id=supplier.pk,
                name="X",
                email="bad",
                time_zone="Mars",
            )
        assert set(caught.value.fields) == {"email", "time_zone"}


def test_a_xinjiang_site_raises_the_region_flag(tenant: Tenant) -> None:
    supplier = _create(tenant)
    with tenant_scope(tenant):
        site = site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Cotton mill", province="新疆")
        assert RiskFlag.objects.filter(supplier=supplier, kind="region", is_open=True).count() == 1
        site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, site_id=site.pk, province="Jiangsu")
        assert RiskFlag.objects.filter(supplier=supplier, kind="region", is_open=True).count() == 0


def test_agent_proposes_a_prospect_assigned_to_them(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    actor = Actor.for_membership(agent)
    with tenant_scope(tenant):
        supplier = supplier_propose(
            tenant=tenant,
            by=actor,
            fields=ProposalFields(legal_name="Yiwu Sunrise Crafts Co., Ltd.", province="Zhejiang"),
        )
        assert (supplier.status, supplier.proposed_by_id) == (SupplierStatus.PROSPECT, agent.pk)
        assert SupplierAgentGrant.objects.filter(content_object=supplier, user=agent.user).exists()
        # internal fields are not theirs to give, even from a caller holding the whole set
        with pytest.raises(DomainError) as caught:
            supplier_propose(
                tenant=tenant, by=actor, fields=SupplierFields(legal_name="Z Co", internal_notes="x", tier="strategic")
            )
        assert set(caught.value.fields) == {"internal_notes", "tier"}


def test_an_internal_member_cannot_use_the_proposal(tenant: Tenant, make_member: Any) -> None:
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant), pytest.raises(ScopeError):
        supplier_propose(tenant=tenant, by=buyer, fields=ProposalFields(legal_name="Z Co"))


def test_merge_moves_every_related_record(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        keep = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright Housewares Co., Ltd.")
        )
        dup = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(
                legal_name="Everbright Housewares (Ningbo)", local_name="宁波永辉", credit_code=_valid_uscc()
            ),
            allow_duplicates=True,
        )
        site_save(tenant=tenant, by=SYSTEM, supplier_id=dup.pk, name="Plant 1")
        contact_save(tenant=tenant, by=SYSTEM, supplier_id=dup.pk, name="Li", email="li@x.cn")
        Certification.objects.create(tenant=tenant, supplier=dup, cert_type="iso_9001", valid_until="2030-01-01")
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=dup)
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=keep)  # already on both
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=dup.pk, target_id=keep.pk)
        keep.refresh_from_db()
        dup.refresh_from_db()
        assert dup.merged_into_id == keep.pk
        assert Site.objects.get().supplier_id == keep.pk
        assert Contact.objects.get().supplier_id == keep.pk
        assert Certification.objects.get().supplier_id == keep.pk
        assert SupplierAgentGrant.objects.filter(content_object=keep).count() == 1
        assert keep.credit_code == _valid_uscc()
        assert {"Everbright Housewares (Ningbo)", "宁波永辉"} <= set(keep.aliases)
        event = AuditEvent.objects.get(action="supplier.merge")
        assert event.after["moved"]["suppliers.site"] == 1
        # merged records leave the lists and the duplicate checks
        candidates = duplicate_candidates(Probe.of(legal_name="Everbright Housewares (Ningbo)"))
        assert dup.pk not in {c.supplier.pk for c in candidates}
        with pytest.raises(NotFoundError):
            supplier_merge(tenant=tenant, by=SYSTEM, source_id=dup.pk, target_id=keep.pk)


def test_clusters_join_alike_names_and_shared_identifiers(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        a = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright Housewares Co., Ltd.")
        )
        b = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED"),
            allow_duplicates=True,
        )
        c = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Xiamen Peakline", phone="0592 5551234")
        )
        d = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Peak Outdoor Trading", phone="+86 592 555 1234"),
            allow_duplicates=True,
        )
        supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Qingdao Harbour Textiles"))
        groups = {frozenset(s.pk for s in group): score for group, score in supplier_clusters()}
    assert groups == {frozenset({a.pk, b.pk}): 100, frozenset({c.pk, d.pk}): 100}


def test_merge_keeps_both_sites_when_their_erp_ids_clash(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        keep = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Alpha Plastics"))
        dup = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Alpha Plastic"), allow_duplicates=True
        )
        site_save(tenant=tenant, by=SYSTEM, supplier_id=keep.pk, name="Main", external_id="MAIN")
        site_save(tenant=tenant, by=SYSTEM, supplier_id=dup.pk, name="Main plant", external_id="MAIN")
        with pytest.raises(DomainError) as caught:
            site_save(tenant=tenant, by=SYSTEM, supplier_id=keep.pk, name="Other", external_id="MAIN")
        assert "external_id" in caught.value.fields
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=dup.pk, target_id=keep.pk)
        sites = sorted(Site.objects.filter(supplier=keep).values_list("name", "external_id"))
    assert sites == [("Main", "MAIN"), ("Main plant", "")]


def test_a_merged_away_record_takes_no_more_writes(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        keep = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Alpha Plastics"))
        dup = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Alpha Plastic"), allow_duplicates=True
        )
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=dup.pk, target_id=keep.pk)
        with pytest.raises(NotFoundError):
            site_save(tenant=tenant, by=SYSTEM, supplier_id=dup.pk, name="Late plant")
        assert not Site.objects.exists()


def test_merge_keeps_one_primary_contact_and_the_settled_onboarding_step(tenant: Tenant) -> None:
    from suppliers.models import OnboardingTask
    from suppliers.services.onboarding import onboarding_start, onboarding_task_complete

    with tenant_scope(tenant):
        keep = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Alpha Plastics", tier="core")
        )
        dup = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Alpha Plastic", tier="core"),
            allow_duplicates=True,
        )
        for s in (keep, dup):
            contact_save(
                tenant=tenant,
                by=SYSTEM,
                supplier_id=s.pk,
                name=f"Li {s.pk}",
                email="li@x.cn",
                is_primary=True,
            )
            onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=s.pk)
        nda = OnboardingTask.objects.get(supplier=dup, code="nda_signed")
        onboarding_task_complete(tenant=tenant, by=SYSTEM, task_id=nda.pk)
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=dup.pk, target_id=keep.pk)
        assert Contact.objects.filter(supplier=keep, is_primary=True).count() == 1
        assert OnboardingTask.objects.get(supplier=keep, code="nda_signed").status == "done"
