"""Category forms. References (parent, owner) are plain choices of ids built inside the tenant scope; the
services resolve them again through the scoped managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.categories import tree
from sourcing.categories.models import Category, KraljicPosition, Segment
from sourcing.categories.requirements import AuditType, CertificationType, ComplianceRequirement
from sourcing.categories.selectors import categories as selectors
from sourcing.forms import Form
from sourcing.models import Membership

_SCORE_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]
# A choice that is not offered gets the same message whatever it was, so the answer never depends on
# whether an id exists elsewhere.
_NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}


def _member_label(membership: Membership) -> str:
    user = membership.user
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def owner_choice_list(owners: list[Membership], *, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(m.pk), _member_label(m)) for m in owners)]


class CategoryFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    segment = forms.ChoiceField(label=_("Segment"), required=False, choices=[("", _("All segments")), *Segment.choices])
    position = forms.ChoiceField(
        label=_("Kraljic position"),
        required=False,
        choices=[("", _("All positions")), *KraljicPosition.choices, (selectors.UNSCORED, _("Not scored"))],
    )
    owner = forms.ChoiceField(label=_("Category manager"), required=False, error_messages=_NOT_OFFERED)

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = owner_choice_list(owners, empty=str(_("Anyone")))
        choices.insert(1, (selectors.NO_OWNER, str(_("Nobody"))))
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> selectors.CategoryFilters:
        """What the selector takes; no filter at all when the form is not valid."""
        if not self.is_valid():
            return selectors.NO_FILTERS
        data = self.cleaned_data
        return selectors.CategoryFilters(
            search=data["q"], segment=data["segment"], position=data["position"], owner=data["owner"]
        )


class CategoryForm(Form):
    code = forms.CharField(label=_("Code"), max_length=50, help_text=_("Unique in this organisation, e.g. 111."))
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Parent category"), required=False, error_messages=_NOT_OFFERED)
    owner = forms.ChoiceField(label=_("Category manager"), required=False, error_messages=_NOT_OFFERED)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    segment = forms.ChoiceField(label=_("Segment"), required=False, choices=[("", "—"), *Segment.choices])
    profit_impact = forms.TypedChoiceField(
        label=_("Profit impact (1–5)"),
        required=False,
        choices=_SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        help_text=_("How much the category affects cost, quality and margin. 3 and above counts as high."),
    )
    supply_risk = forms.TypedChoiceField(
        label=_("Supply risk (1–5)"),
        required=False,
        choices=_SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        help_text=_("How hard it is to secure supply: few capable suppliers, long lead times, regulation."),
    )
    is_production_material = forms.BooleanField(label=_("Production material (direct spend)"), required=False)
    expected_lead_time_days = forms.IntegerField(
        label=_("Expected lead time (days)"), required=False, min_value=0, max_value=3650
    )
    compliance_requirements = forms.MultipleChoiceField(
        label=_("Compliance requirements"),
        required=False,
        choices=ComplianceRequirement.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    required_certifications = forms.MultipleChoiceField(
        label=_("Required certifications"),
        required=False,
        choices=CertificationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    required_audits = forms.MultipleChoiceField(
        label=_("Required audits"), required=False, choices=AuditType.choices, widget=forms.CheckboxSelectMultiple
    )
    service_levels = forms.CharField(
        label=_("Service levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. on-time delivery ≥ 95 %, first-pass acceptance ≥ 98 %, response to NCRs within 48 h."),
    )

    def __init__(
        self,
        *args: Any,
        nodes: list[selectors.CategoryNode],
        owners: list[Membership],
        category: Category | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # A category cannot move under itself or below: those are not offered at all.
        excluded = set()
        if category is not None:
            parents = {n.category.pk: n.category.parent_id for n in nodes}
            excluded = tree.subtree(category.pk, tree.children_of(parents))
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("— none (a top-level category) —")),
            *(
                (str(n.category.pk), "\u2003" * n.depth + str(n.category))
                for n in nodes
                if n.category.pk not in excluded
            ),
        ]
        self.fields["owner"].choices = owner_choice_list(owners, empty="—")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(category: Category) -> dict[str, Any]:
        return {
            "code": category.code,
            "name": category.name,
            "parent": str(category.parent_id) if category.parent_id else "",
            "owner": str(category.owner_id) if category.owner_id else "",
            "description": category.description,
            "segment": category.segment,
            "profit_impact": category.profit_impact,
            "supply_risk": category.supply_risk,
            "is_production_material": category.is_production_material,
            "expected_lead_time_days": category.expected_lead_time_days,
            "compliance_requirements": category.compliance_requirements,
            "required_certifications": category.required_certifications,
            "required_audits": category.required_audits,
            "service_levels": category.service_levels,
        }

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned form as the services take it."""
        data = dict(self.cleaned_data)
        data["parent_id"] = data.pop("parent") or None
        data["owner_id"] = data.pop("owner") or None
        return data


class SpecUploadForm(Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("The same title as an existing document adds a new version of it."),
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, Word or Excel."))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ImportForm(Form):
    file = forms.FileField(label=_("CSV file"))
