"""Supplier documents. Each upload is a version: it either starts a document or, for an existing one (named
by id, or by the same title and type), becomes its next version; earlier versions are kept. A document's title,
type and expiry can be changed, and a document removed with every version.

Internal people need ``Scope.SUPPLIER_EVIDENCE``; an agent may upload for a supplier assigned to them, and
never changes or removes a document."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.ids import as_uuid
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.uploads import Accepted, delete_files_on_commit
from suppliers.models import Document, DocumentType, DocumentVersion, Supplier
from suppliers.services.access import access_document, access_document_version, access_supplier
from suppliers.services.certifications import check_file, store_file
from suppliers.services.common import invalid

TITLE_MAX = Document._meta.get_field("title").max_length or 200
NOTE_MAX = DocumentVersion._meta.get_field("note").max_length or 500


@transaction.atomic
def document_upload(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    file: IO[bytes] | None,
    file_name: str = "",
    document_id: Any = None,
    doc_type: str = "",
    title: str = "",
    expires_on: datetime.date | None = None,
    note: str = "",
) -> DocumentVersion:
    """Store an uploaded file as a document version of the supplier. With ``document_id`` it is the next
    version of that document (type and title are the document's; a given ``expires_on`` replaces its
    expiry); otherwise it is the next version of the document with the same title (any letter case) and
    type, or version 1 of a new one. Size and content type come from the bytes."""
    supplier = access_supplier(by=by, id=supplier_id, need=(Scope.SUPPLIER_EVIDENCE, Scope.PORTAL), lock=True)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    note = (note or "").strip()
    document: Document | None = None
    if document_id not in (None, ""):
        pk = as_uuid(document_id)
        document = Document.objects.filter(pk=pk, supplier_id=supplier.pk).first() if pk is not None else None
        if document is None:  # missing, another supplier's or another tenant's: one message for all
            errors["document"] = [_("Choose one of the listed documents.")]
    else:
        if doc_type not in DocumentType.values:
            errors["doc_type"] = [_("Choose one of the listed types.")]
        if not title:
            errors["title"] = [_("A title is required.")]
        elif len(title) > TITLE_MAX:
            errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    if expires_on is not None and not isinstance(expires_on, datetime.date):
        errors["expires_on"] = [_("Enter a valid date.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    accepted: Accepted | None = None
    if file is None:
        errors["file"] = [_("Choose a file to upload.")]
    else:
        try:
            accepted = check_file(file, file_name=file_name)
        except DomainError as exc:
            errors.update(exc.fields)
    if errors or accepted is None:
        raise invalid(errors)
    if document is None:
        document = Document.objects.filter(supplier_id=supplier.pk, doc_type=doc_type, title__iexact=title).first()
    created = document is None
    if document is None:
        document = Document.objects.create(
            tenant=tenant, supplier=supplier, doc_type=doc_type, title=title, expires_on=expires_on
        )
    elif expires_on is not None and expires_on != document.expires_on:
        document.expires_on = expires_on
        document.save(update_fields=["expires_on"])
    # The supplier row is locked above, so two uploads to one supplier never take the same number.
    latest = DocumentVersion.objects.filter(document_id=document.pk).aggregate(n=Max("version"))["n"] or 0
    version = DocumentVersion(tenant=tenant, document=document, version=latest + 1, note=note)
    store_file(version, accepted, by=by)
    version.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="document.create" if created else "document.version",
        target=document,
        after={
            "supplier": str(supplier.pk),
            "doc_type": document.doc_type,
            "title": document.title,
            "version": version.version,
            "file_name": version.file_name,
            "content_type": version.content_type,
            "size": version.size,
            "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        },
    )
    return version


def document_version_download(*, tenant: Tenant, by: Actor, version_id: Any) -> DocumentVersion:
    """The document version to send, once the read is recorded; an agent's only from an assigned supplier."""
    version = access_document_version(by=by, id=version_id, need=(Scope.SUPPLIER_READ, Scope.PORTAL))
    audit_record(
        tenant=tenant,
        by=by,
        action="document.download",
        target=version.document,
        after={"supplier": str(version.document.supplier_id), "version": version.version},
    )
    return version


DOCUMENT_FIELDS = ["doc_type", "title", "expires_on"]
EDITABLE = set(DOCUMENT_FIELDS)


def _document_to_change(by: Actor, document_id: Any) -> tuple[Document, Any]:
    """The document, locked, and its supplier, locked first (the order an upload takes). Internal people with
    the evidence scope only: an agent is refused before anything is looked up."""
    document = access_document(by=by, id=document_id, need=Scope.SUPPLIER_EVIDENCE, lock=True)
    return document, document.supplier


def _document_snapshot(document: Document) -> dict[str, Any]:
    return {
        "doc_type": document.doc_type,
        "title": document.title,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
    }


@transaction.atomic
def document_update(*, tenant: Tenant, by: Actor, document_id: Any, **changes: Any) -> Document:
    """Change a document's title, type or expiry (any of ``EDITABLE``; what is not given stays). Its versions
    are untouched. Another document of the supplier with the same title (any letter case) and type is refused,
    since an upload under that title and type must name one document. Internal people only."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"document_update() cannot change {', '.join(sorted(unknown))}")
    document, supplier = _document_to_change(by, document_id)
    before = _document_snapshot(document)
    errors: dict[str, list[str]] = {}
    doc_type = changes.get("doc_type", document.doc_type)
    title = (changes["title"] or "").strip() if "title" in changes else document.title
    expires_on = changes.get("expires_on", document.expires_on)
    if doc_type not in DocumentType.values:
        errors["doc_type"] = [_("Choose one of the listed types.")]
    if not title:
        errors["title"] = [_("A title is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    if expires_on is not None and not isinstance(expires_on, datetime.date):
        errors["expires_on"] = [_("Enter a valid date.")]
    if not errors and (
        Document.objects.filter(supplier_id=supplier.pk, doc_type=doc_type, title__iexact=title)
        .exclude(pk=document.pk)
        .exists()
    ):
        errors["title"] = [_("This supplier already has a document of this type with this title.")]
    if errors:
        raise invalid(errors)
    document.doc_type, document.title, document.expires_on = doc_type, title, expires_on
    after = _document_snapshot(document)
    if after == before:
        return document  # nothing new: nothing to save or record
    document.save(update_fields=DOCUMENT_FIELDS)
    audit_record(
        tenant=tenant,
        by=by,
        action="document.update",
        target=document,
        before={k: v for k, v in before.items() if after[k] != v},
        after={"supplier": str(supplier.pk), **{k: v for k, v in after.items() if before[k] != v}},
    )
    return document


@transaction.atomic
def document_delete(*, tenant: Tenant, by: Actor, document_id: Any) -> Supplier:
    """Remove a document with every version; their stored files go once the removal is committed. Internal
    people only. Returns the supplier it belonged to."""
    document, supplier = _document_to_change(by, document_id)
    versions = list(DocumentVersion.objects.filter(document_id=document.pk).order_by("version"))
    audit_record(
        tenant=tenant,
        by=by,
        action="document.delete",
        target=document,
        before={
            "supplier": str(supplier.pk),
            **_document_snapshot(document),
            "versions": [{"version": v.version, "file_name": v.file_name, "size": v.size} for v in versions],
        },
    )
    document.delete()  # the versions go with it (cascade)
    delete_files_on_commit(v.file for v in versions)
    return supplier
