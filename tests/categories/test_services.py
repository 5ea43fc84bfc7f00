"""Category services: validation (codes, parents and loops, owners, vocabularies), deletion rules,
specification versions, the all-or-nothing CSV import, scope checks and the audit trail."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from sourcing.actors import Actor
from sourcing.categories.models import Category, CategorySpec
from sourcing.categories.services import categories as services
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import member_set_active
from sourcing.spend.models import CategoryRule
from sourcing.tenancy import tenant_scope
from suppliers.models import SupplierCategory
from tests.categories.conftest import PDF_BYTES, PNG_BYTES
from tests.categories.spend import book_spend
from tests.conftest import SYSTEM
from tests.suppliers.builders import make_supplier

MakeCategory = Callable[..., Category]


def _events(tenant: Tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def _before(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


def _create(tenant: Tenant, by: Actor = SYSTEM, **fields: Any) -> Category:
    fields.setdefault("name", "Cookware")
    with tenant_scope(tenant):
        return services.category_create(tenant=tenant, by=by, **fields)


def _update(tenant: Tenant, category: Category, by: Actor = SYSTEM, **changes: Any) -> Category:
    with tenant_scope(tenant):
        return services.category_update(tenant=tenant, by=by, category_id=category.pk, **changes)


def _reload(tenant: Tenant, category: Category) -> Category:
    with tenant_scope(tenant):
        return Category.objects.get(pk=category.pk)


def _refused(call: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# Create


def test_create_stores_every_field_and_records_it(
    tenant: Tenant, make_member: Any, make_category: MakeCategory
) -> None:
    # given a parent and a category manager
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    kitchen = make_category(tenant, "100")
    # when a category is created with every field
    category = _create(
        tenant,
        code=" 110 ",
        name=" Cookware ",
        parent_id=kitchen.pk,
        owner_id=manager.pk,
        description="Pots and pans",
        segment="strategic",
        profit_impact=4,
        supply_risk=3,
        is_production_material=True,
        expected_lead_time_days=60,
        compliance_requirements=["prop65", "fda", "fda"],
        required_certifications=["iso_9001"],
        required_audits=["social", "quality_system"],
        service_levels="OTD ≥ 95 %",
    )
    # then it is stored, trimmed, with requirements in the vocabulary's order and without repeats
    category = _reload(tenant, category)
    assert (category.code, category.name, category.parent_id, category.owner_id) == (
        "110",
        "Cookware",
        kitchen.pk,
        manager.pk,
    )
    assert category.compliance_requirements == ["fda", "prop65"]
    assert category.required_audits == ["quality_system", "social"]
    assert category.kraljic_position == "strategic"
    # and the event records what was created
    [event] = _events(tenant, "category.create")[-1:]
    assert event.object_id == str(category.pk)
    assert event.before is None
    assert _after(event)["code"] == "110"
    assert _after(event)["parent"] == str(kitchen.pk)
    assert _after(event)["owner"] == str(manager.pk)
    assert _after(event)["compliance_requirements"] == ["fda", "prop65"]


def test_create_needs_the_write_scope_and_writes_nothing_without_it(tenant: Tenant, make_member: Any) -> None:
    # given a buyer, who may read categories but not change them
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    # when they try to create one
    with pytest.raises(ScopeError):
        _create(tenant, by=buyer, code="110")
    # then nothing is written
    with tenant_scope(tenant):
        assert not Category.objects.exists()
    assert _events(tenant, "category.create") == []


def test_codes_are_unique_per_tenant(tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory) -> None:
    # given 110 in acme
    make_category(tenant, "110")
    # when acme adds another 110
    error = _refused(lambda: _create(tenant, code="110"))
    # then the code field says why
    assert error.fields == {"code": ["Another category already has the code 110."]}
    assert error.message == "Another category already has the code 110."
    # and globex may use the same code
    assert _create(other_tenant, code="110").code == "110"


def test_every_bad_field_is_reported_at_once(tenant: Tenant) -> None:
    # given / when a category is sent with many bad fields
    error = _refused(
        lambda: _create(
            tenant,
            code="",
            name="  ",
            segment="vital",
            profit_impact=0,
            supply_risk=6,
            expected_lead_time_days=-1,
            compliance_requirements=["fda", "ce_mark"],
            required_certifications="iso_9001",
            required_audits=["nonsense"],
        )
    )
    # then each field names its problem
    assert error.message == "Some fields are not valid."
    assert error.fields == {
        "code": ["A code is required."],
        "name": ["A name is required."],
        "segment": ["Use one of: strategic, operational, transactional."],
        "profit_impact": ["Scores run from 1 to 5."],
        "supply_risk": ["Scores run from 1 to 5."],
        "expected_lead_time_days": ["Enter a number of days from 0 to 3650."],
        "compliance_requirements": [
            "Unknown value: ce_mark. Use: fda, cpsia, prop65, forced_labour, reach, rohs, fcc, ul."
        ],
        "required_certifications": ["Send a list of values."],
        "required_audits": ["Unknown value: nonsense. Use: quality_system, social, environmental, security."],
    }
    with tenant_scope(tenant):
        assert not Category.objects.exists()


@pytest.mark.parametrize("value", ["110", True, 2.5, "x"])
def test_scores_must_be_whole_numbers(tenant: Tenant, value: Any) -> None:
    error = _refused(lambda: _create(tenant, code="1", supply_risk=value))
    assert list(error.fields) == ["supply_risk"]


def test_a_parent_of_another_tenant_is_a_missing_parent(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    # given a globex category
    theirs = make_category(other_tenant, "100")
    # when acme names it, a random id, or no id at all as the parent
    answers = [
        _refused(lambda value=value: _create(tenant, code="110", parent_id=value)).fields  # type: ignore[misc]
        for value in (theirs.pk, uuid.uuid4(), "not-an-id")
    ]
    # then all three get the same answer
    assert answers == [{"parent": ["Choose one of this organisation's categories."]}] * 3


@pytest.mark.parametrize(("role", "accepted"), [(Role.CATEGORY_MANAGER, True), (Role.ADMIN, True), (Role.BUYER, False)])
def test_owner_must_be_a_category_manager_or_admin(tenant: Tenant, make_member: Any, role: str, accepted: bool) -> None:
    member = make_member(tenant, role)
    if accepted:
        assert _create(tenant, code="110", owner_id=member.pk).owner_id == member.pk
    else:
        error = _refused(lambda: _create(tenant, code="110", owner_id=member.pk))
        assert error.fields == {"owner": ["Choose an active category manager or administrator of this organisation."]}


def test_owner_must_be_active_and_of_this_tenant(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    # given an inactive acme manager and an active globex one
    gone = make_member(tenant, Role.CATEGORY_MANAGER)
    with tenant_scope(tenant):
        member_set_active(tenant=tenant, by=SYSTEM, membership_id=gone.pk, active=False)
    theirs = make_member(other_tenant, Role.CATEGORY_MANAGER)
    # then neither may own an acme category, and both get the answer a random id gets
    answers = [
        _refused(lambda value=value: _create(tenant, code="110", owner_id=value)).fields  # type: ignore[misc]
        for value in (gone.pk, theirs.pk, uuid.uuid4())
    ]
    assert answers[0] == answers[1] == answers[2]


# Update


def test_update_records_before_and_after(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a category
    category = make_category(tenant, "110", name="Cookware", supply_risk=2)
    # when its risk and name change
    _update(tenant, category, name="Cookware & bakeware", supply_risk=4)
    # then the change is stored and recorded with both states
    category = _reload(tenant, category)
    assert (category.name, category.supply_risk) == ("Cookware & bakeware", 4)
    [event] = _events(tenant, "category.update")
    assert (_before(event)["name"], _before(event)["supply_risk"]) == ("Cookware", 2)
    assert (_after(event)["name"], _after(event)["supply_risk"]) == ("Cookware & bakeware", 4)


def test_an_update_that_changes_nothing_records_nothing(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a category with requirements
    category = make_category(tenant, "110", compliance_requirements=["fda", "prop65"], profit_impact=3)
    stamp = category.updated_at
    # when the same values are sent again (requirements in another order, the code with spaces)
    _update(tenant, category, code=" 110 ", compliance_requirements=["prop65", "fda"], profit_impact=3)
    # then nothing is saved or recorded
    category = _reload(tenant, category)
    assert category.updated_at == stamp
    assert _events(tenant, "category.update") == []


def test_a_category_cannot_be_its_own_parent(tenant: Tenant, make_category: MakeCategory) -> None:
    category = make_category(tenant, "110")
    error = _refused(lambda: _update(tenant, category, parent_id=category.pk))
    assert error.fields == {"parent": ["A category cannot be its own parent."]}


@pytest.mark.parametrize("target", ["child", "grandchild"])
def test_a_category_cannot_move_under_its_own_subtree(tenant: Tenant, make_category: MakeCategory, target: str) -> None:
    # given 100 > 110 > 111
    root = make_category(tenant, "100")
    child = make_category(tenant, "110", parent=root)
    grandchild = make_category(tenant, "111", parent=child)
    # when 100 is moved under its child or grandchild
    error = _refused(lambda: _update(tenant, root, parent_id={"child": child, "grandchild": grandchild}[target].pk))
    # then it is refused and the tree is as it was
    assert error.fields == {"parent": ["A category cannot be placed under one of its own subcategories."]}
    root = _reload(tenant, root)
    assert root.parent_id is None
    assert _events(tenant, "category.update") == []


def test_a_category_moves_under_a_sibling_and_back_to_the_top(tenant: Tenant, make_category: MakeCategory) -> None:
    root = make_category(tenant, "100")
    a = make_category(tenant, "110", parent=root)
    b = make_category(tenant, "120", parent=root)
    assert _update(tenant, b, parent_id=a.pk).parent_id == a.pk
    assert _update(tenant, b, parent_id=None).parent_id is None


def test_changing_the_code_to_a_taken_one_is_refused(tenant: Tenant, make_category: MakeCategory) -> None:
    make_category(tenant, "110")
    other = make_category(tenant, "120")
    error = _refused(lambda: _update(tenant, other, code="110"))
    assert error.fields == {"code": ["Another category already has the code 110."]}


def test_unknown_fields_are_refused(tenant: Tenant, make_category: MakeCategory) -> None:
    category = make_category(tenant, "110")
    error = _refused(lambda: _update(tenant, category, tenant_id=uuid.uuid4(), colour="red"))
    assert error.fields == {"colour": ["Unknown field."], "tenant_id": ["Unknown field."]}


def test_an_owner_who_left_stays_until_someone_changes_it(
    tenant: Tenant, make_member: Any, make_category: MakeCategory
) -> None:
    # given a category owned by a manager who was then deactivated
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    category = make_category(tenant, "110", owner_id=manager.pk)
    with tenant_scope(tenant):
        member_set_active(tenant=tenant, by=SYSTEM, membership_id=manager.pk, active=False)
    # when the category is saved with the same owner and a new name, it is accepted
    assert _update(tenant, category, owner_id=manager.pk, name="Pots").owner_id == manager.pk
    # but the owner cannot be given to them again once changed
    _update(tenant, category, owner_id=None)
    assert list(_refused(lambda: _update(tenant, category, owner_id=manager.pk)).fields) == ["owner"]


def test_another_tenants_category_cannot_be_updated(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    theirs = make_category(other_tenant, "110", name="Theirs")
    with tenant_scope(tenant), pytest.raises(NotFoundError):
        services.category_update(tenant=tenant, by=SYSTEM, category_id=theirs.pk, name="Mine")
    theirs = _reload(other_tenant, theirs)
    assert theirs.name == "Theirs"


# Delete


def test_a_leaf_is_deleted_with_its_specs(
    tenant: Tenant, make_category: MakeCategory, django_capture_on_commit_callbacks: Any
) -> None:
    # given a leaf with a specification file
    category = make_category(tenant, "110")
    with tenant_scope(tenant):
        spec = services.category_spec_upload(
            tenant=tenant, by=SYSTEM, category_id=category.pk, title="Drawing", file=io.BytesIO(PDF_BYTES)
        )
    stored = spec.file.name
    assert default_storage.exists(stored)
    # when it is deleted
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant):
        services.category_delete(tenant=tenant, by=SYSTEM, category_id=category.pk)
    # then it, its specs and their files are gone, and the deletion is recorded with what was there
    with tenant_scope(tenant):
        assert not Category.objects.exists()
        assert not CategorySpec.objects.exists()
    assert not default_storage.exists(stored)
    [event] = _events(tenant, "category.delete")
    assert event.object_id == str(category.pk)
    assert _before(event)["code"] == "110"


def test_delete_is_refused_while_anything_depends_on_the_category(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a category with a subcategory, spend booked on it and a rule that files lines under it
    category = make_category(tenant, "110", name="Cookware")
    make_category(tenant, "111", parent=category)
    book_spend(tenant, category, "100.00")
    with tenant_scope(tenant):
        CategoryRule.objects.create(tenant=tenant, field="description", pattern="pot", category=category)
    # when it is deleted
    with tenant_scope(tenant):
        error = _refused(lambda: services.category_delete(tenant=tenant, by=SYSTEM, category_id=category.pk))
    # then every reason is given, and nothing is deleted or recorded
    assert error.message == (
        "110 Cookware cannot be deleted: it has 1 subcategory; spend is booked on it; "
        "1 spend rule files lines under it."
    )
    assert error.code == "in_use"
    assert _reload(tenant, category).code == "110"
    assert _events(tenant, "category.delete") == []


def test_every_app_gives_its_reasons_in_order_and_in_chinese(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a category with a subcategory, spend, a spend rule and two suppliers qualified for it
    category = make_category(tenant, "110", name="Cookware")
    make_category(tenant, "111", parent=category)
    book_spend(tenant, category, "100.00")
    with tenant_scope(tenant):
        CategoryRule.objects.create(tenant=tenant, field="description", pattern="pot", category=category)
        for name in ("Everbright", "Zhejiang Pots"):
            SupplierCategory.objects.create(tenant=tenant, supplier=make_supplier(tenant, name), category=category)
    # when it is deleted, in English and in Chinese
    with tenant_scope(tenant):
        english = _refused(lambda: services.category_delete(tenant=tenant, by=SYSTEM, category_id=category.pk))
        with translation.override("zh-hans"):
            chinese = _refused(lambda: services.category_delete(tenant=tenant, by=SYSTEM, category_id=category.pk))
    # then the category's own children come first, then what spend and suppliers keep on it
    assert english.message == (
        "110 Cookware cannot be deleted: it has 1 subcategory; spend is booked on it; "
        "1 spend rule files lines under it; 2 suppliers supply it."
    )
    assert chinese.message == (
        "无法删除 110 Cookware\uff1a它有 1 个子品类; 已有支出记入该品类; 有 1 条支出规则将明细归入该品类; "
        "有 2 个供应商供应该品类。"
    )
    assert _reload(tenant, category).code == "110"


@pytest.mark.parametrize("blocker", ["child", "spend", "rule"])
def test_each_dependency_alone_blocks_delete(tenant: Tenant, make_category: MakeCategory, blocker: str) -> None:
    category = make_category(tenant, "110")
    if blocker == "child":
        make_category(tenant, "111", parent=category)
    elif blocker == "spend":
        book_spend(tenant, category, "5.00")
    else:
        with tenant_scope(tenant):
            CategoryRule.objects.create(tenant=tenant, field="cost_center", pattern="CC1", category=category)
    with tenant_scope(tenant):
        with pytest.raises(DomainError):
            services.category_delete(tenant=tenant, by=SYSTEM, category_id=category.pk)
        assert Category.objects.filter(pk=category.pk).exists()
    assert _events(tenant, "category.delete") == []


def test_delete_needs_the_write_scope(tenant: Tenant, make_member: Any, make_category: MakeCategory) -> None:
    category = make_category(tenant, "110")
    executive = Actor.for_membership(make_member(tenant, Role.EXECUTIVE))
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            services.category_delete(tenant=tenant, by=executive, category_id=category.pk)
        assert Category.objects.filter(pk=category.pk).exists()


# Specifications


def _upload(tenant: Tenant, category: Category, title: str, data: bytes = PDF_BYTES, **kw: Any) -> CategorySpec:
    with tenant_scope(tenant):
        return services.category_spec_upload(
            tenant=tenant, by=SYSTEM, category_id=category.pk, title=title, file=io.BytesIO(data), **kw
        )


def test_uploads_under_one_title_are_versions_and_all_are_kept(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a category
    category = make_category(tenant, "111")
    # when the same title is uploaded three times (in another case once) and another title once
    first = _upload(tenant, category, "Pot drawing", file_name="pot-v1.pdf")
    second = _upload(tenant, category, "pot DRAWING", PNG_BYTES, file_name="pot-v2.png")
    third = _upload(tenant, category, "Pot drawing", file_name="pot-v3.pdf", note="thicker base")
    other = _upload(tenant, category, "Packaging artwork")
    # then the versions count up under the first spelling, and every version is still there
    assert [(s.title, s.version) for s in (first, second, third, other)] == [
        ("Pot drawing", 1),
        ("Pot drawing", 2),
        ("Pot drawing", 3),
        ("Packaging artwork", 1),
    ]
    assert (second.content_type, second.file_name, second.size) == ("image/png", "pot-v2.png", len(PNG_BYTES))
    with tenant_scope(tenant):
        assert CategorySpec.objects.filter(category=category).count() == 4
        for spec in (first, second, third):
            assert default_storage.exists(spec.file.name)
    assert [_after(e)["version"] for e in _events(tenant, "category_spec.upload")] == [1, 2, 3, 1]


def test_the_stored_name_is_ours_and_the_given_name_only_data(tenant: Tenant, make_category: MakeCategory) -> None:
    category = make_category(tenant, "111")
    spec = _upload(tenant, category, "Drawing", file_name="../../etc/passwd.pdf")
    assert spec.file_name == "passwd.pdf"
    assert "passwd" not in str(spec.file.name)
    assert str(spec.file.name).startswith("category-specs/")
    assert str(spec.file.name).endswith(".pdf")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "file"),  # a Windows program
        (b"code,name\n1,a\n", "file"),  # text is not a document
        (b"", "file"),
    ],
    ids=["executable", "text", "empty"],
)
def test_files_are_checked_by_their_bytes(tenant: Tenant, make_category: MakeCategory, data: bytes, field: str) -> None:
    category = make_category(tenant, "111")
    error = _refused(lambda: _upload(tenant, category, "Drawing", data, file_name="drawing.pdf"))
    assert list(error.fields) == [field]
    with tenant_scope(tenant):
        assert not CategorySpec.objects.exists()
    assert _events(tenant, "category_spec.upload") == []


def test_a_spec_needs_a_title(tenant: Tenant, make_category: MakeCategory) -> None:
    category = make_category(tenant, "111")
    error = _refused(lambda: _upload(tenant, category, "   "))
    assert error.fields == {"title": ["A title is required."]}


def test_a_spec_cannot_be_added_to_another_tenants_category(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    theirs = make_category(other_tenant, "111")
    with pytest.raises(NotFoundError):
        _upload(tenant, theirs, "Drawing")
    with tenant_scope(other_tenant):
        assert not CategorySpec.objects.exists()


# CSV import


def _import(tenant: Tenant, text: str | bytes, by: Actor = SYSTEM) -> services.ImportResult:
    data = text.encode() if isinstance(text, str) else text
    with tenant_scope(tenant):
        return services.categories_import_csv(tenant=tenant, by=by, file=io.BytesIO(data), file_name="cats.csv")


def _codes(tenant: Tenant) -> dict[str, tuple[str, str | None]]:
    with tenant_scope(tenant):
        return {
            c.code: (c.name, c.parent.code if c.parent else None) for c in Category.objects.select_related("parent")
        }


def test_import_creates_a_tree_whose_parents_come_later(tenant: Tenant) -> None:
    # given a file listing children before their parents
    result = _import(
        tenant,
        "code,name,parent_code,segment,profit_impact,supply_risk,is_production_material\n"
        "111,Stainless steel pots,110,strategic,4,3,yes\n"
        "110,Cookware,100,,,,yes\n"
        "100,Kitchenware,,strategic,,,yes\n",
    )
    # then the whole tree is there
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _codes(tenant) == {
        "100": ("Kitchenware", None),
        "110": ("Cookware", "100"),
        "111": ("Stainless steel pots", "110"),
    }
    # and each category's creation is recorded, plus the import itself
    assert sorted(_after(e)["code"] for e in _events(tenant, "category.create")) == ["100", "110", "111"]
    [summary] = _events(tenant, "category.import")
    assert _after(summary) == {"file_name": "cats.csv", "encoding": "utf-8", "created": 3, "updated": 0, "unchanged": 0}


def test_import_updates_by_code_and_leaves_left_out_columns_alone(tenant: Tenant, make_category: MakeCategory) -> None:
    # given a stored category with a description and a risk score
    root = make_category(tenant, "100", name="Kitchen")
    make_category(tenant, "110", name="Cookware", parent=root, description="Pots", supply_risk=2)
    # when a file renames it and clears its risk, without a description column
    result = _import(tenant, "code,name,supply_risk\n110,Cookware & bakeware,\n100,Kitchen,\n")
    # then the named columns change, the others stay, and the unchanged row is not recorded
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with tenant_scope(tenant):
        category = Category.objects.get(code="110")
    assert (category.name, category.supply_risk, category.description, category.parent_id) == (
        "Cookware & bakeware",
        None,
        "Pots",
        root.pk,
    )
    [event] = _events(tenant, "category.update")
    assert (_before(event)["supply_risk"], _after(event)["supply_risk"]) == (2, None)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tenant: Tenant) -> None:
    text = "code,name,parent_code\n100,Kitchenware,\n110,Cookware,100\n"
    _import(tenant, text)
    before = len(_events(tenant, "category.create"))
    result = _import(tenant, text)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert len(_events(tenant, "category.create")) == before
    assert _events(tenant, "category.update") == []
    assert len(_events(tenant, "category.import")) == 1


def test_a_file_with_any_bad_row_writes_nothing_and_names_every_problem(
    tenant: Tenant, make_category: MakeCategory
) -> None:
    # given a stored category and a file with good rows, a change to it and bad rows of several kinds
    make_category(tenant, "100", name="Kitchenware")
    events_before = _events(tenant, "category.create")
    error = _refused(
        lambda: _import(
            tenant,
            "code,name,parent_code,profit_impact\n"
            "100,Kitchen (renamed),,\n"  # a good change
            "110,Cookware,100,4\n"  # a good new row
            "111,Pots,110,9\n"  # row 4: a bad score
            ",No code,,\n"  # row 5: no code
            "110,Again,,\n"  # row 6: a repeated code
            "112,Pans,999,\n"  # row 7: an unknown parent
            "113,Short\n",  # row 8: a short row
        )
    )
    # then every problem is named with its row and column
    assert isinstance(error, services.CategoryImportError)
    assert [(e.row, e.column) for e in error.errors] == [
        (4, "profit_impact"),
        (5, "code"),
        (8, ""),
        (6, "code"),
        (7, "parent_code"),
    ]
    assert error.message == "The file has 5 problems; nothing was imported."
    assert error.fields["file"][0] == "Row 4, profit_impact: Scores run from 1 to 5."
    # and nothing was written: not the good rows, not the change, not a single event
    assert _codes(tenant) == {"100": ("Kitchenware", None)}
    assert _events(tenant, "category.create") == events_before
    assert _events(tenant, "category.update") == []
    assert _events(tenant, "category.import") == []


def test_an_import_cannot_close_a_loop_with_stored_categories(tenant: Tenant, make_category: MakeCategory) -> None:
    root = make_category(tenant, "100")
    make_category(tenant, "110", parent=root)
    error = _refused(lambda: _import(tenant, "code,name,parent_code\n100,Kitchenware,110\n"))
    assert error.fields == {"file": ["Row 2, parent_code: This makes a loop of parents: 100 → 110 → 100."]}
    assert _codes(tenant)["100"] == ("Category 100", None)


def test_a_gb18030_file_is_read(tenant: Tenant) -> None:
    result = _import(tenant, "code,name\n211,纯棉床单套件\n".encode("gb18030"))
    assert result.encoding == "gb18030"
    assert _codes(tenant) == {"211": ("纯棉床单套件", None)}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PDF_BYTES, "The file's contents are not an accepted type (accepted: CSV)."),
        (b"", "The file is empty."),
        (b"code,name\n", "File, —: The file has no categories in it."),
    ],
    ids=["pdf", "empty", "header-only"],
)
def test_files_that_are_not_category_lists(tenant: Tenant, data: bytes, message: str) -> None:
    error = _refused(lambda: _import(tenant, data))
    assert error.fields["file"] == [message]
    with tenant_scope(tenant):
        assert not Category.objects.exists()


def test_import_needs_the_write_scope(tenant: Tenant, make_member: Any) -> None:
    quality = Actor.for_membership(make_member(tenant, Role.QUALITY))
    with pytest.raises(ScopeError):
        _import(tenant, "code,name\n100,Kitchenware\n", by=quality)
    assert _codes(tenant) == {}


def test_import_touches_only_the_current_tenant(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    # given globex has 100, and acme imports 100 under a parent code only globex has
    make_category(other_tenant, "100", name="Globex camping")
    make_category(other_tenant, "900", name="Globex only")
    error = _refused(lambda: _import(tenant, "code,name,parent_code\n100,Kitchenware,900\n"))
    assert error.fields["file"] == ["Row 2, parent_code: No category has the code 900, in this file or already stored."]
    _import(tenant, "code,name\n100,Kitchenware\n")
    assert _codes(tenant) == {"100": ("Kitchenware", None)}
    assert _codes(other_tenant) == {"100": ("Globex camping", None), "900": ("Globex only", None)}


def test_memberships_are_not_touched_by_category_services(tenant: Tenant, make_member: Any) -> None:
    # a guard for the owner lookup: resolving an owner never changes the membership
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    _create(tenant, code="110", owner_id=manager.pk)
    with tenant_scope(tenant):
        assert Membership.objects.get(pk=manager.pk).role == Role.CATEGORY_MANAGER
