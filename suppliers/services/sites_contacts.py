"""Writes of a supplier's sites (factories, warehouses, offices) and contacts. A site's province can put the
supplier in a risk region; one contact per supplier is the primary one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.models import Tenant, validate_country, validate_time_zone
from sourcing.roles import Scope
from suppliers.models import Contact, Site, SiteKind, Supplier
from suppliers.services.access import access_contact, access_site, access_supplier
from suppliers.services.common import UNSET, Unset, given, invalid
from suppliers.services.risk import risk_region_refresh
from suppliers.services.row_facts import row_facts_refresh


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


SITE_TEXT = {"name": 200, "province": 100, "city": 100, "capacity": 500, "external_id": 100}
CONTACT_TEXT = {"name": 200, "title": 200, "phone": 50, "wechat": 100, "external_id": 100}


def _child_values(data: dict[str, Any], *, text: dict[str, int], allowed: set[str], creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - allowed):
        errors[name] = [_("Unknown field.")]
    values: dict[str, Any] = {}
    for name, limit in text.items():
        if name in data:
            values[name] = _text(data[name])
            if len(values[name]) > limit:
                errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if (creating or "name" in data) and not values.get("name"):
        errors["name"] = [_("A name is required.")]
    if "address" in data:
        values["address"] = _text(data["address"])
    if "country" in data:
        values["country"] = _text(data["country"]).upper()
        try:
            validate_country(values["country"])
        except ValidationError:
            errors["country"] = [_("A two-letter ISO 3166 country code, e.g. CN, VN, MX, US.")]
    if "kind" in data:
        values["kind"] = _text(data["kind"])
        if values["kind"] not in SiteKind.values:
            errors["kind"] = [_("Not a valid choice.")]
    if "processes" in data:
        raw = data["processes"]
        items = [p.strip() for p in raw.split(",")] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            errors["processes"] = [_("A list of processes.")]
        else:
            values["processes"] = [p.strip() for p in items if p.strip()][:30]
    if "email" in data:
        values["email"] = _text(data["email"])
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors["email"] = [_("Enter a valid e-mail address.")]
    if "language" in data:
        values["language"] = _text(data["language"]) or "zh-hans"
        if values["language"] not in {"zh-hans", "en", "vi", "es"}:
            errors["language"] = [_("Not a valid choice.")]
    if "time_zone" in data:
        values["time_zone"] = _text(data["time_zone"]) or "Asia/Shanghai"
        try:
            validate_time_zone(values["time_zone"])
        except ValidationError:
            errors["time_zone"] = [_("An IANA time zone such as Asia/Shanghai.")]
    if "is_primary" in data:
        values["is_primary"] = data["is_primary"] in (True, "true", "on", "1", 1)
    if errors:
        raise invalid(errors)
    return values


def _child_with(
    model: Any,
    access: Any,
    *,
    tenant: Tenant,
    by: Actor,
    supplier: Supplier,
    id: Any,
    values: dict[str, Any],
    fields: set[str],
) -> tuple[Any, dict[str, Any] | None]:
    """A new site or contact of ``supplier`` (``id`` None), or the one named (locked), with ``values`` set; and
    what it was before (None for a new one)."""
    if id is None:
        child, before = model(tenant=tenant, supplier=supplier), None
    else:
        child = access(by=by, supplier=supplier, id=id, need=Scope.SUPPLIER_WRITE, lock=True)
        before = snapshot(child, sorted(fields))
    for name, value in values.items():
        setattr(child, name, value)
    return child, before


def _child_save(
    child: Any, *, tenant: Tenant, by: Actor, supplier: Supplier, before: Any, noun: str, fields: set[str]
) -> None:
    child.save()
    action = f"supplier.{noun}_add" if before is None else f"supplier.{noun}_change"
    audit_record(
        tenant=tenant, by=by, action=action, target=supplier, before=before, after=snapshot(child, sorted(fields))
    )


def _child_of(access: Any, *, by: Actor, supplier_id: Any, id: Any) -> tuple[Supplier, Any]:
    """The supplier and its site or contact to remove, both locked."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE, lock=True)
    return supplier, access(by=by, supplier=supplier, id=id, need=Scope.SUPPLIER_WRITE, lock=True)


def _child_delete(child: Any, *, tenant: Tenant, by: Actor, supplier: Supplier, noun: str, fields: set[str]) -> None:
    before = snapshot(child, sorted(fields))
    child.delete()
    audit_record(tenant=tenant, by=by, action=f"supplier.{noun}_remove", target=supplier, before=before)


SITE_FIELDS = {"name", "kind", "country", "province", "city", "address", "processes", "capacity", "external_id"}
CONTACT_FIELDS = {"name", "title", "language", "email", "phone", "wechat", "time_zone", "is_primary", "external_id"}


@transaction.atomic
def site_save(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    site_id: Any = None,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    country: str | Unset = UNSET,
    province: str | Unset = UNSET,
    city: str | Unset = UNSET,
    address: str | Unset = UNSET,
    processes: str | list[str] | Unset = UNSET,
    capacity: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
) -> Site:
    """Add a site (``site_id`` None) or change one: a change touches only the fields given. ``processes`` is a
    list or one comma-separated text. A site's province can put the supplier in a risk region."""
    data = given(
        name=name,
        kind=kind,
        country=country,
        province=province,
        city=city,
        address=address,
        processes=processes,
        capacity=capacity,
        external_id=external_id,
    )
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE, lock=True)
    values = _child_values(data, text=SITE_TEXT, allowed=SITE_FIELDS, creating=site_id is None)
    site, before = _child_with(
        Site, access_site, tenant=tenant, by=by, supplier=supplier, id=site_id, values=values, fields=SITE_FIELDS
    )
    if (
        site.external_id
        and Site.objects.filter(supplier_id=supplier.pk, external_id=site.external_id).exclude(pk=site.pk).exists()
    ):
        raise invalid({"external_id": [_("Another site of this supplier has this ERP id.")]})
    _child_save(site, tenant=tenant, by=by, supplier=supplier, before=before, noun="site", fields=SITE_FIELDS)
    risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk)  # where the supplier is: its region's risk
    return site


@transaction.atomic
def site_delete(*, tenant: Tenant, by: Actor, supplier_id: Any, site_id: Any) -> None:
    supplier, site = _child_of(access_site, by=by, supplier_id=supplier_id, id=site_id)
    certified = site.certifications.exists()  # type: ignore[attr-defined]
    # its certificates stay, for no site: one may now renew or be renewed by another
    _child_delete(site, tenant=tenant, by=by, supplier=supplier, noun="site", fields=SITE_FIELDS)
    risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk)  # where the supplier is: its region's risk
    if certified:
        from suppliers.services.certifications import compliance_evaluate

        compliance_evaluate(tenant=tenant, by=by, supplier=supplier)
        row_facts_refresh([supplier.pk])


@transaction.atomic
def contact_save(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    contact_id: Any = None,
    name: str | Unset = UNSET,
    title: str | Unset = UNSET,
    language: str | Unset = UNSET,
    email: str | Unset = UNSET,
    phone: str | Unset = UNSET,
    wechat: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    is_primary: bool | Unset = UNSET,
    external_id: str | Unset = UNSET,
) -> Contact:
    """Add a contact or change one: a change touches only the fields given. One primary contact per supplier:
    making one primary demotes the other."""
    data = given(
        name=name,
        title=title,
        language=language,
        email=email,
        phone=phone,
        wechat=wechat,
        time_zone=time_zone,
        is_primary=is_primary,
        external_id=external_id,
    )
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE, lock=True)
    creating = contact_id is None
    values = _child_values(data, text=CONTACT_TEXT, allowed=CONTACT_FIELDS, creating=creating)
    if not (values.get("email") or values.get("phone") or values.get("wechat")) and creating:
        raise invalid({"email": [_("Give at least one way to reach the contact: e-mail, phone or WeChat.")]})
    contact, before = _child_with(
        Contact,
        access_contact,
        tenant=tenant,
        by=by,
        supplier=supplier,
        id=contact_id,
        values=values,
        fields=CONTACT_FIELDS,
    )
    if contact.is_primary:
        Contact.objects.filter(supplier_id=supplier.pk, is_primary=True).exclude(pk=contact.pk).update(is_primary=False)
    _child_save(contact, tenant=tenant, by=by, supplier=supplier, before=before, noun="contact", fields=CONTACT_FIELDS)
    return contact


@transaction.atomic
def contact_delete(*, tenant: Tenant, by: Actor, supplier_id: Any, contact_id: Any) -> None:
    supplier, contact = _child_of(access_contact, by=by, supplier_id=supplier_id, id=contact_id)
    _child_delete(contact, tenant=tenant, by=by, supplier=supplier, noun="contact", fields=CONTACT_FIELDS)
