"""Forms of factory audits and their templates. References (template, auditor, site, owner, item) are plain
choices of ids built inside the tenant scope; the services resolve them again through the scoped managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.categories.requirements import AuditType
from sourcing.forms import Form
from sourcing.models import Membership
from suppliers.models import AnswerChoice, AuditItem, AuditStatus, AuditTemplate, Severity, Site, Supplier

# A choice that is not offered gets the same message whatever it was, so the answer never depends on
# whether an id exists elsewhere.
_NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}
_DATE = forms.DateInput(attrs={"type": "date"})


def member_label(membership: Membership) -> str:
    user = membership.user
    name = f"{user.full_name} ({user.email})" if user.full_name else user.email
    if membership.role == "agent":
        agency = membership.agency.name if membership.agency_id and membership.agency else ""
        return f"{name} · {_('agent')}{f' · {agency}' if agency else ''}"
    return name


def _choices(pairs: list[tuple[Any, str]], *, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(pk), label) for pk, label in pairs)]


class AuditTemplateForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    audit_type = forms.ChoiceField(label=_("Audit type"), choices=AuditType.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    pass_score = forms.DecimalField(
        label=_("Pass score (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=70,
        help_text=_("An audit passes at this score or above, unless a critical item is not met."),
    )

    @staticmethod
    def initial_for(template: AuditTemplate) -> dict[str, Any]:
        return {
            "name": template.name,
            "audit_type": template.audit_type,
            "description": template.description,
            "pass_score": template.pass_score,
        }


class AuditQuestionForm(Form):
    section = forms.CharField(label=_("Section"), max_length=200)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(label=_("Weight (1–10)"), min_value=1, max_value=10, initial=1)
    is_critical = forms.BooleanField(
        label=_("Critical"), required=False, help_text=_("Not meeting a critical item fails the audit.")
    )

    def __init__(self, *args: Any, sections: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sections:
            self.fields["section"].widget.attrs["list"] = "audit-sections"
        self.sections = sections or []


class AuditPlanForm(Form):
    template = forms.ChoiceField(label=_("Checklist"), error_messages=_NOT_OFFERED)
    auditor = forms.ChoiceField(label=_("Auditor"), error_messages=_NOT_OFFERED)
    site = forms.ChoiceField(label=_("Site"), required=False, error_messages=_NOT_OFFERED)
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=_DATE)

    def __init__(
        self,
        *args: Any,
        templates: list[AuditTemplate],
        auditors: list[Membership],
        sites: list[Site],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = _choices(  # type: ignore[attr-defined]
            [(t.pk, f"{t.name} · {t.get_audit_type_display()}") for t in templates], empty="—"
        )
        self.fields["auditor"].choices = _choices(  # type: ignore[attr-defined]
            [(m.pk, member_label(m)) for m in auditors], empty="—"
        )
        self.fields["site"].choices = _choices(  # type: ignore[attr-defined]
            [(s.pk, s.name) for s in sites], empty=str(_("The supplier as a whole"))
        )


class AuditAnswersForm(Form):
    """One answer and one comment per item: fields ``answer_<item id>`` and ``comment_<item id>``."""

    def __init__(self, *args: Any, items: list[AuditItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                required=False,
                choices=[("", _("Not answered yet")), *AnswerChoice.choices],
                initial=item.answer,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                initial=item.comment,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {str(i.pk): (data[f"answer_{i.pk}"], data[f"comment_{i.pk}"]) for i in self.items}

    def attach(self, items: list[AuditItem]) -> None:
        """Give each item its bound fields (``answer_field``, ``comment_field``), for a template that lays the
        checklist out itself."""
        for item in items:
            item.answer_field = self[f"answer_{item.pk}"]  # type: ignore[attr-defined]
            item.comment_field = self[f"comment_{item.pk}"]  # type: ignore[attr-defined]


def _item_choices(items: list[AuditItem]) -> list[tuple[str, str]]:
    return _choices(
        [(i.pk, f"{n}. {i.text[:90]}") for n, i in enumerate(items, start=1)],
        empty=str(_("The audit as a whole")),
    )


class EvidenceForm(Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, Word or Excel."))
    item = forms.ChoiceField(label=_("Checklist item"), required=False, error_messages=_NOT_OFFERED)
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)

    def __init__(self, *args: Any, items: list[AuditItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _item_choices(items)  # type: ignore[attr-defined]


class FindingForm(Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    item = forms.ChoiceField(label=_("Checklist item"), required=False, error_messages=_NOT_OFFERED)
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(label=_("Follow-up action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=_NOT_OFFERED)
    due_on = forms.DateField(label=_("Due"), required=False, widget=_DATE)

    def __init__(self, *args: Any, items: list[AuditItem], owners: list[Membership] | None, **kwargs: Any) -> None:
        """``owners=None`` leaves the owner out (partner pages: agents do not pick internal people)."""
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _item_choices(items)  # type: ignore[attr-defined]
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = _choices(  # type: ignore[attr-defined]
                [(m.pk, member_label(m)) for m in owners], empty="—"
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "severity": data["severity"],
            "item_id": data["item"] or None,
            "description": data["description"],
            "action": data["action"],
            "owner_id": data.get("owner") or None,
            "due_on": data["due_on"],
        }


class SubmitForm(Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    performed_on = forms.DateField(
        label=_("Performed on"), required=False, widget=_DATE, help_text=_("The day of the visit; today if empty.")
    )


class FindingCloseForm(Form):
    note = forms.CharField(label=_("What was done"), max_length=2000)


class ReviewForm(Form):
    """Quality's review of an agent's submitted audit; the note is required to return it (the service says so)."""

    note = forms.CharField(
        label=_("Note to the auditor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the audit; the agent sees it on their audit page and by e-mail."),
    )


_STATUS_FILTER = [
    ("", _("All")),
    *[
        (value, _("Awaiting review") if value == AuditStatus.SUBMITTED else label)
        for value, label in AuditStatus.choices
    ],
]


class AuditFilterForm(Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_STATUS_FILTER)
    audit_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *AuditType.choices])
    auditor = forms.ChoiceField(label=_("Auditor"), required=False, error_messages=_NOT_OFFERED)
    supplier = forms.ChoiceField(label=_("Supplier"), required=False, error_messages=_NOT_OFFERED)

    def __init__(self, *args: Any, auditors: list[Membership], suppliers: list[Supplier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].choices = _choices(  # type: ignore[attr-defined]
            [(m.pk, member_label(m)) for m in auditors], empty=str(_("Anyone"))
        )
        self.fields["supplier"].choices = _choices(  # type: ignore[attr-defined]
            [(s.pk, s.display_name) for s in suppliers], empty=str(_("All suppliers"))
        )

    def filters(self) -> dict[str, Any]:
        """What the selector takes; no filter at all when the form is not valid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "audit_type": data["audit_type"],
            "auditor": data["auditor"] or None,
            "supplier": data["supplier"] or None,
        }


class FindingFilterForm(Form):
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
