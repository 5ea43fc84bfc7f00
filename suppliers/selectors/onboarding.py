"""Reads of onboarding: templates per tier, a supplier's tasks, what is missing, progress for many suppliers at
once, and the overdue tasks across suppliers. Also the people a task or a flag may be given to."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sourcing.ids import as_uuid
from sourcing.models import USABLE_MEMBERSHIP, Membership
from sourcing.roles import Role
from suppliers.models import OnboardingItem, OnboardingTask, OnboardingTemplate, Supplier, TaskStatus

SETTLED = (TaskStatus.DONE, TaskStatus.WAIVED)


# People


def owner_choices(*, include: list[Any] | None = None) -> list[Membership]:
    """Internal members who may own a task or a flag (agents never), plus the memberships in ``include``
    (a current owner who has since left stays selectable, so saving a form does not drop them)."""
    wanted = USABLE_MEMBERSHIP & ~Q(role=Role.AGENT)
    if include:
        wanted |= Q(pk__in=[pk for pk in include if pk])
    return list(Membership.objects.filter(wanted).select_related("user").order_by("user__email"))


def internal_member_get(*, membership_id: Any) -> Membership | None:
    """An active internal member of this tenant by id, or None (missing, another tenant's, an agent's)."""
    pk = as_uuid(membership_id)
    if pk is None:
        return None
    return Membership.objects.filter(USABLE_MEMBERSHIP, pk=pk).exclude(role=Role.AGENT).first()


# Templates


def onboarding_templates() -> list[OnboardingTemplate]:
    return list(OnboardingTemplate.objects.annotate(item_count=Count("items")).order_by("tier"))


def onboarding_items(template: OnboardingTemplate) -> list[OnboardingItem]:
    return list(template.items.order_by("position", "code"))


# Tasks


def onboarding_tasks(supplier: Supplier) -> list[OnboardingTask]:
    return list(supplier.onboarding_tasks.select_related("owner__user").order_by("position", "code"))


def onboarding_missing(supplier: Supplier) -> list[OnboardingTask]:
    """Required tasks neither done nor waived."""
    return list(supplier.onboarding_tasks.filter(is_required=True, status=TaskStatus.OPEN).order_by("position", "code"))


def onboarding_progress(supplier_ids: list[Any]) -> dict[Any, tuple[int, int]]:
    """(settled, total) tasks per supplier, in one query; settled counts done and waived tasks."""
    result: dict[Any, tuple[int, int]] = {sid: (0, 0) for sid in supplier_ids}
    rows = (
        OnboardingTask.objects.filter(supplier_id__in=supplier_ids)
        .values("supplier_id")
        .annotate(total=Count("id"), settled=Count("id", filter=Q(status__in=SETTLED)))
        .order_by()
    )
    for row in rows:
        result[row["supplier_id"]] = (row["settled"], row["total"])
    return result


def onboarding_overdue(*, owner: Any = None) -> QuerySet[OnboardingTask]:
    """Open tasks past their due date across suppliers, the longest overdue first; ``owner`` a membership id
    (or ``NO_OWNER`` for tasks nobody holds)."""
    tasks = OnboardingTask.objects.filter(status=TaskStatus.OPEN, due_on__lt=timezone.localdate())
    if owner == NO_OWNER:
        tasks = tasks.filter(owner__isnull=True)
    elif owner:
        tasks = tasks.filter(owner_id=as_uuid(owner))
    return tasks.select_related("supplier", "owner__user").order_by("due_on", "supplier__legal_name", "position", "id")


NO_OWNER = "none"


def onboarding_task_list(
    *,
    supplier: Any = None,
    supplier_external_id: str = "",
    code: str = "",
    status: str = "",
    overdue: bool | None = None,
) -> QuerySet[OnboardingTask]:
    """Tasks for the API, with its filters."""
    tasks = OnboardingTask.objects.select_related("supplier", "owner__user")
    if supplier:
        tasks = tasks.filter(supplier_id=as_uuid(supplier))
    if supplier_external_id:
        tasks = tasks.filter(supplier__external_id=supplier_external_id)
    if code:
        tasks = tasks.filter(code=code)
    if status:
        tasks = tasks.filter(status=status)
    if overdue is not None:
        late = Q(status=TaskStatus.OPEN, due_on__lt=timezone.localdate())
        tasks = tasks.filter(late) if overdue else tasks.exclude(late)
    return tasks
