"""The webhook endpoint form and the delivery log's filter; the services check the URL and the events."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.webhooks.models import DeliveryStatus
from sourcing.webhooks.targets import URL_MAX


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=URL_MAX, help_text=_("Where events are POSTed, e.g. https://erp.example.com/hooks")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple, choices=[], required=False
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, event_types: dict[str, Any], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.fields["event_types"]
        assert isinstance(events, forms.MultipleChoiceField)
        events.choices = [(name, f"{name}: {label}") for name, label in event_types.items()]
        if not editing:
            del self.fields["is_enabled"]  # a new endpoint starts enabled


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *DeliveryStatus.choices], required=False
    )

    def filters(self) -> dict[str, str]:
        return {"status": self.cleaned_data.get("status") or ""} if self.is_valid() else {}
