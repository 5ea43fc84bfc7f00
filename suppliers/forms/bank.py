"""Bank detail forms: the change request and the decision on it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.forms import Form


class BankChangeForm(Form):
    account_name = forms.CharField(label=_("Account name"), max_length=255)
    bank_name = forms.CharField(label=_("Bank"), max_length=255)
    account_number = forms.CharField(
        label=_("Account number"), max_length=64, help_text=_("Digits and letters; spaces and dashes are ignored.")
    )
    swift_code = forms.CharField(
        label=_("SWIFT/BIC"), max_length=14, required=False, help_text=_("8 or 11 characters, e.g. BKCHCNBJ.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD", help_text=_("ISO 4217, e.g. USD."))
    bank_address = forms.CharField(
        label=_("Bank address"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
