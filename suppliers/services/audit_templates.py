"""Writes of factory audits' checklist templates and their questions. Templates are kept by those who
configure suppliers (quality, category managers, admins); an audit copies its template's questions when it is
planned (``suppliers.services.audits``), so a later edit of the template changes no planned audit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.categories.requirements import AuditType
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers.models import AuditQuestion, AuditTemplate
from suppliers.services.access import access_audit_question, access_audit_template
from suppliers.services.common import invalid

TEMPLATE_FIELDS = ["name", "audit_type", "description", "pass_score", "is_active"]
QUESTION_FIELDS = ["section", "text", "weight", "is_critical", "position"]
NAME_MAX = AuditTemplate._meta.get_field("name").max_length or 200
SECTION_MAX = AuditQuestion._meta.get_field("section").max_length or 200
WEIGHT_MIN, WEIGHT_MAX = 1, 10


# Checklist templates


def _pass_score(value: Any, errors: dict[str, list[str]]) -> Decimal:
    try:
        score = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["pass_score"] = [_("Enter a number between 0 and 100.")]
        return Decimal(0)
    if not Decimal(0) <= score <= Decimal(100):
        errors["pass_score"] = [_("Enter a number between 0 and 100.")]
    return score


def _template_values(name: str, audit_type: str, description: str, pass_score: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    if audit_type not in AuditType.values:
        errors["audit_type"] = [_("Choose one of the listed options.")]
    score = _pass_score(pass_score, errors)
    if errors:
        raise invalid(errors)
    return {"name": name, "audit_type": audit_type, "description": (description or "").strip(), "pass_score": score}


@transaction.atomic
def audit_template_create(
    *, tenant: Tenant, by: Actor, name: str, audit_type: str, description: str = "", pass_score: Any = 70
) -> AuditTemplate:
    """A new, active checklist template without questions."""
    by.require(Scope.SUPPLIER_CONFIGURE)
    values = _template_values(name, audit_type, description, pass_score)
    template = AuditTemplate.objects.create(tenant=tenant, **values)
    audit_record(
        tenant=tenant, by=by, action="audit_template.create", target=template, after=snapshot(template, TEMPLATE_FIELDS)
    )
    return template


@transaction.atomic
def audit_template_update(
    *, tenant: Tenant, by: Actor, template_id: Any, name: str, audit_type: str, description: str, pass_score: Any
) -> AuditTemplate:
    """Change a template's name, type, description or pass score; audits already planned keep theirs."""
    template = access_audit_template(by=by, id=template_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    values = _template_values(name, audit_type, description, pass_score)
    before = snapshot(template, TEMPLATE_FIELDS)
    for key, value in values.items():
        setattr(template, key, value)
    after = snapshot(template, TEMPLATE_FIELDS)
    if after != before:
        template.save(update_fields=list(values))
        audit_record(tenant=tenant, by=by, action="audit_template.update", target=template, before=before, after=after)
    return template


@transaction.atomic
def audit_template_set_active(*, tenant: Tenant, by: Actor, template_id: Any, active: bool) -> AuditTemplate:
    """Deactivate a template (no new audit can be planned against it) or bring it back."""
    template = access_audit_template(by=by, id=template_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    if template.is_active != active:
        template.is_active = active
        template.save(update_fields=["is_active"])
        audit_record(
            tenant=tenant,
            by=by,
            action="audit_template.activate" if active else "audit_template.deactivate",
            target=template,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return template


def _question_values(section: str, text: str, weight: Any, is_critical: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    section = (section or "").strip()
    text = (text or "").strip()
    if not section:
        errors["section"] = [_("A section is required.")]
    elif len(section) > SECTION_MAX:
        errors["section"] = [_("At most %(n)d characters.") % {"n": SECTION_MAX}]
    if not text:
        errors["text"] = [_("The question is required.")]
    try:
        weight = int(weight)
    except (TypeError, ValueError):
        weight = 0
    if not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        errors["weight"] = [_("A weight from %(low)d to %(high)d.") % {"low": WEIGHT_MIN, "high": WEIGHT_MAX}]
    if errors:
        raise invalid(errors)
    return {"section": section, "text": text, "weight": weight, "is_critical": bool(is_critical)}


@transaction.atomic
def audit_question_add(
    *,
    tenant: Tenant,
    by: Actor,
    template_id: Any,
    section: str,
    text: str,
    weight: Any = 1,
    is_critical: bool = False,
) -> AuditQuestion:
    """Add a question at the end of its section (a new section goes after the others)."""
    # locked: positions are handed out one at a time
    template = access_audit_template(by=by, id=template_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    values = _question_values(section, text, weight, is_critical)
    last = AuditQuestion.objects.filter(template_id=template.pk).aggregate(m=Max("position"))["m"]
    question = AuditQuestion.objects.create(tenant=tenant, template=template, position=(last or 0) + 1, **values)
    audit_record(
        tenant=tenant,
        by=by,
        action="audit_question.add",
        target=template,
        after={"question": str(question.pk), **snapshot(question, QUESTION_FIELDS)},
    )
    return question


@transaction.atomic
def audit_question_update(
    *, tenant: Tenant, by: Actor, question_id: Any, section: str, text: str, weight: Any, is_critical: bool
) -> AuditQuestion:
    question = access_audit_question(by=by, id=question_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    values = _question_values(section, text, weight, is_critical)
    before = snapshot(question, QUESTION_FIELDS)
    for key, value in values.items():
        setattr(question, key, value)
    after = snapshot(question, QUESTION_FIELDS)
    if after != before:
        question.save(update_fields=list(values))
        audit_record(
            tenant=tenant,
            by=by,
            action="audit_question.update",
            target=question.template,
            before={"question": str(question.pk), **before},
            after={"question": str(question.pk), **after},
        )
    return question


@transaction.atomic
def audit_question_remove(*, tenant: Tenant, by: Actor, question_id: Any) -> None:
    """Remove a question from its template; audits already planned keep their copy."""
    question = access_audit_question(by=by, id=question_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    template = question.template
    before = {"question": str(question.pk), **snapshot(question, QUESTION_FIELDS)}
    question.delete()
    audit_record(tenant=tenant, by=by, action="audit_question.remove", target=template, before=before)


@transaction.atomic
def audit_question_move(*, tenant: Tenant, by: Actor, question_id: Any, up: bool) -> AuditQuestion:
    """Swap a question with its neighbour in the same section (above when ``up``); at the edge, nothing."""
    question = access_audit_question(by=by, id=question_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    # one reorder at a time per template
    access_audit_template(by=by, id=question.template_id, need=Scope.SUPPLIER_CONFIGURE, lock=True)
    siblings = AuditQuestion.objects.filter(template_id=question.template_id, section=question.section)
    neighbour = (
        siblings.filter(position__lt=question.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=question.position).order_by("position").first()
    )
    if neighbour is None:
        return question
    question.position, neighbour.position = neighbour.position, question.position
    AuditQuestion.objects.bulk_update([question, neighbour], ["position"])
    audit_record(
        tenant=tenant,
        by=by,
        action="audit_question.move",
        target=question.template,
        after={"question": str(question.pk), "position": question.position, "up": up},
    )
    return question
