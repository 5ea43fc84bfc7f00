"""The partner API and the partner-token pages in the isolation harness (see tests/test_isolation.py).

Every route under /api/partner/v1/ must be described in ``PARTNER_REQUESTS`` (the harness fails on one that is
not): for each method, the body it is sent. ``PARTNER_BODY_ID_ROUTES`` are the routes whose body names an
object (a supplier), which an agent it is not assigned to must find missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"

POST_ONLY: set[str] = {"portal_partner_token_revoke", "partner_token_revoke"}
BODY_ID_ROUTES: set[str] = set()  # the token pages take their ids in the path
API_PK_OBJECT: dict[str, str] = {
    "partner-supplier": "supplier_id",
    "partner-certification": "certification_id",
    "partner-document": "document_id",
    "partner-audit": "audit_id",
}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    forms: dict[str, dict[str, Any]] = {"portal_partner_token_revoke": {}, "partner_token_revoke": {}}
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A partner token of the tenant's agent (for acme, the agent assigned to ``supplier``)."""
    with tenant_scope(tenant):
        token, _raw = partner_token_create(tenant=tenant, by=Actor.for_membership(members["agent"]), name="Harness")
    return {"partner_token_id": str(token.pk)}


def _pdf(name: str = "harness.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# (body, format) of one request, built from the objects of the tenant the ids are taken from.
Body = Callable[[dict[str, str]], tuple[dict[str, Any], str]]

PARTNER_REQUESTS: dict[str, dict[str, Body]] = {
    "partner-supplier-list": {"GET": lambda o: ({}, "json")},
    "partner-supplier-detail": {"GET": lambda o: ({}, "json")},
    "partner-proposal-list": {
        "POST": lambda o: ({"legal_name": "Harness Proposed Trading Co., Ltd.", "allow_duplicates": True}, "json")
    },
    "partner-certification-list": {
        "GET": lambda o: ({}, "json"),
        "POST": lambda o: (
            {
                "supplier": o.get("supplier_id", ""),
                "cert_type": "smeta",
                "valid_until": "2031-03-31",
                "file": _pdf(),
            },
            "multipart",
        ),
    },
    "partner-certification-detail": {"GET": lambda o: ({}, "json")},
    "partner-document-list": {
        "GET": lambda o: ({}, "json"),
        "POST": lambda o: (
            {"supplier": o.get("supplier_id", ""), "doc_type": "other", "title": "Harness layout", "file": _pdf()},
            "multipart",
        ),
    },
    "partner-document-detail": {"GET": lambda o: ({}, "json")},
    "partner-document-versions": {"POST": lambda o: ({"file": _pdf("v2.pdf")}, "multipart")},
    "partner-audit-list": {"GET": lambda o: ({}, "json")},
    "partner-audit-detail": {"GET": lambda o: ({}, "json")},
    "partner-audit-answers": {
        "POST": lambda o: ({"answers": [{"item": o.get("audit_item_id", ""), "answer": "compliant"}]}, "json")
    },
    "partner-audit-evidence": {
        "POST": lambda o: (
            {"file": _pdf("floor.pdf"), "item": o.get("audit_item_id", ""), "caption": "Floor"},
            "multipart",
        )
    },
    # Not every item is answered: refused (400), but only once the audit was found.
    "partner-audit-submit": {"POST": lambda o: ({"summary": "Harness"}, "json")},
}
# Routes whose body names a supplier: an agent it is not assigned to finds it missing (404).
PARTNER_BODY_ID_ROUTES = {"partner-certification-list", "partner-document-list"}
