"""Onboarding checklists: the template of each tier and its items, kept by the people who configure suppliers.
A tenant that has never saved a template gets the defaults below the first time one is needed (a supplier's
tasks are made from it: ``suppliers.services.onboarding``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers.models import (
    OnboardingItem,
    OnboardingTemplate,
    Tier,
)
from suppliers.selectors import onboarding as selectors
from suppliers.services.access import (
    access_onboarding_item,
    access_onboarding_template,
)
from suppliers.services.common import invalid

ERP_VENDOR_CREATED = "erp_vendor_created"
BANK_DETAILS_VERIFIED = "bank_details_verified"
# Steps another service completes, and the scope that service acts with (any other step: supplier:write).
STEP_SCOPES = {BANK_DETAILS_VERIFIED: Scope.BANK_WRITE}


@dataclass(frozen=True)
class DefaultItem:
    code: str
    title: str  # an English source string, stored in the tenant's language
    due_days: int
    required_for: frozenset[str]  # the tiers for which the item is required (optional for the others)


_ALL = frozenset(Tier.values)
_CRITICAL = frozenset({Tier.STRATEGIC, Tier.CORE})
DEFAULT_ITEMS = [
    DefaultItem("nda_signed", gettext_noop("NDA signed"), 14, _ALL),
    DefaultItem("quality_agreement_signed", gettext_noop("Quality agreement signed"), 30, _CRITICAL),
    DefaultItem(BANK_DETAILS_VERIFIED, gettext_noop("Bank details verified"), 14, _ALL),
    DefaultItem("code_of_conduct_acknowledged", gettext_noop("Code of conduct acknowledged"), 14, _ALL),
    DefaultItem(ERP_VENDOR_CREATED, gettext_noop("ERP vendor created"), 7, _ALL),
    DefaultItem("first_sample_approved", gettext_noop("First sample approved"), 45, _CRITICAL),
]

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
TITLE_MAX = 200
DUE_DAYS_MAX = 365


# Templates


def _template_create(tenant: Tenant, by: Actor, tier: str) -> OnboardingTemplate:
    with translation.override(tenant.default_language):
        label = Tier(tier).label
        template = OnboardingTemplate.objects.create(
            tenant=tenant, tier=tier, name=_("%(tier)s suppliers") % {"tier": label}
        )
        OnboardingItem.objects.bulk_create(
            OnboardingItem(
                tenant=tenant,
                template=template,
                code=d.code,
                title=_(d.title),
                is_required=tier in d.required_for,
                due_days=d.due_days,
                position=i,
            )
            for i, d in enumerate(DEFAULT_ITEMS, start=1)
        )
    audit_record(
        tenant=tenant,
        by=by,
        action="onboarding_template.create",
        target=template,
        after={"tier": tier, "items": [d.code for d in DEFAULT_ITEMS]},
    )
    return template


def template_for(tenant: Tenant, by: Actor, tier: str) -> OnboardingTemplate:
    """The tier's template, made from the defaults on first use."""
    template = OnboardingTemplate.objects.filter(tier=tier).first()
    if template is not None:
        return template
    try:
        with transaction.atomic():
            return _template_create(tenant, by, tier)
    except IntegrityError:  # made by a concurrent request a moment ago: that one stands
        return OnboardingTemplate.objects.get(tier=tier)


@transaction.atomic
def onboarding_templates_ensure(*, tenant: Tenant, by: Actor) -> list[OnboardingTemplate]:
    """Every tier's template, the missing ones made from the defaults."""
    by.require(Scope.SUPPLIER_CONFIGURE)
    for tier in Tier.values:
        template_for(tenant, by, tier)
    return selectors.onboarding_templates()


def _clean_item(
    *, title: Any, due_days: Any, position: Any = None, errors: dict[str, list[str]]
) -> tuple[str, int, int | None]:
    title = str(title or "").strip()
    if not title:
        errors["title"] = [_("A title is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    days = _int(due_days)
    if days is None or not 0 <= days <= DUE_DAYS_MAX:
        errors["due_days"] = [_("A whole number of days from 0 to %(n)d.") % {"n": DUE_DAYS_MAX}]
    place = None
    if position not in (None, ""):
        place = _int(position)
        if place is None or place < 0:
            errors["position"] = [_("A whole number, 0 or more.")]
    return title, days or 0, place


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _item_snapshot(item: OnboardingItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "title": item.title,
        "is_required": item.is_required,
        "due_days": item.due_days,
        "position": item.position,
    }


@transaction.atomic
def onboarding_item_add(
    *,
    tenant: Tenant,
    by: Actor,
    template_id: Any,
    code: str,
    title: str,
    is_required: bool = True,
    due_days: Any = 14,
    position: Any = None,
) -> OnboardingItem:
    """Add an item to a tier's checklist. Suppliers already onboarding get it when onboarding is started again."""
    template = access_onboarding_template(by=by, id=template_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    errors: dict[str, list[str]] = {}
    code = str(code or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = [_("Lower-case letters, digits, - and _, at most 50 characters, e.g. nda_signed.")]
    elif template.items.filter(code=code).exists():
        errors["code"] = [_("This checklist already has an item with the code %(code)s.") % {"code": code}]
    title, days, place = _clean_item(title=title, due_days=due_days, position=position, errors=errors)
    if errors:
        raise invalid(errors)
    if place is None:
        place = (template.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = OnboardingItem.objects.create(
        tenant=tenant,
        template=template,
        code=code,
        title=title,
        is_required=bool(is_required),
        due_days=days,
        position=place,
    )
    audit_record(tenant=tenant, by=by, action="onboarding_item.add", target=template, after=_item_snapshot(item))
    return item


@transaction.atomic
def onboarding_item_update(
    *, tenant: Tenant, by: Actor, item_id: Any, title: str, is_required: bool, due_days: Any, position: Any = None
) -> OnboardingItem:
    """Change an item's title, whether it is required, its due days or its place. Its code stays: tasks
    already made from it keep theirs."""
    item = access_onboarding_item(by=by, id=item_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    errors: dict[str, list[str]] = {}
    title, days, place = _clean_item(title=title, due_days=due_days, position=position, errors=errors)
    if errors:
        raise invalid(errors)
    before = _item_snapshot(item)
    item.title, item.is_required, item.due_days = title, bool(is_required), days
    if place is not None:
        item.position = place
    after = _item_snapshot(item)
    if after != before:
        item.save()
        audit_record(
            tenant=tenant, by=by, action="onboarding_item.update", target=item.template, before=before, after=after
        )
    return item


@transaction.atomic
def onboarding_item_remove(*, tenant: Tenant, by: Actor, item_id: Any) -> OnboardingTemplate:
    """Take an item off a checklist; tasks already made from it stay with their suppliers."""
    item = access_onboarding_item(by=by, id=item_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    template = item.template
    before = _item_snapshot(item)
    item.delete()
    audit_record(tenant=tenant, by=by, action="onboarding_item.remove", target=template, before=before)
    return template
