"""Risk flag forms: raising a manual flag, closing one, and the filters of the risk list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.forms import Form
from sourcing.models import Membership
from suppliers.forms.onboarding import NOT_OFFERED, people_choices
from suppliers.models import RiskKind, Severity
from suppliers.selectors.onboarding import NO_OWNER

OPEN_CHOICES = [("open", _("Open")), ("closed", _("Closed")), ("all", _("Open and closed"))]


class RiskFlagForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MAJOR)
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=NOT_OFFERED)
    note = forms.CharField(
        label=_("Note (internal)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = people_choices(owners, empty=str(_("Nobody")))  # type: ignore[attr-defined]


class CloseForm(Form):
    note = forms.CharField(label=_("How was it dealt with?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class RiskFilterForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *RiskKind.choices])
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All severities")), *Severity.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=NOT_OFFERED)
    state = forms.ChoiceField(label=_("State"), required=False, choices=OPEN_CHOICES)

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = people_choices(owners, empty=str(_("Anyone")))
        choices.insert(1, (NO_OWNER, str(_("Nobody"))))
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """What ``risk_flag_list`` takes; the open flags of everyone when the form is not valid."""
        if not self.is_valid():
            return {"kind": "", "severity": "", "owner": "", "state": "open"}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "severity": data["severity"],
            "owner": data["owner"],
            "state": data["state"] or "open",
        }
