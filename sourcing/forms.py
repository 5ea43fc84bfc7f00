from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sourcing.errors import DomainError
from sourcing.models import LANGUAGE_CHOICES, Agency
from sourcing.roles import ApiKeyScope, Role
from sourcing.text import validate_multi_line, validate_single_line

COMMON_ZONES = [
    "America/Chicago",
    "America/Los_Angeles",
    "America/New_York",
    "America/Denver",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Ho_Chi_Minh",
    "America/Mexico_City",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
]


# Legacy aliases (US/Central, Etc/GMT+8, …) stay valid when stored but are not offered.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")


def zone_choices() -> list[tuple[str, str]]:
    canonical = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(_LEGACY_PREFIXES)} - set(
        COMMON_ZONES
    )
    return [(z, z) for z in COMMON_ZONES] + [(z, z) for z in sorted(canonical)]


def refuse_control_characters(form: forms.BaseForm) -> None:
    """Give every text field of ``form`` the control-character check: a textarea is multi-line text, any other
    text field a single line (``sourcing.text``)."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField):
            continue
        check = validate_multi_line if isinstance(field.widget, forms.Textarea) else validate_single_line
        if check not in field.validators:
            field.validators.append(check)


class Form(forms.Form):
    """Project forms: labels without Django's trailing colon; text with control characters refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        # Here rather than in __init__, so fields a subclass adds after it are checked too.
        refuse_control_characters(self)
        super().full_clean()


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))


class AgencyChoiceMixin(Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False, label=_("Agency"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built inside the tenant scope, so the choices are this tenant's agencies only.
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)  # type: ignore[attr-defined]


class InviteForm(AgencyChoiceMixin):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("For a new person: the language of the site and of their e-mails."),
    )
    field_order = ["email", "full_name", "role", "agency", "language"]


class RoleForm(AgencyChoiceMixin):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    field_order = ["role", "agency"]


class AgencyForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, initial="CN")
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)


class ApiKeyForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple, initial=["read"]
    )


class TenantSettingsForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    base_currency = forms.CharField(label=_("Base currency"), max_length=3)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)


class PreferencesForm(Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)


class AssignForm(Form):
    supplier = forms.UUIDField(label=_("Supplier"))
    agent = forms.UUIDField(label=_("Agent"))


class AuditFilterForm(Form):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=[("", _("All"))])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, object_types: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All"))] + [(t, t) for t in object_types or []]
        self.fields["object_type"].choices = choices  # type: ignore[attr-defined]


def add_service_errors(form: forms.Form, exc: DomainError, *, renames: dict[str, str] | None = None) -> None:
    """Show a service's errors on the form fields they name (``renames`` maps service names to form names);
    an error naming no field of the form is shown above the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, errors in exc.fields.items():
        target = (renames or {}).get(name, name)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)
