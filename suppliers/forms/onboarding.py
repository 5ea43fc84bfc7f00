"""Onboarding forms. People are plain choices of membership ids built inside the tenant scope; the services
resolve them again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.forms import Form
from sourcing.models import Membership
from suppliers.selectors.onboarding import NO_OWNER

NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}


def member_label(membership: Membership) -> str:
    user = membership.user
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def people_choices(owners: list[Membership], *, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(m.pk), member_label(m)) for m in owners)]


class ItemForm(Form):
    code = forms.CharField(
        label=_("Code"), max_length=50, help_text=_("Lower-case letters, digits, - and _; it cannot be changed later.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    is_required = forms.BooleanField(label=_("Required before an award"), required=False, initial=True)
    due_days = forms.IntegerField(label=_("Due after (days)"), min_value=0, max_value=365, initial=14)
    position = forms.IntegerField(label=_("Position"), min_value=0, required=False)


class ItemEditForm(ItemForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]


class AssignForm(Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=NOT_OFFERED)

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = people_choices(owners, empty=str(_("Nobody")))  # type: ignore[attr-defined]


class DueForm(Form):
    due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CompleteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel."))


class WaiveForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OverdueFilterForm(Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=NOT_OFFERED)

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = people_choices(owners, empty=str(_("Anyone")))
        choices.insert(1, (NO_OWNER, str(_("Nobody"))))
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def owner_filter(self) -> str:
        return self.cleaned_data["owner"] if self.is_valid() else ""
