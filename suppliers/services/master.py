"""Writes of supplier master data: create, update, ERP upsert, agents' proposals, sites, contacts, and the merge
of two records of one company. Every create and update runs the duplicate check first; a caller who has seen
the candidates confirms with ``allow_duplicates``."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.categories.models import Category
from sourcing.errors import ConflictError, DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import Membership, Tenant, validate_country, validate_time_zone
from sourcing.roles import INTERNAL_ROLES, Scope
from sourcing.tenancy import current_tenant
from suppliers.identifiers import InvalidIdentifier, validate_uscc
from suppliers.models import (
    Contact,
    NameIndexVersion,
    Site,
    SiteKind,
    Supplier,
    SupplierCategory,
    SupplierType,
    Tier,
)
from suppliers.names import name_key, phone_key, website_key
from suppliers.selectors.duplicates import Candidate, Probe, duplicate_candidates
from suppliers.services.common import invalid, is_agent, supplier_for
from suppliers.services.duplicate_locks import duplicate_check_lock
from suppliers.services.risk import risk_region_refresh
from suppliers.services.row_facts import row_facts_refresh

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
SUPPLIER_FIELDS = [
    *TEXT_FIELDS,
    *LONG_TEXT_FIELDS,
    "aliases",
    "supplier_type",
    "tier",
    "credit_code",
    "country",
    "year_founded",
    "employees",
    "owner_id",
    "category_ids",
]
# What an agent may give when proposing a supplier: identity and contact points, nothing internal.
PROPOSAL_FIELDS = [
    "legal_name",
    "local_name",
    "supplier_type",
    "credit_code",
    "country",
    "province",
    "city",
    "address",
    "website",
    "phone",
    "year_founded",
    "employees",
    "capacity_notes",
    "category_ids",
]
AUDITED = [f for f in SUPPLIER_FIELDS if f != "category_ids"]
OWNER_ROLES = INTERNAL_ROLES - {"executive", "finance"}


class PossibleDuplicate(DomainError):
    """The supplier looks like one that exists; the caller shows ``candidates`` and may confirm."""

    status = 409
    code = "possible_duplicate"

    def __init__(self, candidates: list[Candidate]):
        super().__init__(
            _("This supplier may already exist. Check the suppliers listed, or confirm that it is a different company.")
        )
        self.candidates = candidates
        self.details = [
            {
                "id": str(c.supplier.pk),
                "legal_name": c.supplier.legal_name,
                "local_name": c.supplier.local_name,
                "external_id": c.supplier.external_id,
                "score": c.score,
                "reasons": c.reasons,
            }
            for c in candidates
        ]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _clean(data: dict[str, Any], *, allowed: list[str], creating: bool) -> tuple[dict[str, Any], list[Any] | None]:
    """The validated values of ``data`` (only the keys given), and the category ids when given; one
    DomainError naming every bad field."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(allowed) - {"allow_duplicates"})
    for name in unknown:
        errors[name] = [_("Unknown field.")]
    values: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            values[name] = _text(data[name])
            if len(values[name]) > limit:
                errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    for name in LONG_TEXT_FIELDS:
        if name in data:
            values[name] = _text(data[name])
    if (creating or "legal_name" in data) and not values.get("legal_name"):
        errors["legal_name"] = [_("A legal name is required.")]
    if "aliases" in data:
        raw = data["aliases"]
        items = raw.splitlines() if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
            errors["aliases"] = [_("A list of names.")]
        else:
            values["aliases"] = [a.strip() for a in items if a.strip()][:20]
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
    if values.get("website") and "." not in website_key(values["website"]):
        errors["website"] = [_("A web address such as www.example.com.")]
    if values.get("phone") and not phone_key(values["phone"]):
        errors["phone"] = [_("A phone number of at least 7 digits.")]
    this_year = timezone.localdate().year
    for name, low, high in (("year_founded", 1800, this_year), ("employees", 0, 10_000_000)):
        if name in data:
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
    if "owner_id" in data:
        owner = _text(data["owner_id"])
        if not owner:
            values["owner_id"] = None
        else:
            pk = as_uuid(owner)
            member = Membership.objects.filter(pk=pk, is_active=True, role__in=OWNER_ROLES).first() if pk else None
            if member is None:
                errors["owner_id"] = [_("Choose one of the listed options.")]
            else:
                values["owner_id"] = member.pk
    category_ids: list[Any] | None = None
    if "category_ids" in data:
        raw = data["category_ids"] or []
        if not isinstance(raw, list | tuple):
            errors["category_ids"] = [_("A list of category ids.")]
        else:
            wanted = [as_uuid(c) for c in raw]
            found = set(Category.objects.filter(pk__in=[w for w in wanted if w]).values_list("pk", flat=True))
            missing = [str(c) for c, w in zip(raw, wanted, strict=True) if w is None or w not in found]
            if missing:
                errors["category_ids"] = [_("Unknown category: %(ids)s.") % {"ids": ", ".join(missing[:5])}]
            category_ids = sorted(found, key=str)
    if errors:
        raise invalid(errors)
    return values, category_ids


def _probe(supplier: Supplier) -> Probe:
    return Probe.of(
        legal_name=supplier.legal_name,
        local_name=supplier.local_name,
        credit_code=supplier.credit_code,
        website=supplier.website,
        phone=supplier.phone,
    )


def _set_keys(supplier: Supplier) -> None:
    supplier.name_key = name_key(supplier.legal_name)[:255]
    supplier.local_name_key = name_key(supplier.local_name)[:255]
    supplier.website_key = website_key(supplier.website)[:255]
    supplier.phone_key = phone_key(supplier.phone)[:50]


def _identity(supplier: Supplier) -> tuple[str, ...]:
    return (supplier.legal_name, supplier.local_name, supplier.credit_code, supplier.website, supplier.phone)


def _check_duplicates(supplier: Supplier, *, allow: bool) -> None:
    if allow:
        return
    probe = _probe(supplier)
    duplicate_check_lock(tenant_id=supplier.tenant_id, probe=probe)
    candidates = duplicate_candidates(probe, exclude_id=supplier.pk if supplier.pk else None)
    if candidates:
        raise PossibleDuplicate(candidates)


def _set_categories(tenant: Tenant, supplier: Supplier, category_ids: list[Any]) -> tuple[list[str], list[str]]:
    current = set(SupplierCategory.objects.filter(supplier_id=supplier.pk).values_list("category_id", flat=True))
    wanted = set(category_ids)
    SupplierCategory.objects.filter(supplier_id=supplier.pk, category_id__in=current - wanted).delete()
    SupplierCategory.objects.bulk_create(
        [SupplierCategory(tenant=tenant, supplier=supplier, category_id=c) for c in sorted(wanted - current, key=str)]
    )
    row_facts_refresh([supplier.pk])
    return sorted(str(c) for c in current), sorted(str(c) for c in wanted)


def names_changed() -> None:
    """Tell the duplicate check's cached name indexes that this tenant's supplier names, or which suppliers
    are live, change in this transaction (``NameIndexVersion``). A step of the services that do so. The new
    version is random, not the next number: a version read inside a transaction that is then rolled back must
    never come back for different names."""
    version = secrets.randbits(62)
    if NameIndexVersion.objects.update(value=version):
        return
    try:
        with transaction.atomic():
            NameIndexVersion.objects.create(tenant=current_tenant(), value=version)
    except IntegrityError:  # another transaction created it a moment ago
        NameIndexVersion.objects.update(value=version)


def _save(supplier: Supplier, *, names: bool) -> None:
    """Save the supplier; ``names`` when its name keys are new or changed (``names_changed``)."""
    supplier.updated_at = timezone.now()
    if names:
        names_changed()
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:
        if "supplier_unique_external_id_per_tenant" not in str(exc) and "external_id" not in str(exc):
            raise
        raise DomainError(
            _("Another supplier already has this ERP id."),
            fields={"external_id": [_("Another supplier already has this ERP id.")]},
        ) from exc


def _after_identity_change(tenant: Tenant, by: Actor, supplier: Supplier) -> None:
    """What follows from where a supplier is (its region's risk)."""
    risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk)


@transaction.atomic
def supplier_create(*, tenant: Tenant, by: Actor, data: dict[str, Any], allow_duplicates: bool = False) -> Supplier:
    """A new supplier (a prospect). Raises PossibleDuplicate, with the candidates, unless ``allow_duplicates``."""
    by.require(Scope.SUPPLIER_WRITE)
    values, category_ids = _clean(data, allowed=SUPPLIER_FIELDS, creating=True)
    supplier = Supplier(tenant=tenant, **values)
    _set_keys(supplier)
    if supplier.external_id and Supplier.objects.filter(external_id=supplier.external_id).exists():
        raise invalid({"external_id": [_("Another supplier already has this ERP id.")]})
    _check_duplicates(supplier, allow=allow_duplicates)
    _save(supplier, names=True)
    if category_ids:
        _set_categories(tenant, supplier, category_ids)
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.create",
        target=supplier,
        after={**snapshot(supplier, AUDITED), "categories": [str(c) for c in category_ids or []]},
    )
    _after_identity_change(tenant, by, supplier)
    return supplier


@transaction.atomic
def supplier_update(
    *, tenant: Tenant, by: Actor, supplier_id: Any, data: dict[str, Any], allow_duplicates: bool = False
) -> Supplier:
    """Change the given fields. A change of name or identifier runs the duplicate check again."""
    supplier = supplier_for(by, supplier_id, scope=Scope.SUPPLIER_WRITE, lock=True)
    values, category_ids = _clean(data, allowed=SUPPLIER_FIELDS, creating=False)
    return _apply(tenant, by, supplier, values, category_ids, allow_duplicates=allow_duplicates)


def _apply(
    tenant: Tenant,
    by: Actor,
    supplier: Supplier,
    values: dict[str, Any],
    category_ids: list[Any] | None,
    *,
    allow_duplicates: bool,
) -> Supplier:
    before = snapshot(supplier, AUDITED)
    identity = _identity(supplier)
    keys = (supplier.name_key, supplier.local_name_key)
    for name, value in values.items():
        setattr(supplier, name, value)
    _set_keys(supplier)
    if _identity(supplier) != identity:
        _check_duplicates(supplier, allow=allow_duplicates)
    after = snapshot(supplier, AUDITED)
    categories = _set_categories(tenant, supplier, category_ids) if category_ids is not None else None
    changed = after != before or (categories is not None and categories[0] != categories[1])
    if not changed:
        return supplier  # nothing new: nothing to save or audit
    _save(supplier, names=(supplier.name_key, supplier.local_name_key) != keys)
    changes_before = {k: v for k, v in before.items() if after[k] != v}
    changes_after = {k: after[k] for k in changes_before}
    if categories is not None and categories[0] != categories[1]:
        changes_before["categories"], changes_after["categories"] = categories
    audit_record(
        tenant=tenant, by=by, action="supplier.update", target=supplier, before=changes_before, after=changes_after
    )
    if _identity(supplier) != identity or "province" in changes_after:
        _after_identity_change(tenant, by, supplier)
    return supplier


@transaction.atomic
def supplier_upsert(*, tenant: Tenant, by: Actor, data: dict[str, Any]) -> tuple[Supplier, bool]:
    """Create a supplier, or update the one with the same ERP ``external_id`` (following a merge to the record
    it was merged into). Returns (supplier, created). A new supplier that looks like an existing one raises
    PossibleDuplicate unless the data says ``allow_duplicates``."""
    by.require(Scope.SUPPLIER_WRITE)
    allow = data.get("allow_duplicates") is True
    external_id = _text(data.get("external_id"))
    supplier = Supplier.objects.select_for_update().filter(external_id=external_id).first() if external_id else None
    if supplier is None:
        try:
            return supplier_create(tenant=tenant, by=by, data=data, allow_duplicates=allow), True
        except DomainError as exc:
            if "external_id" in exc.fields and Supplier.objects.filter(external_id=external_id).exists():
                # Another request created this external_id between our look-up and our insert.
                raise ConflictError(
                    _("A supplier with this ERP id was created at the same moment; send the request again."),
                    code="conflict",
                ) from exc
            raise
    if supplier.merged_into_id is not None:
        # The ERP still has a vendor record that was merged away here: it finds the supplier it became, but
        # its data does not overwrite that supplier's (two ERP records would otherwise take turns at it).
        while supplier.merged_into_id is not None:
            supplier = Supplier.objects.select_for_update().get(pk=supplier.merged_into_id)
        return supplier, False
    update = {k: v for k, v in data.items() if k not in {"external_id", "allow_duplicates"}}
    values, category_ids = _clean(update, allowed=SUPPLIER_FIELDS, creating=False)
    return _apply(tenant, by, supplier, values, category_ids, allow_duplicates=allow), False


@transaction.atomic
def supplier_propose(*, tenant: Tenant, by: Actor, data: dict[str, Any], allow_duplicates: bool = False) -> Supplier:
    """An agent proposes a supplier they found: it enters as a prospect, proposed by them, and assigned to
    them so they can go on working on it. The duplicate check runs as for any new supplier, but what an agent
    is shown of the candidates is decided by the page (names only)."""
    by.require(Scope.PORTAL)
    if not is_agent(by) or by.membership is None:
        raise NotFoundError()
    values, category_ids = _clean(data, allowed=PROPOSAL_FIELDS, creating=True)
    supplier = Supplier(tenant=tenant, proposed_by=by.membership, **values)
    _set_keys(supplier)
    _check_duplicates(supplier, allow=allow_duplicates)
    _save(supplier, names=True)
    if category_ids:
        _set_categories(tenant, supplier, category_ids)
    from guardian.shortcuts import assign_perm

    assign_perm("suppliers.view_supplier", by.membership.user, supplier)
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.propose",
        target=supplier,
        after={**snapshot(supplier, [f for f in AUDITED if f in PROPOSAL_FIELDS]), "agent": by.label},
    )
    _after_identity_change(tenant, by, supplier)
    return supplier


# Sites and contacts ----------------------------------------------------------------------------------------

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


def _child(model: type[models.Model], supplier: Supplier, child_id: Any) -> Any:
    pk = as_uuid(child_id)
    child = model._default_manager.select_for_update().filter(pk=pk, supplier_id=supplier.pk).first() if pk else None
    if child is None:
        raise NotFoundError()
    return child


SITE_FIELDS = {"name", "kind", "country", "province", "city", "address", "processes", "capacity", "external_id"}
CONTACT_FIELDS = {"name", "title", "language", "email", "phone", "wechat", "time_zone", "is_primary", "external_id"}


@transaction.atomic
def site_save(*, tenant: Tenant, by: Actor, supplier_id: Any, data: dict[str, Any], site_id: Any = None) -> Site:
    """Add a site (``site_id`` None) or change one. A site's province can put the supplier in a risk region."""
    supplier = supplier_for(by, supplier_id, scope=Scope.SUPPLIER_WRITE, lock=True)
    creating = site_id is None
    values = _child_values(data, text=SITE_TEXT, allowed=SITE_FIELDS, creating=creating)
    site = Site(tenant=tenant, supplier=supplier) if creating else _child(Site, supplier, site_id)
    before = None if creating else snapshot(site, sorted(SITE_FIELDS))
    for name, value in values.items():
        setattr(site, name, value)
    if (
        site.external_id
        and Site.objects.filter(supplier_id=supplier.pk, external_id=site.external_id).exclude(pk=site.pk).exists()
    ):
        raise invalid({"external_id": [_("Another site of this supplier has this ERP id.")]})
    site.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.site_add" if creating else "supplier.site_change",
        target=supplier,
        before=before,
        after=snapshot(site, sorted(SITE_FIELDS)),
    )
    _after_identity_change(tenant, by, supplier)
    return site


@transaction.atomic
def site_delete(*, tenant: Tenant, by: Actor, supplier_id: Any, site_id: Any) -> None:
    supplier = supplier_for(by, supplier_id, scope=Scope.SUPPLIER_WRITE, lock=True)
    site = _child(Site, supplier, site_id)
    before = snapshot(site, sorted(SITE_FIELDS))
    certified = site.certifications.exists()  # type: ignore[attr-defined]
    site.delete()  # its certificates stay, for no site: one may now renew or be renewed by another
    audit_record(tenant=tenant, by=by, action="supplier.site_remove", target=supplier, before=before)
    _after_identity_change(tenant, by, supplier)
    if certified:
        from suppliers.services.certifications import compliance_evaluate

        compliance_evaluate(tenant=tenant, by=by, supplier=supplier)
        row_facts_refresh([supplier.pk])


@transaction.atomic
def contact_save(
    *, tenant: Tenant, by: Actor, supplier_id: Any, data: dict[str, Any], contact_id: Any = None
) -> Contact:
    """Add a contact or change one. One primary contact per supplier: making one primary demotes the other."""
    supplier = supplier_for(by, supplier_id, scope=Scope.SUPPLIER_WRITE, lock=True)
    creating = contact_id is None
    values = _child_values(data, text=CONTACT_TEXT, allowed=CONTACT_FIELDS, creating=creating)
    if not (values.get("email") or values.get("phone") or values.get("wechat")) and creating:
        raise invalid({"email": [_("Give at least one way to reach the contact: e-mail, phone or WeChat.")]})
    contact = Contact(tenant=tenant, supplier=supplier) if creating else _child(Contact, supplier, contact_id)
    before = None if creating else snapshot(contact, sorted(CONTACT_FIELDS))
    for name, value in values.items():
        setattr(contact, name, value)
    if contact.is_primary:
        Contact.objects.filter(supplier_id=supplier.pk, is_primary=True).exclude(pk=contact.pk).update(is_primary=False)
    contact.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.contact_add" if creating else "supplier.contact_change",
        target=supplier,
        before=before,
        after=snapshot(contact, sorted(CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def contact_delete(*, tenant: Tenant, by: Actor, supplier_id: Any, contact_id: Any) -> None:
    supplier = supplier_for(by, supplier_id, scope=Scope.SUPPLIER_WRITE, lock=True)
    contact = _child(Contact, supplier, contact_id)
    before = snapshot(contact, sorted(CONTACT_FIELDS))
    contact.delete()
    audit_record(tenant=tenant, by=by, action="supplier.contact_remove", target=supplier, before=before)


# Merge ---------------------------------------------------------------------------------------------------

# Rows of these models are unique per supplier on these fields; a row of the merged record that would collide
# with one the kept record has is dropped (the kept record's stands).
_UNIQUE_PER_SUPPLIER: dict[str, tuple[str, ...]] = {
    "suppliers.suppliercategory": ("category_id",),
    "suppliers.onboardingtask": ("code",),
    "suppliers.supplieragentgrant": ("user_id", "permission_id"),
}
# Rows unique per supplier on an ERP id: the merged record's row keeps coming, without its clashing ERP id.
_ERP_ID_PER_SUPPLIER = {"suppliers.site"}


@transaction.atomic
def supplier_merge(*, tenant: Tenant, by: Actor, source_id: Any, target_id: Any) -> Supplier:
    """Fold ``source`` into ``target``: every record that points at the source (sites, contacts, certificates,
    documents, audits, flags, onboarding, agents, categories, spend vendors, and whatever later capabilities
    attach to a supplier) moves to the target, the source's names become the target's aliases, and the source
    stays as a record merged into the target (so its ERP id still finds the target). Audited with the counts."""
    by.require(Scope.SUPPLIER_WRITE)
    source_pk, target_pk = as_uuid(source_id), as_uuid(target_id)
    if source_pk is None or target_pk is None:
        raise NotFoundError()
    if source_pk == target_pk:
        raise invalid({"target": [_("Choose a different supplier to merge into.")]})
    # locked in id order, as every other writer that locks several suppliers does (row_facts_refresh)
    both = Supplier.objects.select_for_update().filter(pk__in=[source_pk, target_pk]).order_by("pk")
    locked = {s.pk: s for s in both}
    source, target = locked.get(source_pk), locked.get(target_pk)
    if source is None or target is None or source.merged_into_id or target.merged_into_id:
        raise NotFoundError()
    moved: dict[str, int] = {}
    for relation in Supplier._meta.related_objects:
        if relation.one_to_many is False or relation.related_model is Supplier:
            continue
        model = relation.related_model
        field_name = relation.field.name
        label = model._meta.label_lower
        rows = model._default_manager.filter(**{field_name: source})
        if label == "suppliers.onboardingtask":
            # A step the merged record has settled stands over the same step still open on the kept one.
            settled = rows.exclude(status="open").values_list("code", flat=True)
            model._default_manager.filter(**{field_name: target}, status="open", code__in=list(settled)).delete()
        unique = _UNIQUE_PER_SUPPLIER.get(label)
        if unique:
            taken = set(model._default_manager.filter(**{field_name: target}).values_list(*unique))
            clash = [pk for pk, *key in rows.values_list("pk", *unique) if tuple(key) in taken]
            model._default_manager.filter(pk__in=clash).delete()
        if label in _ERP_ID_PER_SUPPLIER:
            taken_ids = set(
                model._default_manager.filter(**{field_name: target})
                .exclude(external_id="")
                .values_list("external_id", flat=True)
            )
            rows.filter(external_id__in=taken_ids).update(external_id="")
        if label == "suppliers.bankaccount":
            # The kept record's bank details stand; the merged record's become history, never active or pending.
            rows.filter(status__in=["active", "pending"]).update(status="superseded")
        if label == "suppliers.riskflag":
            open_sources = set(
                model._default_manager.filter(**{field_name: target}, is_open=True)
                .exclude(source="")
                .values_list("source", flat=True)
            )
            rows.filter(is_open=True, source__in=open_sources).update(is_open=False, closed_at=timezone.now())
        count = rows.update(**{field_name: target})
        if count:
            moved[label] = count
    Supplier.objects.filter(merged_into=source).update(merged_into=target)
    names = [n for n in (source.legal_name, source.local_name, *source.aliases) if n]
    known = {target.legal_name, target.local_name, *target.aliases}
    target.aliases = [*target.aliases, *(n for n in names if n not in known)][:50]
    if not target.credit_code and source.credit_code:
        target.credit_code = source.credit_code
    target.updated_at = timezone.now()
    target.save()
    names_changed()  # one supplier fewer, and the kept one's aliases
    source.merged_into = target
    source.updated_at = timezone.now()
    source.save(update_fields=["merged_into", "updated_at"])
    primaries = Contact.objects.filter(supplier_id=target.pk, is_primary=True).order_by("created_at")
    Contact.objects.filter(pk__in=[c.pk for c in primaries[1:]]).update(is_primary=False)
    # What the moved records change: the region of its sites, the certificates its categories require.
    from suppliers.services.certifications import compliance_evaluate

    risk_region_refresh(tenant=tenant, by=by, supplier_id=target.pk)
    compliance_evaluate(tenant=tenant, by=by, supplier=target)
    row_facts_refresh([target.pk, source.pk])  # the moved flags, certificates and categories
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.merge",
        target=target,
        before={"merged": str(source.pk), "name": source.legal_name},
        after={"moved": moved},
    )
    return target
