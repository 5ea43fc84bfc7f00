"""The one way from an id that arrives from outside (a URL, a form or JSON body, a query string) to a record of
the category tree: ``access_<entity>(by=, id=, need=)``, as ``suppliers.services.access`` is for the supplier side.

Each checks the caller's scope first (``ScopeError`` before anything is looked up), looks the id up in the
current tenant (the scoped manager) and, with ``lock=True``, locks the row. A missing id, a malformed one and
another tenant's id are the same ``NotFoundError``.
"""

from __future__ import annotations

from typing import Any

from sourcing.access import access_in, access_membership
from sourcing.actors import Actor
from sourcing.categories.models import Category, CategorySpec
from sourcing.categories.selectors.categories import OWNER_ROLES, category_queryset
from sourcing.errors import NotFoundError
from sourcing.models import Membership


def access_category(*, by: Actor, id: Any, need: str, lock: bool = False) -> Category:
    """A category, with its parent, its owner and how many children it has; with ``lock``, the row alone
    (FOR UPDATE does not go with the count's GROUP BY)."""
    queryset = Category.objects.all() if lock else category_queryset()
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_category_spec(*, by: Actor, id: Any, need: str, lock: bool = False) -> CategorySpec:
    """A specification document of a category, with its category."""
    queryset = CategorySpec.objects.select_related("category")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_category_owner(*, by: Actor, id: Any, need: str) -> Membership:
    """A member who may own a category: an active category manager or administrator. Anyone else (missing,
    another tenant's, inactive, another role) is the same NotFoundError."""
    membership = access_membership(by=by, id=id, need=need)
    if not membership.is_active or membership.role not in OWNER_ROLES:
        raise NotFoundError()
    return membership
