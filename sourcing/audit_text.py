"""Audit events in words: what each action did, as a sentence in the viewer's language, and the fields it changed
under their own names. The audit log and the activity feeds show these, never the action codes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sourcing.models import AuditEvent

ACTION_TEXT: dict[str, Any] = {
    "agency.activate": _("Activated or deactivated an agency"),
    "agency.create": _("Added an agency"),
    "agent.assign": _("Assigned an agent"),
    "agent.unassign": _("Unassigned an agent"),
    "api_key.create": _("Created an API key"),
    "api_key.revoke": _("Revoked an API key"),
    "audit.answer": _("Answered audit questions"),
    "audit.evidence_download": _("Downloaded audit evidence"),
    "audit.evidence_upload": _("Uploaded audit evidence"),
    "audit.plan": _("Planned an audit"),
    "audit.review_accept": _("Accepted an audit"),
    "audit.review_return": _("Returned an audit for rework"),
    "audit.submit": _("Submitted an audit"),
    "audit_finding.add": _("Recorded an audit finding"),
    "audit_finding.close": _("Closed an audit finding"),
    "audit_question.add": _("Added an audit question"),
    "audit_question.move": _("Moved an audit question"),
    "audit_question.remove": _("Removed an audit question"),
    "audit_question.update": _("Changed an audit question"),
    "audit_template.activate": _("Activated an audit checklist"),
    "audit_template.create": _("Created an audit checklist"),
    "audit_template.update": _("Changed an audit checklist"),
    "bank_account.approve": _("Approved a bank account change"),
    "bank_account.reject": _("Rejected a bank account change"),
    "bank_account.request": _("Requested a bank account change"),
    "bank_account.view": _("Viewed bank account details"),
    "baseline.delete": _("Deleted a savings baseline"),
    "baseline.export": _("Exported a savings baseline"),
    "baseline.freeze": _("Froze a savings baseline"),
    "category.create": _("Added a category"),
    "category.delete": _("Deleted a category"),
    "category.export": _("Exported categories"),
    "category.import": _("Imported categories"),
    "category.update": _("Changed a category"),
    "category_rule.create": _("Added a categorisation rule"),
    "category_rule.delete": _("Deleted a categorisation rule"),
    "category_rule.update": _("Changed a categorisation rule"),
    "category_spec.download": _("Downloaded a category specification"),
    "category_spec.upload": _("Uploaded a category specification"),
    "certification.create": _("Added a certificate"),
    "certification.delete": _("Deleted a certificate"),
    "certification.download": _("Downloaded a certificate"),
    "certification.export": _("Exported certificates"),
    "certification.remind": _("Sent a certificate reminder"),
    "certification.update": _("Changed a certificate"),
    "column_mapping.create": _("Added a column mapping"),
    "column_mapping.delete": _("Deleted a column mapping"),
    "column_mapping.update": _("Changed a column mapping"),
    "document.create": _("Added a document"),
    "document.delete": _("Deleted a document"),
    "document.download": _("Downloaded a document"),
    "document.update": _("Changed a document"),
    "document.version": _("Added a new version of a document"),
    "audit.export": _("Exported factory audits"),
    "audit_event.export": _("Exported the audit log"),
    "duty_rate.create": _("Added a duty rate"),
    "duty_rate.delete": _("Deleted a duty rate"),
    "duty_rate.update": _("Changed a duty rate"),
    "export_job.create": _("Asked for an export"),
    "export_job.failed": _("An export stopped on an error"),
    "export_job.succeeded": _("An export was ready to download"),
    "risk_flag.export": _("Exported risk flags"),
    "finding.assign": _("Assigned a savings finding"),
    "finding.create": _("Raised a savings finding"),
    "finding.export": _("Exported savings findings"),
    "finding.status": _("Moved a savings finding on"),
    "finding.update": _("Changed a savings finding"),
    "fx_rate.create": _("Added an exchange rate"),
    "fx_rate.delete": _("Deleted an exchange rate"),
    "fx_rate.import": _("Imported exchange rates"),
    "fx_rate.update": _("Changed an exchange rate"),
    "landed_cost_settings.update": _("Changed the landed-cost settings"),
    "lane_rate.create": _("Added a freight lane rate"),
    "lane_rate.delete": _("Deleted a freight lane rate"),
    "lane_rate.update": _("Changed a freight lane rate"),
    "member.activate": _("Activated or deactivated a member"),
    "member.change_role": _("Changed a member's role"),
    "member.invite": _("Invited a member"),
    "onboarding.start": _("Started onboarding"),
    "onboarding_item.add": _("Added an onboarding step"),
    "onboarding_item.remove": _("Removed an onboarding step"),
    "onboarding_item.update": _("Changed an onboarding step"),
    "onboarding_task.assign": _("Assigned an onboarding task"),
    "onboarding_task.complete": _("Completed an onboarding task"),
    "onboarding_task.due": _("Set an onboarding task's due date"),
    "onboarding_task.evidence_download": _("Downloaded onboarding evidence"),
    "onboarding_task.reopen": _("Reopened an onboarding task"),
    "onboarding_task.waive": _("Waived an onboarding task"),
    "onboarding_template.create": _("Created an onboarding checklist"),
    "partner_token.create": _("Created a partner token"),
    "partner_token.revoke": _("Revoked a partner token"),
    "risk_flag.close": _("Closed a risk flag"),
    "risk_flag.raise": _("Raised a risk flag"),
    "risk_flag.resolve": _("Resolved a risk flag"),
    "spend_import.create": _("Uploaded a spend file"),
    "spend_import.duplicate_file": _("Uploaded a spend file twice"),
    "spend_import.failed": _("A spend import stopped on an error"),
    "spend_import.rejected": _("A spend import was rejected"),
    "spend_import.succeeded": _("A spend import finished"),
    "spend_settings.update": _("Changed the spend settings"),
    "supplier.approve": _("Approved a supplier"),
    "supplier.approve_conditionally": _("Approved a supplier with conditions"),
    "supplier.block": _("Blocked a supplier"),
    "supplier.contact_add": _("Added a supplier contact"),
    "supplier.contact_remove": _("Removed a supplier contact"),
    "supplier.create": _("Added a supplier"),
    "supplier.export": _("Exported suppliers"),
    "supplier.merge": _("Merged suppliers"),
    "supplier.propose": _("Proposed a supplier"),
    "supplier.proposal_matched_other": _("Proposed a supplier that matches another supplier's identifiers"),
    "supplier.reinstate": _("Reinstated a supplier"),
    "supplier.reject": _("Rejected a supplier"),
    "supplier.requalify": _("Started a supplier's qualification again"),
    "supplier.site_add": _("Added a supplier site"),
    "supplier.site_remove": _("Removed a supplier site"),
    "supplier.start": _("Started a supplier's qualification"),
    "supplier.suspend": _("Suspended a supplier"),
    "supplier.update": _("Changed a supplier"),
    "system.heartbeat": _("Checked the background worker"),
    "tenant.update": _("Changed the organisation's settings"),
    "vendor.link": _("Linked a vendor to a supplier"),
    "vendor.merge": _("Merged vendors"),
    "vendor.unlink": _("Unlinked a vendor from its supplier"),
    "vendor.unmerge": _("Split a merged vendor"),
    "webhook_delivery.redeliver": _("Sent a webhook message again"),
    "webhook_endpoint.create": _("Added a webhook endpoint"),
    "webhook_endpoint.delete": _("Deleted a webhook endpoint"),
    "webhook_endpoint.disable": _("Disabled a webhook endpoint that answered 410 Gone"),
    "webhook_endpoint.rotate_secret": _("Rotated a webhook endpoint's signing secret"),
    "webhook_endpoint.test": _("Sent a test event to a webhook endpoint"),
    "webhook_endpoint.update": _("Changed a webhook endpoint"),
}

# An action code as it would read if it leaked onto a page ("onboarding_task.complete").
ACTION_CODE_RE = re.compile(r"\b(?:" + "|".join(re.escape(code) for code in ACTION_TEXT) + r")\b")


def action_text(action: str) -> str:
    """The sentence for an action; an action without one reads as its words, not its code."""
    text = ACTION_TEXT.get(action)
    if text is not None:
        return str(text)
    return action.replace(".", " ").replace("_", " ").capitalize()


# Keys of a before/after that name a record although the target model has no field of that name.
_KEY_MODELS = {
    "question": "suppliers.auditquestion",
    "critical_findings_raised": "suppliers.auditfinding",
    "agent": "sourcing.membership",
    "supplier": "suppliers.supplier",
    "suppliers": "suppliers.supplier",
}
# What a name needs beside the row itself, fetched in the same query.
_NAME_JOINS = {"sourcing.membership": ["user"], "suppliers.factoryaudit": ["supplier"]}
_GENERIC_REPR = re.compile(r"^\w+ object \(.*\)$")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    """One audit event as people read it."""

    event: AuditEvent
    sentence: str
    object_kind: str
    object_name: str
    changes: list[Change] = field(default_factory=list)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            found = model._meta.get_field(name)
        except Exception:  # noqa: S112 - FieldDoesNotExist, or a reverse relation without a verbose name
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _related(model: type[models.Model] | None, key: str) -> type[models.Model] | None:
    found = _field(model, key)
    if found is not None and found.is_relation and isinstance(found.related_model, type):
        return found.related_model
    return _model(_KEY_MODELS[key]) if key in _KEY_MODELS else None


def _plain(value: Any, choices: dict[str, Any]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, list):
        return ", ".join(_plain(v, choices) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v, choices)}" for k, v in value.items())
    if isinstance(value, str) and UUID_RE.fullmatch(value):
        return gettext("(removed)")  # an id of something no longer there to name
    return str(choices.get(value, value)) if isinstance(value, str) else str(value)


def _ids(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if UUID_RE.fullmatch(str(v))]


def _names(wanted: dict[type[models.Model], set[str]]) -> dict[tuple[type[models.Model], str], str]:
    """One query per kind of record the events name."""
    names = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=ids).select_related(*_NAME_JOINS.get(model._meta.label_lower, []))
        for row in rows:
            names[(model, str(row.pk))] = str(row)
    return names


def describe_events(events: Iterable[AuditEvent], *, changes: bool = True) -> list[Entry]:
    """The events in sentences, each changed field under its verbose name and each id as the name of what it
    names (looked up in one query per kind of record, whatever the number of events). Without ``changes``,
    only the sentences and the objects' names: no query at all."""
    events = list(events)
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for event in events if changes else ():
        model = _model(event.object_type) if event.object_type else None
        for side in (event.before, event.after):
            for key, value in (side or {}).items() if isinstance(side, dict) else ():
                related = _related(model, key)
                if related is not None and value:
                    wanted[related].update(_ids(value))
    names = _names(wanted)
    return [_entry(event, names, changes=changes) for event in events]


def _entry(event: AuditEvent, names: dict[tuple[type[models.Model], str], str], *, changes: bool) -> Entry:
    model = _model(event.object_type) if event.object_type else None
    kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    name = event.object_repr
    if _GENERIC_REPR.match(name) or UUID_RE.search(name):
        name = kind
    entry = Entry(event=event, sentence=action_text(event.action), object_kind=kind, object_name=name)
    if not changes:
        return entry
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    for key in [*before, *(k for k in after if k not in before)]:
        found = _field(model, key)
        related = _related(model, key)
        choices = dict(found.flatchoices) if found is not None and found.choices else {}

        def shown(value: Any, related: type[models.Model] | None = related, choices: dict[str, Any] = choices) -> str:
            if related is not None and value and _ids(value):
                return ", ".join(names.get((related, v), gettext("(removed)")) for v in _ids(value))
            return _plain(value, choices)

        was, now = shown(before.get(key)), shown(after.get(key))
        if was == now:  # unchanged, or empty on both sides of a create or delete
            continue
        label = capfirst(str(found.verbose_name)) if found is not None else capfirst(key.replace("_", " "))
        entry.changes.append(Change(field=label, before=was, after=now))
    return entry


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
