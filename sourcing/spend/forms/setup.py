"""Forms of the spend set-up pages. They parse what the browser sends; the services validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.categories.models import Category
from sourcing.forms import Form
from sourcing.spend.columns import CANONICAL_COLUMNS, COLUMN_LABELS, REQUIRED_COLUMNS
from sourcing.spend.models import RuleField
from sourcing.spend.selectors import setup as selectors

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FxRateForm(Form):
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("The ISO 4217 code of the foreign currency, e.g. CNY.")
    )
    rate_date = forms.DateField(label=_("Date"), widget=_DATE)
    # Text, not a number field: the service reads it as a Decimal exactly as typed.
    rate = forms.CharField(label=_("Rate"), max_length=40)
    source = forms.CharField(label=_("Source"), max_length=100, required=False, help_text=_("e.g. PBOC, ECB, bank"))

    def __init__(self, *args: Any, base_currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rate"].help_text = _("Units of %(base)s for one unit of the currency, e.g. 0.1381.") % {
            "base": base_currency
        }


class FxRateEditForm(Form):
    rate = forms.CharField(label=_("Rate"), max_length=40)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)


class FxImportForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or GB18030 text with the header currency,rate_date,rate,source (source is optional)."),
    )


class FxFilterForm(Form):
    currency = forms.ChoiceField(label=_("Currency"), required=False)

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All currencies")), *((c, c) for c in currencies)]
        self.fields["currency"].choices = choices  # type: ignore[attr-defined]


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class CategoryRuleForm(Form):
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        initial=100,
        help_text=_("Rules with lower numbers are tried first; the first rule that matches decides."),
    )
    field = forms.ChoiceField(label=_("When"), choices=RuleField.choices)
    pattern = forms.CharField(
        label=_("Value"),
        max_length=200,
        help_text=_("Cost center: the whole value. Description and supplier name: any part. Case is ignored."),
    )
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built inside the tenant scope, so only this tenant's categories are offered (and accepted).
        self.fields["category"].queryset = selectors.category_choices()  # type: ignore[attr-defined]


def column_field_name(column: str) -> str:
    return f"col_{column}"


class ColumnMappingForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. SAP invoice export"))
    date_format = forms.CharField(
        label=_("Date format"),
        max_length=20,
        required=False,
        help_text=_("As in Python's strptime, e.g. %d/%m/%Y or %m/%d/%Y. Empty for YYYY-MM-DD."),
    )
    decimal_comma = forms.BooleanField(
        label=_("Decimal comma"), required=False, help_text=_("Numbers are written like 1.234,56.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in CANONICAL_COLUMNS:
            required = column in REQUIRED_COLUMNS
            self.fields[column_field_name(column)] = forms.CharField(
                label=COLUMN_LABELS[column],
                max_length=200,
                required=required,
                help_text=_("Required") if required else _("Optional"),
            )

    @staticmethod
    def initial_for(mapping: Any) -> dict[str, Any]:
        initial = {"name": mapping.name, "date_format": mapping.date_format, "decimal_comma": mapping.decimal_comma}
        initial.update({column_field_name(c): h for c, h in mapping.columns.items() if c in CANONICAL_COLUMNS})
        return initial

    def main_fields(self) -> list[forms.BoundField]:
        return [self["name"], self["date_format"], self["decimal_comma"]]

    def column_fields(self) -> list[forms.BoundField]:
        return [self[column_field_name(c)] for c in CANONICAL_COLUMNS]

    def columns(self) -> dict[str, str]:
        """{canonical column: header} for the columns given (an empty input means not in the file)."""
        data = self.cleaned_data
        return {c: data[column_field_name(c)] for c in CANONICAL_COLUMNS if data.get(column_field_name(c))}


class SpendSettingsForm(Form):
    fx_max_age_days = forms.IntegerField(
        label=_("FX rate valid for (days)"),
        min_value=1,
        help_text=_("A line uses the latest rate on or before its invoice date, if it is at most this old."),
    )
    amount_tolerance_pct = forms.DecimalField(
        label=_("Amount tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        help_text=_("How far quantity × unit price may differ from the amount (at least one cent)."),
    )
    one_off_max_invoices = forms.IntegerField(
        label=_("One-off: at most this many invoices"),
        min_value=1,
        help_text=_("A vendor with no more invoices than this within the window around a purchase is one-off."),
    )
    one_off_window_days = forms.IntegerField(label=_("One-off: window (days)"), min_value=1)
