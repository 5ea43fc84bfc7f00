"""The fields of a supplier that its create, update, ERP upsert and agents' proposals take, as typed values, and
their checks. A field left out (``UNSET``) is not given: an update changes only the fields given. Values are
as people and the ERP send them (a year as text, category ids as strings); the checks name every bad field."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.categories.models import Category
from sourcing.errors import DomainError
from sourcing.ids import as_uuid
from sourcing.models import Membership, validate_country
from suppliers.governance import OWNER_ROLES
from suppliers.identifiers import InvalidIdentifier, validate_uscc
from suppliers.models import SupplierType, Tier
from suppliers.names import display_name, phone_key, website_key
from suppliers.services.common import UNSET, Unset, invalid


def name_required() -> str:
    # the English name may follow: an agent may propose a supplier from its business licence (营业执照) alone
    return _("Give the English legal name or the registered Chinese name.")


TEXT_FIELDS = {
    "legal_name": 255,
    "local_name": 255,
    "province": 100,
    "city": 100,
    "website": 255,
    "phone": 50,
    "external_id": 100,
}
LONG_TEXT_FIELDS = ["address", "capacity_notes", "internal_notes", "risk_notes"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalFields:
    """What an agent may give when proposing a supplier: identity and contact points, nothing internal."""

    legal_name: str | Unset = UNSET
    local_name: str | Unset = UNSET
    supplier_type: str | Unset = UNSET
    credit_code: str | Unset = UNSET
    country: str | Unset = UNSET
    province: str | Unset = UNSET
    city: str | Unset = UNSET
    address: str | Unset = UNSET
    website: str | Unset = UNSET
    phone: str | Unset = UNSET
    year_founded: int | str | Unset | None = UNSET
    employees: int | str | Unset | None = UNSET
    capacity_notes: str | Unset = UNSET
    category_ids: Sequence[Any] | Unset | None = UNSET  # category ids, as UUIDs or their text

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Any:
        """The fields from a mapping of them (a form's cleaned data, a JSON body already checked for unknown
        fields); a name that is not a field is refused by name."""
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})
        return cls(**values)

    def given(self) -> dict[str, Any]:
        """The fields that were given, by name."""
        return {name: value for name in self.names() if (value := getattr(self, name)) is not UNSET}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SupplierFields(ProposalFields):
    """Every field of a supplier that people and the ERP write."""

    aliases: Sequence[str] | str | Unset = UNSET  # a list, or one name a line
    tier: str | Unset = UNSET
    external_id: str | Unset = UNSET
    owner_id: Any = UNSET  # a membership id (UUID or its text), or None/"" for nobody
    internal_notes: str | Unset = UNSET
    risk_notes: str | Unset = UNSET


SUPPLIER_FIELDS = SupplierFields.names()
PROPOSAL_FIELDS = ProposalFields.names()
AUDITED = [f for f in SUPPLIER_FIELDS if f != "category_ids"]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_fields(
    fields: ProposalFields, *, allowed: list[str], creating: bool
) -> tuple[dict[str, Any], list[Any] | None]:
    """The validated values of the fields given (of ``allowed``), and the category ids when given; one
    DomainError naming every bad field."""
    data = fields.given()
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in sorted(set(data) - set(allowed))}
    values: dict[str, Any] = {}
    _clean_text(data, values, errors, creating=creating)
    _clean_choices(data, values, errors)
    _clean_numbers(data, values, errors)
    if "owner_id" in data:
        _clean_owner(data["owner_id"], values, errors)
    category_ids = _clean_categories(data["category_ids"], errors) if "category_ids" in data else None
    if errors:
        raise invalid(errors)
    return values, category_ids


def _clean_text(data: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]], *, creating: bool) -> None:
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            values[name] = _text(data[name])
            if len(values[name]) > limit:
                errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    for name in LONG_TEXT_FIELDS:
        if name in data:
            values[name] = _text(data[name])
    if creating and not display_name(values.get("legal_name", ""), values.get("local_name", "")):
        errors["legal_name"] = [name_required()]
    if "aliases" in data:
        raw = data["aliases"]
        items = raw.splitlines() if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
            errors["aliases"] = [_("A list of names.")]
        else:
            values["aliases"] = [a.strip() for a in items if a.strip()][:20]
    if values.get("website") and "." not in website_key(values["website"]):
        errors["website"] = [_("A web address such as www.example.com.")]
    if values.get("phone") and not phone_key(values["phone"]):
        errors["phone"] = [_("A phone number of at least 7 digits.")]


def _clean_choices(data: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, choices in (("supplier_type", SupplierType), ("tier", Tier)):
        if name in data:
            values[name] = _text(data[name])
            if values[name] not in choices.values:
                errors[name] = [_("Not a valid choice.")]
    if "credit_code" in data:
        code = _text(data["credit_code"])
        try:
            values["credit_code"] = validate_uscc(code) if code else ""
        except InvalidIdentifier as exc:
            errors["credit_code"] = [str(exc)]
    if "country" in data:
        values["country"] = _text(data["country"]).upper()
        try:
            validate_country(values["country"])
        except ValidationError:
            errors["country"] = [_("A two-letter ISO 3166 country code, e.g. CN, VN, MX, US.")]


def _clean_numbers(data: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    this_year = timezone.localdate().year
    for name, low, high in (("year_founded", 1800, this_year), ("employees", 0, 10_000_000)):
        if name not in data:
            continue
        raw = data[name]
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            number = int(str(raw))
        except ValueError:
            errors[name] = [_("A whole number.")]
            continue
        if not low <= number <= high:
            errors[name] = [_("Between %(low)d and %(high)d.") % {"low": low, "high": high}]
        values[name] = number


def _clean_owner(raw: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    owner = _text(raw)
    if not owner:
        values["owner_id"] = None
        return
    pk = as_uuid(owner)
    member = Membership.objects.filter(pk=pk, is_active=True, role__in=OWNER_ROLES).first() if pk else None
    if member is None:
        errors["owner_id"] = [_("Choose one of the listed options.")]
    else:
        values["owner_id"] = member.pk


def _clean_categories(raw: Any, errors: dict[str, list[str]]) -> list[Any] | None:
    raw = raw or []
    if not isinstance(raw, list | tuple):
        errors["category_ids"] = [_("A list of category ids.")]
        return None
    wanted = [as_uuid(c) for c in raw]
    found = set(Category.objects.filter(pk__in=[w for w in wanted if w]).values_list("pk", flat=True))
    missing = [str(c) for c, w in zip(raw, wanted, strict=True) if w is None or w not in found]
    if missing:
        errors["category_ids"] = [_("Unknown category: %(ids)s.") % {"ids": ", ".join(missing[:5])}]
    return sorted(found, key=str)
