"""Forms of the findings and baselines pages. References (category, assignee) are plain choices of ids built
inside the tenant scope; the services resolve them again through the scoped managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.categories.selectors.categories import CategoryNode
from sourcing.forms import Form
from sourcing.models import Membership
from sourcing.spend.models import FindingKind, FindingStatus
from sourcing.spend.selectors.findings import UNASSIGNED
from sourcing.spend.services.findings import TRANSITIONS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A choice that is not offered gets the same message whatever it was, so the answer never depends on
# whether an id exists elsewhere.
_NO_CATEGORY = {"invalid_choice": _("No such category.")}
_NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}
ACTIVE = "active"  # the status filter's value for findings still open or in progress


def member_label(membership: Membership) -> str:
    user = membership.user
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def category_choice_list(nodes: list[CategoryNode], *, empty: str) -> list[tuple[str, str]]:
    """The tree in tree order, indented by depth."""
    return [("", empty)] + [
        (str(n.category.pk), "\u00a0\u00a0" * n.depth + f"{n.category.code} · {n.category.name}") for n in nodes
    ]


class FindingFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (ACTIVE, _("Open or in progress")), *FindingStatus.choices],
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *FindingKind.choices])
    category = forms.ChoiceField(
        label=_("Category"), required=False, error_messages=_NO_CATEGORY, help_text=_("Subcategories included.")
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, error_messages=_NOT_OFFERED)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args: Any, categories: list[CategoryNode], assignees: list[Membership], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choice_list(categories, empty=str(_("All categories")))  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            (UNASSIGNED, _("Nobody")),
            *((str(m.pk), member_label(m)) for m in assignees),
        ]

    def filters(self) -> dict[str, Any]:
        """What the selector takes (``mine`` as a flag); no filter at all when the form is not valid."""
        if not self.is_valid():
            return {"status": "", "kind": "", "category_id": "", "assignee": "", "mine": False}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "kind": data["kind"],
            "category_id": data["category"],
            "assignee": data["assignee"],
            "mine": data["mine"],
        }


class FindingForm(Form):
    """Adding a finding (with its type) or editing one (without)."""

    kind = forms.ChoiceField(label=_("Type"), choices=FindingKind.choices, initial=FindingKind.OTHER)
    title = forms.CharField(label=_("Title"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), required=False, error_messages=_NO_CATEGORY)
    amount = forms.DecimalField(
        label=_("Spend concerned"), min_value=0, max_digits=20, decimal_places=2, initial=0, required=False
    )
    estimated_saving = forms.DecimalField(
        label=_("Estimated saving"), min_value=0, max_digits=20, decimal_places=2, initial=0, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(
        self, *args: Any, categories: list[CategoryNode], currency: str, with_kind: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not with_kind:
            del self.fields["kind"]
        self.fields["category"].choices = category_choice_list(categories, empty="—")  # type: ignore[attr-defined]
        for name in ("amount", "estimated_saving"):
            self.fields[name].help_text = _("In %(currency)s.") % {"currency": currency}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "title": data["title"],
            "category_id": data["category"] or None,
            "amount": data["amount"] if data["amount"] is not None else 0,
            "estimated_saving": data["estimated_saving"] if data["estimated_saving"] is not None else 0,
            "note": data["note"],
        }
        if "kind" in self.fields:
            arguments["kind"] = data["kind"]
        return arguments


class AssignForm(Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, error_messages=_NOT_OFFERED)

    def __init__(self, *args: Any, assignees: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody")),
            *((str(m.pk), member_label(m)) for m in assignees),
        ]


class StatusForm(Form):
    status = forms.ChoiceField(label=_("New status"), error_messages=_NOT_OFFERED)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Replaces the finding's note. Required to dismiss: say why."),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(current, frozenset())
        self.fields["status"].choices = [(v, label) for v, label in FindingStatus.choices if v in allowed]  # type: ignore[attr-defined]


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class BaselineFreezeForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. FY2025 baseline"))
    period_start = forms.DateField(label=_("From"), widget=_DATE)
    period_end = forms.DateField(label=_("To"), widget=_DATE, help_text=_("Invoice dates, both days included."))


class CompareForm(Form):
    period_start = forms.DateField(
        label=_("Compare with the period from"),
        required=False,
        widget=_DATE,
        help_text=_("As long as the baseline's period; by default the one right after it."),
    )
