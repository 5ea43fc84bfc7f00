"""Forms of the spend pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.forms import Form
from sourcing.spend.models import ColumnMapping


class UploadForm(Form):
    file = forms.FileField(label=_("Spend file (CSV or XLSX)"))
    mapping = forms.ModelChoiceField(
        label=_("Column layout"),
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label=_("Canonical columns"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # built inside the tenant scope: only this tenant's mappings can be chosen, another's id is "invalid"
        self.fields["mapping"].queryset = ColumnMapping.objects.order_by("name")  # type: ignore[attr-defined]
