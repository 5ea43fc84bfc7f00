"""Onboarding: a supplier's tasks made from its tier's checklist (``suppliers.services.onboarding_templates``)
and the work on each task (owner, due date, complete with evidence, waive, reopen). Also the rule the RFQ
capability applies before an award: ``supplier_award_blockers``."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.uploads import DOCUMENTS, accept_upload, store_upload
from suppliers.governance import governance_for
from suppliers.models import (
    OnboardingTask,
    Supplier,
    SupplierStatus,
    TaskStatus,
)
from suppliers.selectors import onboarding as selectors
from suppliers.services.access import (
    access_onboarding_task,
    access_supplier,
    check_supplier_access,
)
from suppliers.services.common import invalid
from suppliers.services.onboarding_templates import BANK_DETAILS_VERIFIED, STEP_SCOPES, template_for

NOTE_MAX = 2000


# A supplier's tasks


@transaction.atomic
def onboarding_start(*, tenant: Tenant, by: Actor, supplier_id: Any) -> list[OnboardingTask]:
    """Make the supplier's tasks from its tier's checklist. Running it again adds the items the checklist has
    gained and leaves every existing task as it is. Each new task goes to the supplier's owner and is due the
    item's number of days from today. Returns the tasks it added."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE, lock=True)
    template = template_for(tenant, by, supplier.tier)
    have = set(OnboardingTask.objects.filter(supplier_id=supplier.pk).values_list("code", flat=True))
    today = timezone.localdate()
    new = [
        OnboardingTask(
            tenant=tenant,
            supplier=supplier,
            code=item.code,
            title=item.title,
            is_required=item.is_required,
            position=item.position,
            owner_id=supplier.owner_id,
            due_on=today + datetime.timedelta(days=item.due_days),
        )
        for item in selectors.onboarding_items(template)
        if item.code not in have
    ]
    if not new:
        return []
    OnboardingTask.objects.bulk_create(new)
    audit_record(
        tenant=tenant,
        by=by,
        action="onboarding.start" if not have else "onboarding.extend",
        target=supplier,
        after={"tier": supplier.tier, "tasks": [t.code for t in new]},
    )
    return new


def _task_for(by: Actor, task_id: Any, scope: str) -> OnboardingTask:
    return access_onboarding_task(by=by, id=task_id, need=scope, lock=True)


def _task_event(tenant: Tenant, by: Actor, task: OnboardingTask, action: str, **after: Any) -> None:
    audit_record(
        tenant=tenant,
        by=by,
        action=f"onboarding_task.{action}",
        target=task,
        after={"supplier": str(task.supplier_id), "code": task.code, **after},
    )


@transaction.atomic
def onboarding_task_assign(*, tenant: Tenant, by: Actor, task_id: Any, owner_id: Any) -> OnboardingTask:
    """Give the task to an internal member (or to nobody, with no owner id)."""
    task = _task_for(by, task_id, Scope.SUPPLIER_WRITE)
    owner = None
    if owner_id not in (None, ""):
        owner = selectors.internal_member_get(membership_id=owner_id)
        if owner is None:
            raise invalid({"owner": [_("Choose one of the listed people.")]})
    if task.owner_id == (owner.pk if owner else None):
        return task
    before = str(task.owner_id) if task.owner_id else None
    task.owner = owner
    task.save(update_fields=["owner"])
    _task_event(tenant, by, task, "assign", owner_before=before, owner=str(owner.pk) if owner else None)
    return task


@transaction.atomic
def onboarding_task_set_due(*, tenant: Tenant, by: Actor, task_id: Any, due_on: Any) -> OnboardingTask:
    task = _task_for(by, task_id, Scope.SUPPLIER_WRITE)
    day = _date(due_on)
    if due_on not in (None, "") and day is None:
        raise invalid({"due_on": [_("Enter a date as YYYY-MM-DD.")]})
    if task.due_on == day:
        return task
    before = task.due_on.isoformat() if task.due_on else None
    task.due_on = day
    task.save(update_fields=["due_on"])
    _task_event(tenant, by, task, "due", due_before=before, due_on=day.isoformat() if day else None)
    return task


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def _clean_note(note: Any, errors: dict[str, list[str]], *, field: str = "note") -> str:
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        errors[field] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    return text


def _complete(
    tenant: Tenant, by: Actor, task: OnboardingTask, *, note: str, file: IO[bytes] | None, file_name: str
) -> OnboardingTask:
    if task.status == TaskStatus.DONE and file is None and not note:
        return task  # completed already (an ERP sending its call again): nothing to change
    if task.status != TaskStatus.OPEN:
        raise DomainError(
            _("This task is %(status)s; reopen it first.") % {"status": task.get_status_display().lower()},
            fields={"status": [_("Only an open task can be completed.")]},
            code="not_open",
        )
    errors: dict[str, list[str]] = {}
    note = _clean_note(note, errors)
    accepted = None
    if file is not None:
        try:
            accepted = accept_upload(file, allowed=DOCUMENTS, file_name=file_name, fallback="evidence")
        except DomainError as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid(errors)
    update = ["status", "note", "completed_at", "completed_by_label"]
    if accepted is not None:
        task.size = accepted.size
        task.content_type = accepted.content_type
        task.file_name = accepted.file_name
        task.uploaded_by = by.user
        task.uploaded_at = timezone.now()
        store_upload(task.file, accepted)
        update += ["file", "file_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    task.status = TaskStatus.DONE
    if note:
        task.note = note
    task.completed_at = timezone.now()
    task.completed_by_label = by.label[:200]
    task.save(update_fields=update)
    _task_event(tenant, by, task, "complete", evidence=task.file_name if file is not None else None)
    return task


@transaction.atomic
def onboarding_task_complete(
    *,
    tenant: Tenant,
    by: Actor,
    task_id: Any,
    note: str = "",
    file: IO[bytes] | None = None,
    file_name: str = "",
) -> OnboardingTask:
    """Mark an open task done, with an optional note and evidence file (accepted by its bytes: PDF, image,
    Word, Excel). Completing a done task again with nothing new changes nothing."""
    task = _task_for(by, task_id, Scope.SUPPLIER_WRITE)
    _refuse_by_hand(task)
    return _complete(tenant, by, task, note=note, file=file, file_name=file_name)


def _refuse_by_hand(task: OnboardingTask) -> None:
    """Bank details are verified by a second person approving them (``suppliers.services.bank``), never by
    ticking the step: otherwise anyone who may edit a supplier could clear the award gate without them."""
    if task.code == BANK_DETAILS_VERIFIED:
        raise DomainError(
            _("This step is done when someone other than the requester approves the supplier's bank details."),
            fields={"code": [_("Done by approving the bank details.")]},
            code="done_by_bank_approval",
        ).with_status(409)


@transaction.atomic
def onboarding_task_complete_by_code(
    *, tenant: Tenant, by: Actor, supplier_external_id: Any, code: Any, note: str = ""
) -> OnboardingTask:
    """Complete a supplier's task named by the supplier's ERP id and the task's code (how the ERP reports
    "vendor created"). An unknown supplier and an unknown task are the same NotFoundError."""
    by.require(Scope.SUPPLIER_WRITE)
    external_id = str(supplier_external_id or "").strip()
    code = str(code or "").strip()
    errors = {}
    if not external_id:
        errors["supplier_external_id"] = [_("This field is required.")]
    if not code:
        errors["code"] = [_("This field is required.")]
    if errors:
        raise invalid(errors)
    task = (
        OnboardingTask.objects.select_for_update()
        .filter(supplier__external_id=external_id, supplier__merged_into__isnull=True, code=code)
        .first()
    )
    if task is None:
        raise NotFoundError()
    _refuse_by_hand(task)
    return _complete(tenant, by, task, note=note, file=None, file_name="")


def complete_if_open(*, tenant: Tenant, by: Actor, supplier: Supplier, code: str, note: str) -> bool:
    """A step of another service: mark the supplier's task ``code`` done if it is open (True when it was).
    The caller's right is checked again: the bank step is done by whoever may approve bank details, any other
    step by whoever may change the supplier; agents never."""
    check_supplier_access(by=by, supplier=supplier, need=STEP_SCOPES.get(code, Scope.SUPPLIER_WRITE))
    task = OnboardingTask.objects.select_for_update().filter(supplier_id=supplier.pk, code=code).first()
    if task is None or task.status != TaskStatus.OPEN:
        return False
    _complete(tenant, by, task, note=note, file=None, file_name="")
    return True


@transaction.atomic
def onboarding_task_waive(*, tenant: Tenant, by: Actor, task_id: Any, reason: str) -> OnboardingTask:
    """Waive an open task, for a reason; only those who qualify suppliers may."""
    task = _task_for(by, task_id, Scope.SUPPLIER_QUALIFY)
    _refuse_by_hand(task)
    errors: dict[str, list[str]] = {}
    reason = _clean_note(reason, errors, field="reason")
    if not reason and not errors:
        errors["reason"] = [_("Say why the task is waived.")]
    if task.status != TaskStatus.OPEN:
        errors["status"] = [_("Only an open task can be waived.")]
    if errors:
        raise invalid(errors)
    task.status = TaskStatus.WAIVED
    task.note = reason
    task.completed_at = timezone.now()
    task.completed_by_label = by.label[:200]
    task.save(update_fields=["status", "note", "completed_at", "completed_by_label"])
    _task_event(tenant, by, task, "waive", reason=reason)
    return task


@transaction.atomic
def onboarding_task_reopen(*, tenant: Tenant, by: Actor, task_id: Any) -> OnboardingTask:
    """Open a done or waived task again; its note and evidence are kept."""
    task = _task_for(by, task_id, Scope.SUPPLIER_WRITE)
    if task.status == TaskStatus.OPEN:
        return task
    before = task.status
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.completed_by_label = ""
    task.save(update_fields=["status", "completed_at", "completed_by_label"])
    _task_event(tenant, by, task, "reopen", status_before=before)
    return task


@transaction.atomic
def onboarding_evidence_download(*, tenant: Tenant, by: Actor, task_id: Any) -> OnboardingTask:
    """The task whose evidence is about to be sent, once the read is recorded."""
    task = access_onboarding_task(by=by, id=task_id, need=Scope.SUPPLIER_READ)
    if not task.file:
        raise NotFoundError()
    audit_record(
        tenant=tenant,
        by=by,
        action="onboarding_task.evidence_download",
        target=task,
        after={"supplier": str(task.supplier_id), "code": task.code, "file_name": task.file_name},
    )
    return task


# The rule before an award


def supplier_award_blockers(supplier: Supplier, today: datetime.date | None = None) -> list[str]:
    """Why business may not be awarded to this supplier now (empty when it may): it must be approved, or
    conditionally approved with the approval not expired; and where its tier's governance requires onboarding,
    every required onboarding task must be done or waived."""
    today = today or timezone.localdate()
    blockers = []
    if supplier.status == SupplierStatus.CONDITIONAL:
        expires = supplier.approval_expires_on
        if expires is not None and expires < today:
            blockers.append(_("The conditional approval expired on %(date)s.") % {"date": expires.isoformat()})
    elif supplier.status != SupplierStatus.APPROVED:
        blockers.append(
            _("The supplier is %(status)s, not approved.") % {"status": supplier.get_status_display().lower()}
        )
    if governance_for(supplier.tier).onboarding_required:
        if not OnboardingTask.objects.filter(supplier_id=supplier.pk).exists():
            blockers.append(_("Onboarding has not been started."))
        for task in selectors.onboarding_missing(supplier):
            blockers.append(_("Onboarding task not done: %(title)s.") % {"title": task.title})
    return blockers


def supplier_can_be_awarded(supplier: Supplier) -> bool:
    return not supplier_award_blockers(supplier)
