"""Category endpoints: scopes per method, filters, create and change through the services (the one error
format for bad input), other tenants' ids answered as missing ones, and constant query counts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope

MakeCategory = Callable[..., Category]
MakeClient = Callable[..., APIClient]
URL = "/api/v1/categories/"


def _detail(category: Category | str) -> str:
    return f"{URL}{category.pk if isinstance(category, Category) else category}/"


def _codes(response: Any) -> list[str]:
    return sorted(row["code"] for row in response.json()["results"])


@pytest.fixture
def tree(tenant: Tenant, make_category: MakeCategory) -> dict[str, Category]:
    kitchen = make_category(tenant, "100", name="Kitchenware", segment="strategic")
    cookware = make_category(tenant, "110", name="Cookware", parent=kitchen, segment="strategic")
    return {
        "100": kitchen,
        "110": cookware,
        "111": make_category(tenant, "111", name="Pots", parent=cookware, profit_impact=4, supply_risk=2),
        "400": make_category(tenant, "400", name="Packaging", segment="operational"),
    }


def test_list_and_read(tenant: Tenant, api_client: MakeClient, tree: dict[str, Category]) -> None:
    # given a read key
    client = api_client(scopes=("read",))
    # when it lists and reads
    listed = client.get(URL)
    one = client.get(_detail(tree["111"]))
    # then every category is there, and a row carries its parent, position and children
    assert listed.status_code == 200
    assert _codes(listed) == ["100", "110", "111", "400"]
    body = one.json()
    assert body["code"] == "111"
    assert body["parent"] == str(tree["110"].pk)
    assert body["parent_code"] == "110"
    assert body["kraljic_position"] == "leverage"
    assert body["children_count"] == 0
    assert body["owner"] is None and body["owner_email"] is None
    kitchen = next(r for r in listed.json()["results"] if r["code"] == "100")
    assert (kitchen["children_count"], kitchen["kraljic_position"], kitchen["parent"]) == (1, None, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"code": "110"}, ["110"]),
        ({"segment": "strategic"}, ["100", "110"]),
        ({"segment": "operational"}, ["400"]),
        ({"parent": "110"}, ["111"]),  # the parent's id, filled in below
        ({"code": "999"}, []),
    ],
)
def test_filters(
    tenant: Tenant, api_client: MakeClient, tree: dict[str, Category], query: dict[str, str], expected: list[str]
) -> None:
    if "parent" in query:
        query = {"parent": str(tree[query["parent"]].pk)}
    assert _codes(api_client(scopes=("read",)).get(URL, query)) == expected


def test_a_bad_filter_value_is_400_in_the_error_format(api_client: MakeClient, tree: dict[str, Category]) -> None:
    response = api_client(scopes=("read",)).get(URL, {"segment": "vital"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"segment"}


def test_filtering_by_another_tenants_parent_finds_nothing(
    other_tenant: Tenant, api_client: MakeClient, make_category: MakeCategory, tree: dict[str, Category]
) -> None:
    theirs = make_category(other_tenant, "100", name="Globex camping")
    make_category(other_tenant, "110", parent=theirs)
    assert _codes(api_client(scopes=("read",)).get(URL, {"parent": str(theirs.pk)})) == []


def test_another_tenants_id_is_the_same_404_as_a_missing_one(
    other_tenant: Tenant, api_client: MakeClient, make_category: MakeCategory, tree: dict[str, Category]
) -> None:
    # given a globex category and an acme key that can read and write
    theirs = make_category(other_tenant, "111", name="Globex tent poles")
    client = api_client()
    # when acme reads or changes it, or a random id, or no id at all
    for method, data in (("get", None), ("patch", {"name": "Mine now"})):
        answers = [
            getattr(client, method)(_detail(pk), data, format="json")
            for pk in (str(theirs.pk), str(uuid.uuid4()), "not-an-id")
        ]
        # then the answers are identical 404s
        assert {a.status_code for a in answers} == {404}
        assert answers[0].content == answers[1].content == answers[2].content
    with tenant_scope(other_tenant):
        assert Category.objects.get(pk=theirs.pk).name == "Globex tent poles"


@pytest.mark.parametrize(
    ("scopes", "method", "expected"),
    [
        (("read",), "get", 200),
        (("read",), "post", 403),
        (("read",), "patch", 403),
        (("read",), "delete", 403),
        (("write",), "get", 403),
        (("write",), "post", 201),
        (("write",), "patch", 200),
        (("write",), "delete", 405),  # deletion is a page action, with its checks on what depends on it
    ],
)
def test_scopes_per_method(
    tenant: Tenant,
    api_client: MakeClient,
    tree: dict[str, Category],
    scopes: tuple[str, ...],
    method: str,
    expected: int,
) -> None:
    client = api_client(scopes=scopes)
    url = URL if method == "post" else _detail(tree["400"])
    data = {"code": "500", "name": "Indirect"} if method in {"post", "patch"} else None
    response = getattr(client, method)(url, data, format="json")
    assert response.status_code == expected, response.content
    if expected == 403:
        with tenant_scope(tenant):
            assert not Category.objects.filter(code="500").exists()
            assert Category.objects.get(pk=tree["400"].pk).name == "Packaging"


def test_create_through_the_service(
    tenant: Tenant, api_client: MakeClient, make_member: Any, tree: dict[str, Category]
) -> None:
    # given a category manager's membership id
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    # when the ERP creates a category under 110
    response = api_client().post(
        URL,
        {
            "code": "112",
            "name": "Non-stick pans",
            "parent": str(tree["110"].pk),
            "owner": str(manager.pk),
            "profit_impact": 4,
            "supply_risk": 4,
            "is_production_material": True,
            "compliance_requirements": ["prop65", "fda"],
        },
        format="json",
    )
    # then it exists, is answered like a read, and the change is recorded against the key
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["parent_code"], body["owner_email"], body["kraljic_position"]) == (
        "110",
        manager.user.email,
        "strategic",
    )
    assert body["compliance_requirements"] == ["fda", "prop65"]
    with tenant_scope(tenant):
        event = AuditEvent.objects.filter(action="category.create", object_id=body["id"]).get()
    assert event.actor_label.startswith("api-key:")


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"name": "No code"}, {"code"}),
        ({"code": "100", "name": "Taken"}, {"code"}),
        ({"code": "5", "name": "x", "supply_risk": 9}, {"supply_risk"}),
        ({"code": "5", "name": "x", "segment": "vital"}, {"segment"}),
        ({"code": "5", "name": "x", "required_audits": ["nonsense"]}, {"required_audits"}),
        ({"code": "5", "name": "x", "parent": "not-an-id"}, {"parent"}),
        ({"code": "5", "name": "x", "parent": str(uuid.uuid4())}, {"parent"}),
        ({"code": "5", "name": "x", "owner": str(uuid.uuid4())}, {"owner"}),
    ],
)
def test_bad_input_is_400_naming_the_field(
    tenant: Tenant, api_client: MakeClient, tree: dict[str, Category], data: dict[str, Any], fields: set[str]
) -> None:
    response = api_client().post(URL, data, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == fields
    with tenant_scope(tenant):
        assert not Category.objects.filter(code="5").exists()


def test_a_parent_or_owner_of_another_tenant_is_refused_like_a_missing_one(
    other_tenant: Tenant, api_client: MakeClient, make_member: Any, make_category: MakeCategory, tree: Any
) -> None:
    theirs = make_category(other_tenant, "100")
    their_manager = make_member(other_tenant, Role.CATEGORY_MANAGER)
    client = api_client()
    for name, value in (("parent", theirs.pk), ("owner", their_manager.pk)):
        foreign = client.post(URL, {"code": "5", "name": "x", name: str(value)}, format="json")
        missing = client.post(URL, {"code": "5", "name": "x", name: str(uuid.uuid4())}, format="json")
        assert foreign.status_code == missing.status_code == 400
        assert foreign.json() == missing.json()


def test_patch_changes_only_what_is_sent(tenant: Tenant, api_client: MakeClient, tree: dict[str, Category]) -> None:
    client = api_client()
    response = client.patch(_detail(tree["111"]), {"supply_risk": 5, "parent": None}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["supply_risk"], body["parent"], body["kraljic_position"]) == (
        "Pots",
        5,
        None,
        "strategic",
    )
    # an empty change changes nothing and records nothing
    with tenant_scope(tenant):
        before = AuditEvent.objects.count()
    assert client.patch(_detail(tree["111"]), {}, format="json").status_code == 200
    with tenant_scope(tenant):
        assert AuditEvent.objects.count() == before


def test_patch_refuses_a_loop(tenant: Tenant, api_client: MakeClient, tree: dict[str, Category]) -> None:
    response = api_client().patch(_detail(tree["100"]), {"parent": str(tree["111"].pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "parent": ["A category cannot be placed under one of its own subcategories."]
    }


N = 3


def test_list_query_count_is_constant(
    tenant: Tenant,
    api_client: MakeClient,
    make_member: Any,
    make_category: MakeCategory,
    django_assert_num_queries: Any,
) -> None:
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    client = api_client(scopes=("read",))

    def grow(start: int) -> None:
        for i in range(start, start + N):
            root = make_category(tenant, f"{i}00", owner_id=manager.pk)
            make_category(tenant, f"{i}10", parent=root, owner_id=manager.pk)

    grow(1)
    assert client.get(URL).status_code == 200  # warm: the key's first use is recorded
    with django_assert_num_queries(EXPECTED_LIST):
        assert len(client.get(URL).json()["results"]) == 2 * N
    grow(1 + N)
    with django_assert_num_queries(EXPECTED_LIST):
        assert len(client.get(URL).json()["results"]) == 4 * N


# As every other API list (tests/sourcing/test_api.py): key, throttle, tenant scope, and one query for the page
# of categories with parents, owners and child counts.
EXPECTED_LIST = 10
