"""Reads of suppliers. Agents see only suppliers granted to them (object permissions, never model-wide)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from guardian.shortcuts import get_objects_for_user

from sourcing.errors import NotFoundError
from sourcing.models import User
from suppliers.models import Supplier

VIEW_SUPPLIER = "suppliers.view_supplier"


def supplier_list_for_agent(*, user: User) -> QuerySet[Supplier]:
    return get_objects_for_user(
        user,
        VIEW_SUPPLIER,
        klass=Supplier.objects.all(),
        with_superuser=False,
        accept_global_perms=False,
        use_groups=False,  # guardian's group tables carry no tenant; agents get direct grants only
    ).order_by("legal_name")


def supplier_get_for_agent(*, user: User, supplier_id: Any) -> Supplier:
    """An assigned supplier; an unassigned, missing or other tenant's one raises the same NotFoundError."""
    supplier = supplier_list_for_agent(user=user).filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError()
    return supplier


def supplier_get(*, supplier_id: Any) -> Supplier:
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError()
    return supplier


def supplier_counts_by_country() -> list[dict[str, Any]]:
    return list(Supplier.objects.values("country").annotate(n=Count("id")).order_by("-n", "country"))


def assignments_for_agents(*, user_ids: list[Any]) -> dict[Any, list[Supplier]]:
    """Suppliers assigned to each of these agents, in one query."""
    from suppliers.models import SupplierAgentGrant

    result: dict[Any, list[Supplier]] = {uid: [] for uid in user_ids}
    grants = (
        SupplierAgentGrant.objects.filter(user_id__in=user_ids, permission__codename="view_supplier")
        .select_related("content_object")
        .order_by("content_object__legal_name")
    )
    for grant in grants:
        result[grant.user_id].append(grant.content_object)
    return result


def supplier_choices() -> list[Supplier]:
    """Suppliers to pick from in an assignment form: id and name only."""
    return list(Supplier.objects.only("id", "legal_name").order_by("legal_name"))
