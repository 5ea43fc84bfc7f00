"""Writes to the category tree: categories, their specification documents, and CSV imports.

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit
event in the same transaction (none when nothing changed). Callers are already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot, update_audited
from sourcing.categories import csvio, tree
from sourcing.categories import fields as f
from sourcing.categories.models import Category, CategorySpec
from sourcing.categories.selectors import categories as selectors
from sourcing.categories.services.access import access_category, access_category_owner, access_category_spec
from sourcing.errors import DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.uploads import DOCUMENTS, TEXT, accept_upload, check_upload, delete_files_on_commit, store_upload

# What a caller may set, by the names services take (ids for the two references).
INPUT_FIELDS = (
    "code",
    "name",
    "description",
    "parent_id",
    "owner_id",
    "segment",
    "profit_impact",
    "supply_risk",
    "is_production_material",
    "expected_lead_time_days",
    "compliance_requirements",
    "required_certifications",
    "required_audits",
    "service_levels",
)
# Errors name the fields as forms and the API name them.
_FIELD_NAMES = {"parent_id": "parent", "owner_id": "owner"}
AUDIT_FIELDS = [name for name in INPUT_FIELDS if name not in _FIELD_NAMES]

_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "code": f.clean_code,
    "name": f.clean_name,
    "description": f.clean_text,
    "service_levels": f.clean_text,
    "segment": f.clean_segment,
    "profit_impact": f.clean_score,
    "supply_risk": f.clean_score,
    "is_production_material": f.clean_bool,
    "expected_lead_time_days": f.clean_lead_time,
}


def category_snapshot(category: Category) -> dict[str, Any]:
    """The category as an audit event records it; references by id."""
    data = snapshot(category, AUDIT_FIELDS)
    data["parent"] = str(category.parent_id) if category.parent_id else None
    data["owner"] = str(category.owner_id) if category.owner_id else None
    return data


def _invalid(errors: dict[str, list[str]]) -> DomainError:
    messages = [m for ms in errors.values() for m in ms]
    return DomainError(messages[0] if len(messages) == 1 else _("Some fields are not valid."), fields=errors)


def _clean(changes: dict[str, Any], *, by: Actor, category: Category | None) -> dict[str, Any]:
    """Model attribute values for ``changes``, or a DomainError naming every bad field at once."""
    unknown = sorted(set(changes) - set(INPUT_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        try:
            if name in _CLEANERS:
                cleaned[name] = _CLEANERS[name](value)
            elif name in f.REQUIREMENT_FIELDS:
                cleaned[name] = f.clean_requirements(value, f.REQUIREMENT_FIELDS[name])
        except f.FieldError as exc:
            errors[name] = [str(exc)]
    code = cleaned.get("code")
    if code is not None and (category is None or code != category.code):
        taken = Category.objects.filter(code=code)
        if category is not None:
            taken = taken.exclude(pk=category.pk)
        if taken.exists():
            errors["code"] = [_("Another category already has the code %(code)s.") % {"code": code}]
    if "parent_id" in changes:
        try:
            cleaned["parent_id"] = _parent_id(changes["parent_id"], category)
        except f.FieldError as exc:
            errors["parent"] = [str(exc)]
    if "owner_id" in changes:
        try:
            cleaned["owner_id"] = _owner_id(changes["owner_id"], category, by=by)
        except f.FieldError as exc:
            errors["owner"] = [str(exc)]
    if errors:
        raise _invalid(errors)
    return cleaned


def _parent_id(value: Any, category: Category | None) -> Any:
    if value in (None, ""):
        return None
    pk = selectors.as_uuid(value)
    if category is not None and pk == category.parent_id:
        return pk  # unchanged: no move to check
    if category is not None and pk == category.pk:
        raise f.FieldError(_("A category cannot be its own parent."))
    # Lock the tree while a move is checked, so two concurrent moves cannot close a loop between them.
    parents = dict(Category.objects.select_for_update().order_by().values_list("id", "parent_id"))
    if pk not in parents:
        raise f.FieldError(_("Choose one of this organisation's categories."))
    if category is not None and tree.would_cycle(category.pk, pk, parents):
        raise f.FieldError(_("A category cannot be placed under one of its own subcategories."))
    return pk


def _owner_id(value: Any, category: Category | None, *, by: Actor) -> Any:
    if value in (None, ""):
        return None
    pk = selectors.as_uuid(value)
    if category is not None and pk is not None and pk == category.owner_id:
        return pk  # unchanged: an owner who has since left keeps the category until someone changes it
    try:
        owner = access_category_owner(by=by, id=pk, need=Scope.CATEGORY_WRITE)
    except NotFoundError as exc:
        raise f.FieldError(_("Choose an active category manager or administrator of this organisation.")) from exc
    return owner.pk


@transaction.atomic
def category_create(
    *,
    tenant: Tenant,
    by: Actor,
    code: str,
    name: str,
    parent_id: Any = None,
    owner_id: Any = None,
    description: str = "",
    segment: str = "",
    profit_impact: int | None = None,
    supply_risk: int | None = None,
    is_production_material: bool = False,
    expected_lead_time_days: int | None = None,
    compliance_requirements: list[str] | None = None,
    required_certifications: list[str] | None = None,
    required_audits: list[str] | None = None,
    service_levels: str = "",
) -> Category:
    """Add a category to the tree, under ``parent_id`` or as a root."""
    by.require(Scope.CATEGORY_WRITE)
    values = _clean(
        {
            "code": code,
            "name": name,
            "parent_id": parent_id,
            "owner_id": owner_id,
            "description": description,
            "segment": segment,
            "profit_impact": profit_impact,
            "supply_risk": supply_risk,
            "is_production_material": is_production_material,
            "expected_lead_time_days": expected_lead_time_days,
            "compliance_requirements": compliance_requirements,
            "required_certifications": required_certifications,
            "required_audits": required_audits,
            "service_levels": service_levels,
        },
        by=by,
        category=None,
    )
    category = Category.objects.create(tenant=tenant, **values)
    audit_record(tenant=tenant, by=by, action="category.create", target=category, after=category_snapshot(category))
    return category


@transaction.atomic
def category_update(*, tenant: Tenant, by: Actor, category_id: Any, **changes: Any) -> Category:
    """Change any of a category's fields (named as in ``category_create``). Moving it under one of its own
    subcategories, or under itself, is refused."""
    by.require(Scope.CATEGORY_WRITE)
    category = access_category(by=by, id=category_id, need=Scope.CATEGORY_WRITE, lock=True)
    cleaned = _clean(changes, by=by, category=category)
    changed = update_audited(
        category,
        cleaned,
        tenant=tenant,
        by=by,
        action="category.update",
        picture=category_snapshot,
        touch={"updated_at": timezone.now()},
    )
    if not changed:
        return category  # nothing to save, nothing to audit
    if {"is_production_material", "parent", "parent_id"} & set(changed):
        # apps that file their records by the tree file them again, in this transaction (spend: direct or indirect)
        for config in django_apps.get_app_configs():
            refile = getattr(config, "category_tree_changed", None)
            if refile is not None:
                refile()
    return category


@transaction.atomic
def category_delete(*, tenant: Tenant, by: Actor, category_id: Any) -> None:
    """Delete a category that nothing depends on: no subcategories, no spend booked on it, no spend rule
    that files lines under it, no supplier qualified for it. Its specification documents go with it.

    The apps after this one say what they keep on a category with an app config method
    ``category_in_use(category_id)`` (the reasons, in people's words); every installed app is asked, in the
    order of ``INSTALLED_APPS``."""
    by.require(Scope.CATEGORY_WRITE)
    category = access_category(by=by, id=category_id, need=Scope.CATEGORY_WRITE, lock=True)
    reasons = []
    children = Category.objects.filter(parent_id=category.pk).count()
    if children:
        reasons.append(ngettext("it has %(n)d subcategory", "it has %(n)d subcategories", children) % {"n": children})
    for config in django_apps.get_app_configs():
        in_use = getattr(config, "category_in_use", None)
        if in_use is not None:
            reasons.extend(in_use(category.pk))
    if reasons:
        raise DomainError(
            _("%(category)s cannot be deleted: %(reasons)s.") % {"category": category, "reasons": "; ".join(reasons)},
            code="in_use",
        )
    files = [spec.file for spec in CategorySpec.objects.filter(category_id=category.pk)]
    audit_record(tenant=tenant, by=by, action="category.delete", target=category, before=category_snapshot(category))
    category.delete()
    delete_files_on_commit(files)


# Specification documents

TITLE_MAX = CategorySpec._meta.get_field("title").max_length or 200
NOTE_MAX = CategorySpec._meta.get_field("note").max_length or 500


@transaction.atomic
def category_spec_upload(
    *,
    tenant: Tenant,
    by: Actor,
    category_id: Any,
    title: str,
    file: IO[bytes],
    file_name: str = "",
    note: str = "",
) -> CategorySpec:
    """Store a specification document. Under a title the category already has (in any letter case), it is
    the next version; earlier versions are kept. The file is accepted by its bytes (PDF, image, Word, Excel)."""
    by.require(Scope.CATEGORY_WRITE)
    # one upload at a time per category, so versions never collide
    category = access_category(by=by, id=category_id, need=Scope.CATEGORY_WRITE, lock=True)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    note = (note or "").strip()
    if not title:
        errors["title"] = [_("A title is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    accepted = None
    try:
        accepted = accept_upload(file, allowed=DOCUMENTS, file_name=file_name, fallback="spec")
    except DomainError as exc:
        errors.update(exc.fields)
    if errors or accepted is None:
        raise _invalid(errors)
    latest = CategorySpec.objects.filter(category_id=category.pk, title__iexact=title).order_by("-version").first()
    spec = CategorySpec(
        tenant=tenant,
        category=category,
        title=latest.title if latest else title,
        version=latest.version + 1 if latest else 1,
        file_name=accepted.file_name,
        content_type=accepted.content_type,
        size=accepted.size,
        note=note,
        uploaded_by=by.user,
    )
    store_upload(spec.file, accepted)
    spec.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="category_spec.upload",
        target=spec,
        after={
            "category": str(category.pk),
            "title": spec.title,
            "version": spec.version,
            "file_name": spec.file_name,
            "content_type": accepted.content_type,
            "size": accepted.size,
        },
    )
    return spec


@transaction.atomic
def category_spec_download(*, tenant: Tenant, by: Actor, spec_id: Any) -> CategorySpec:
    """The specification to send, once the read is recorded: specifications are the tenant's designs."""
    by.require(Scope.CATEGORY_READ)
    spec = access_category_spec(by=by, id=spec_id, need=Scope.CATEGORY_READ)
    audit_record(
        tenant=tenant,
        by=by,
        action="category_spec.download",
        target=spec,
        after={"category": str(spec.category_id), "version": spec.version},
    )
    return spec


@transaction.atomic
def category_export_record(*, tenant: Tenant, by: Actor, rows: int, filters: Mapping[str, object]) -> None:
    """Record that the category list left the system as a file."""
    by.require(Scope.CATEGORY_READ)
    audit_record(
        tenant=tenant,
        by=by,
        action="category.export",
        after={"rows": rows, **{name: value for name, value in filters.items() if value}},
    )


# CSV import


class CategoryImportError(DomainError):
    """A rejected import; ``errors`` lists every problem found, each with its row and column."""

    def __init__(self, errors: list[csvio.RowError]) -> None:
        message = ngettext(
            "The file has %(n)d problem; nothing was imported.",
            "The file has %(n)d problems; nothing was imported.",
            len(errors),
        ) % {"n": len(errors)}
        super().__init__(message, fields={"file": [str(e) for e in errors]}, code="import_rejected")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    encoding: str


def _import_changes(rows: list[Any], stored: dict[str, Category]) -> set[str]:
    """Set each row's values on its stored category and write the ones that changed in one statement; the
    codes of those."""
    changed: list[Category] = []
    changed_fields: set[str] = set()
    for row in rows:
        category = stored[row.values["code"]]
        values = {name: value for name, value in row.values.items() if name != "parent_code"}
        if "parent_code" in row.values:
            parent_code = row.values["parent_code"]
            values["parent_id"] = stored[parent_code].pk if parent_code else None
        fields = [name for name, value in values.items() if getattr(category, name) != value]
        if not fields:
            continue
        for name in fields:
            setattr(category, name, values[name])
        changed.append(category)
        changed_fields.update(fields)
    now = timezone.now()
    for category in changed:
        category.updated_at = now
    if changed:
        Category.objects.bulk_update(changed, [*sorted(changed_fields), "updated_at"])
    return {c.code for c in changed}


@transaction.atomic
def categories_import_csv(*, tenant: Tenant, by: Actor, file: IO[bytes], file_name: str = "") -> ImportResult:
    """Create or update categories from a CSV file, matched by code (columns: ``csvio.IMPORT_COLUMNS``).

    A parent may be a category already stored or one further down the file. Every row is checked before
    anything is written; a file with any problem is rejected whole, with every problem listed.
    """
    by.require(Scope.CATEGORY_WRITE)
    check_upload(file, allowed=[TEXT], field="file")
    # Locked for the length of the import: the checks below hold until it commits.
    stored = {c.code: c for c in Category.objects.select_for_update().order_by()}
    code_of = {c.pk: code for code, c in stored.items()}
    parsed = csvio.read(
        file.read(), existing={code: code_of.get(c.parent_id) if c.parent_id else None for code, c in stored.items()}
    )
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(csvio.RowError(None, "", _("The file has no categories in it.")))
    if parsed.errors:
        raise CategoryImportError(parsed.errors)

    before = {code: category_snapshot(c) for code, c in stored.items()}
    new = [
        Category(tenant=tenant, code=row.values["code"], name=row.values["name"])
        for row in parsed.rows
        if row.values["code"] not in stored
    ]
    Category.objects.bulk_create(new)
    stored.update({c.code: c for c in new})
    created = {c.code for c in new}
    changed_codes = _import_changes(parsed.rows, stored)
    updated = 0
    for row in parsed.rows:
        category = stored[row.values["code"]]
        if category.code in created:
            audit_record(
                tenant=tenant, by=by, action="category.create", target=category, after=category_snapshot(category)
            )
        elif category.code in changed_codes:
            updated += 1
            audit_record(
                tenant=tenant,
                by=by,
                action="category.update",
                target=category,
                before=before[category.code],
                after=category_snapshot(category),
            )
    result = ImportResult(
        created=len(created),
        updated=updated,
        unchanged=len(parsed.rows) - len(created) - updated,
        encoding=parsed.encoding,
    )
    if result.created or result.updated:
        audit_record(
            tenant=tenant,
            by=by,
            action="category.import",
            after={
                "file_name": os.path.basename(file_name or getattr(file, "name", "") or "")[:255],
                "encoding": result.encoding,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result
