"""Forms of the supplier master pages. Choices of ids (owners, categories) are built inside the tenant scope; the
services resolve every id again through the scoped managers, so a form never decides what exists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.forms import Form
from sourcing.models import Membership
from suppliers.models import RiskKind, SiteKind, SupplierStatus, SupplierType, Tier
from suppliers.selectors.master import SupplierFilter
from suppliers.services.supplier_fields import ProposalFields, SupplierFields

_NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}
LANGUAGES = [("zh-hans", "中文（简体）"), ("en", "English"), ("vi", "Tiếng Việt"), ("es", "Español")]


def member_label(membership: Membership) -> str:
    user = membership.user
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _category_choices(categories: list[Any]) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.code} {c.name}") for c in categories]


class SupplierFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *SupplierStatus.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    supplier_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *SupplierType.choices]
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False, error_messages=_NOT_OFFERED)
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=_NOT_OFFERED)
    risk = forms.ChoiceField(
        label=_("Risk"),
        required=False,
        choices=[("", _("Any")), ("any", _("Any open flag")), *RiskKind.choices],
    )
    certificates = forms.ChoiceField(
        label=_("Certificates"),
        required=False,
        choices=[("", _("Any")), ("expiring", _("Expiring within 30 days")), ("expired", _("Expired"))],
    )

    def __init__(self, *args: Any, categories: list[Any], owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *_category_choices(categories)]  # type: ignore[attr-defined]
        self.fields["owner"].choices = [("", _("Anyone")), *((str(m.pk), member_label(m)) for m in owners)]  # type: ignore[attr-defined]

    def filters(self) -> SupplierFilter:
        if not self.is_bound or not self.is_valid():
            return SupplierFilter()
        d = self.cleaned_data
        return SupplierFilter(
            q=d["q"].strip(),
            status=d["status"],
            tier=d["tier"],
            supplier_type=d["supplier_type"],
            country=d["country"].strip().upper(),
            province=d["province"].strip(),
            category_id=d["category"] or None,
            owner_id=d["owner"] or None,
            risk=d["risk"],
            certificates=d["certificates"],
        )


class SupplierForm(Form):
    legal_name = forms.CharField(
        label=_("Legal name (English)"),
        max_length=255,
        required=False,
        help_text=_("May follow later when the registered Chinese name is given."),
    )
    local_name = forms.CharField(
        label=_("Local name"),
        max_length=255,
        required=False,
        help_text=_("As registered, e.g. 宁波永辉家居用品有限公司."),
    )
    aliases = forms.CharField(
        label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    supplier_type = forms.ChoiceField(label=_("Type"), choices=SupplierType.choices)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.TRANSACTIONAL)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters, for companies registered in mainland China."),
    )
    country = forms.CharField(label=_("Country"), max_length=2, initial="CN", help_text=_("ISO code: CN, VN, MX, US…"))
    province = forms.CharField(label=_("Province / state"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    year_founded = forms.CharField(label=_("Year founded"), max_length=4, required=False)
    employees = forms.CharField(label=_("Employees"), max_length=10, required=False)
    capacity_notes = forms.CharField(label=_("Capacity"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    categories = forms.MultipleChoiceField(
        label=_("Categories supplied"), required=False, error_messages=_NOT_OFFERED, widget=forms.SelectMultiple
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=_NOT_OFFERED)
    external_id = forms.CharField(label=_("ERP id"), max_length=100, required=False)
    internal_notes = forms.CharField(
        label=_("Internal notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_notes = forms.CharField(label=_("Risk notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    allow_duplicates = forms.BooleanField(
        label=_("This is a different company from the possible duplicates shown"), required=False
    )

    # form field → service field
    RENAMED = {"categories": "category_ids", "owner": "owner_id"}

    def __init__(self, *args: Any, categories: list[Any], owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = _category_choices(categories)  # type: ignore[attr-defined]
        self.fields["owner"].choices = [("", _("Nobody yet")), *((str(m.pk), member_label(m)) for m in owners)]  # type: ignore[attr-defined]

    def fields_for_service(self) -> SupplierFields:
        d = dict(self.cleaned_data)
        d.pop("allow_duplicates", None)
        return SupplierFields.of({self.RENAMED.get(k, k): v for k, v in d.items()})


class ProposalForm(Form):
    """What an agent gives when proposing a supplier: identity and contact points, nothing internal."""

    local_name = SupplierForm.base_fields["local_name"]  # from the business licence; the English may follow
    legal_name = SupplierForm.base_fields["legal_name"]
    supplier_type = SupplierForm.base_fields["supplier_type"]
    credit_code = SupplierForm.base_fields["credit_code"]
    country = SupplierForm.base_fields["country"]
    province = SupplierForm.base_fields["province"]
    city = SupplierForm.base_fields["city"]
    address = SupplierForm.base_fields["address"]
    website = SupplierForm.base_fields["website"]
    phone = SupplierForm.base_fields["phone"]
    capacity_notes = SupplierForm.base_fields["capacity_notes"]
    allow_duplicates = SupplierForm.base_fields["allow_duplicates"]

    def fields_for_service(self) -> ProposalFields:
        d = dict(self.cleaned_data)
        d.pop("allow_duplicates", None)
        return ProposalFields.of(d)


class TransitionForm(Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.CharField(
        label=_("Conditional approval ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SiteForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    country = forms.CharField(label=_("Country"), max_length=2, initial="CN")
    province = forms.CharField(label=_("Province / state"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    processes = forms.CharField(
        label=_("Processes"), required=False, help_text=_("Separated by commas, e.g. injection moulding, assembly.")
    )
    capacity = forms.CharField(label=_("Capacity"), max_length=500, required=False)


class ContactForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=100, required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Shanghai")
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class MergeForm(Form):
    target = forms.CharField(label=_("Keep"), max_length=64)
    source = forms.CharField(label=_("Merge into it"), max_length=64)
