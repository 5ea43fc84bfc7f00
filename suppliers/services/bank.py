"""Bank details. A change is requested as a pending row and takes effect only when a second person approves
it, because changed bank details are the classic payment fraud. Audit events and e-mails carry the masked
account number only; the full number is shown nowhere but the bank tab, to those who hold ``BANK_READ``."""

from __future__ import annotations

import re
from typing import Any

import pycountry
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import ConflictError, DomainError
from sourcing.mail import render_subject
from sourcing.models import USABLE_MEMBERSHIP, Membership, Tenant
from sourcing.roles import Role, Scope
from suppliers.models import BankAccount, BankStatus, Supplier
from suppliers.services import onboarding, onboarding_templates
from suppliers.services.access import access_bank_account, access_supplier
from suppliers.services.common import invalid

ACCOUNT_NUMBER_RE = re.compile(r"^[A-Z0-9]{4,34}$")
SWIFT_RE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")  # ISO 9362: bank, country, location, branch
_NUMBER_SEPARATORS = re.compile(r"[\s\-]+")
NAME_MAX = 255
ADDRESS_MAX = 1000
NOTE_MAX = 2000
# Who is told about a new request: the people who may approve it.
APPROVER_ROLES = (Role.FINANCE, Role.ADMIN)


def _masked(account: BankAccount) -> dict[str, Any]:
    """What an audit event may record of a row: never the full number."""
    return {
        "account_name": account.account_name,
        "bank_name": account.bank_name,
        "account_number": account.masked_number,
        "swift_code": account.swift_code,
        "currency": account.currency,
        "status": account.status,
    }


def clean_account_number(value: Any) -> str:
    return _NUMBER_SEPARATORS.sub("", str(value or "")).upper()


def _clean(
    *,
    account_name: Any,
    bank_name: Any,
    account_number: Any,
    swift_code: Any,
    bank_address: Any,
    currency: Any,
) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    values = {
        "account_name": str(account_name or "").strip(),
        "bank_name": str(bank_name or "").strip(),
        "account_number": clean_account_number(account_number),
        "swift_code": str(swift_code or "").strip().upper().replace(" ", ""),
        "bank_address": str(bank_address or "").strip(),
        "currency": str(currency or "").strip().upper(),
    }
    for name in ("account_name", "bank_name"):
        if not values[name]:
            errors[name] = [_("This field is required.")]
        elif len(values[name]) > NAME_MAX:
            errors[name] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    if not values["account_number"]:
        errors["account_number"] = [_("This field is required.")]
    elif not ACCOUNT_NUMBER_RE.match(values["account_number"]):
        errors["account_number"] = [_("Digits and letters only (spaces and dashes are ignored), 4 to 34 of them.")]
    if values["swift_code"] and not SWIFT_RE.match(values["swift_code"]):
        errors["swift_code"] = [_("A SWIFT/BIC code has 8 or 11 characters, e.g. BKCHCNBJ or BKCHCNBJ110.")]
    if len(values["bank_address"]) > ADDRESS_MAX:
        errors["bank_address"] = [_("At most %(n)d characters.") % {"n": ADDRESS_MAX}]
    if len(values["currency"]) != 3 or pycountry.currencies.get(alpha_3=values["currency"]) is None:
        errors["currency"] = [_("Use an ISO 4217 currency code such as USD or CNY.")]
    if errors:
        raise invalid(errors)
    return values


@transaction.atomic
def bank_change_request(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    account_name: str,
    bank_name: str,
    account_number: str,
    currency: str,
    swift_code: str = "",
    bank_address: str = "",
) -> BankAccount:
    """Request new bank details for a supplier: a pending row that someone else must approve. A supplier has
    at most one pending request; the people who may approve it are e-mailed once the request is saved. Only a
    person may ask: the four-eyes rule compares the requester with the approver, so a request with nobody
    behind it (a task, a command, an API key) could be approved by anyone."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.BANK_WRITE, lock=True)
    if by.user is None:
        raise DomainError(_("A change of bank details is requested by a person, signed in."), code="person_required")
    values = _clean(
        account_name=account_name,
        bank_name=bank_name,
        account_number=account_number,
        swift_code=swift_code,
        bank_address=bank_address,
        currency=currency,
    )
    if BankAccount.objects.filter(supplier_id=supplier.pk, status=BankStatus.PENDING).exists():
        raise ConflictError(
            _("A change of this supplier's bank details is already waiting for approval; approve or reject it first."),
            code="pending_exists",
        )
    try:
        with transaction.atomic():
            account = BankAccount.objects.create(
                tenant=tenant, supplier=supplier, status=BankStatus.PENDING, requested_by=by.user, **values
            )
    except IntegrityError as exc:  # the supplier row lock makes this rare; the constraint makes it impossible
        raise ConflictError(_("A change of this supplier's bank details is already waiting for approval.")) from exc
    audit_record(tenant=tenant, by=by, action="bank_account.request", target=supplier, after=_masked(account))
    recipients = _approvers(exclude_user_id=by.user.pk)
    context = {
        "supplier": supplier.display_name,
        "masked_number": account.masked_number,
        "bank_name": account.bank_name,
        "currency": account.currency,
        "requested_by": by.label,
        "tenant_name": tenant.name,
        "url": settings.SITE_URL.rstrip("/")
        + reverse("supplier_bank", kwargs={"tenant_slug": tenant.slug, "supplier_id": supplier.pk}),
    }
    transaction.on_commit(lambda: _send_request_notice(recipients, context))
    return account


def _approvers(*, exclude_user_id: Any) -> list[tuple[str, str]]:
    """(e-mail, language) of the members who may approve, other than the requester."""
    members = Membership.objects.filter(USABLE_MEMBERSHIP, role__in=APPROVER_ROLES).select_related("user")
    return sorted(
        {(m.user.email, m.user.language) for m in members if m.user.is_active and m.user_id != exclude_user_id}
    )


def _send_request_notice(recipients: list[tuple[str, str]], context: dict[str, Any]) -> None:
    for email, language in recipients:
        with translation.override(language):
            subject = render_subject("suppliers/bank/change_requested_subject.txt", context)
            body = render_to_string("suppliers/bank/change_requested_email.txt", context)
        send_mail(subject, body, None, [email])


def _pending_for_decision(by: Actor, bank_account_id: Any) -> BankAccount:
    # The supplier first, then the row: the order a request takes, so a request and a decision never deadlock.
    account = access_bank_account(by=by, id=bank_account_id, need=Scope.BANK_WRITE, lock=True)
    if account.status != BankStatus.PENDING:
        raise DomainError(
            _("This change has already been decided (%(status)s).") % {"status": account.get_status_display()},
            code="already_decided",
        )
    if by.user is None:
        raise DomainError(_("Bank details are approved or rejected by a person, signed in."), code="person_required")
    if account.requested_by_id is not None and account.requested_by_id == by.user.pk:
        raise DomainError(
            _("You requested this change, so another person must approve or reject it."), code="same_person"
        )
    return account


@transaction.atomic
def bank_change_approve(*, tenant: Tenant, by: Actor, bank_account_id: Any, note: str = "") -> BankAccount:
    """Approve a pending change (by someone other than its requester): it becomes the supplier's active bank
    details and the previous active row is superseded, in one transaction."""
    account = _pending_for_decision(by, bank_account_id)
    if account.requested_by_id is None:
        # Nobody is known to have asked (an older row, or its requester's account is gone): no second person
        # can be told apart from the first, so it can only be rejected and asked again.
        raise DomainError(
            _("Nobody is recorded as having requested this change; reject it and request it again."),
            code="requester_unknown",
        )
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise invalid({"note": [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    previous = (
        BankAccount.objects.select_for_update()
        .filter(supplier_id=account.supplier_id, status=BankStatus.ACTIVE)
        .first()
    )
    now = timezone.now()
    if previous is not None:
        previous.status = BankStatus.SUPERSEDED
        previous.save(update_fields=["status"])  # first, so the one-active constraint holds at every statement
    account.status = BankStatus.ACTIVE
    account.decided_by = by.user
    account.decided_at = now
    account.decision_note = note
    account.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        tenant=tenant,
        by=by,
        action="bank_account.approve",
        target=account.supplier,
        before=_masked(previous) if previous is not None else None,
        after=_masked(account),
    )
    onboarding.complete_if_open(
        tenant=tenant,
        by=by,
        supplier=account.supplier,
        code=onboarding_templates.BANK_DETAILS_VERIFIED,
        note=_("Bank details approved."),
    )
    return account


@transaction.atomic
def bank_change_reject(*, tenant: Tenant, by: Actor, bank_account_id: Any, note: str) -> BankAccount:
    """Reject a pending change (by someone other than its requester), saying why. The active details stay."""
    account = _pending_for_decision(by, bank_account_id)
    note = str(note or "").strip()
    if not note:
        raise invalid({"note": [_("Say why the change is rejected.")]})
    if len(note) > NOTE_MAX:
        raise invalid({"note": [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    account.status = BankStatus.REJECTED
    account.decided_by = by.user
    account.decided_at = timezone.now()
    account.decision_note = note
    account.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        tenant=tenant,
        by=by,
        action="bank_account.reject",
        target=account.supplier,
        after={**_masked(account), "note": note},
    )
    return account


@transaction.atomic
def bank_details_view_record(*, tenant: Tenant, by: Actor, supplier: Supplier) -> None:
    """Record that someone looked at a supplier's full bank details."""
    by.require(Scope.BANK_READ)
    audit_record(tenant=tenant, by=by, action="bank_account.view", target=supplier)
