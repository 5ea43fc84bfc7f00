"""Members, agencies, agent assignments, API keys, the audit log and export jobs in the isolation harness."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from sourcing.models import AuditEvent, ExportJob, ExportStatus, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import new_agency, new_api_key

POST_ONLY: set[str] = {"member_set_active", "agency_set_active", "agent_assignment", "api_key_revoke"}
BODY_ID_ROUTES: set[str] = {"agent_assignment", "member_invite"}
API_PK_OBJECT: dict[str, str] = {"membership": "membership_id", "auditevent": "event_id", "supplier": "supplier_id"}
# An export job is its requester's alone (the buyer's here): any other member finds it missing.
OWN_ROUTES: dict[str, str] = {"export_job_detail": Role.BUYER, "export_job_download": Role.BUYER}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    forms: dict[str, dict[str, Any]] = {
        "member_set_active": {"active": "1"},
        "agency_set_active": {"active": "1"},
        "agent_assignment": {"supplier": objects["supplier_id"], "agent": objects["agent_id"]},
        "member_invite": {"email": "new.agent@bridge.test", "role": "agent", "agency": objects["agency_id"]},
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """The tenant's agency, a read key, its first audit event, and the ids of its buyer, its supplier and an
    agent the supplier is not assigned to (globex, which has none, names its buyer)."""
    agency = new_agency(tenant)
    key, _raw = new_api_key(tenant, ("read",), "harness-read")
    with tenant_scope(tenant):
        event = AuditEvent.objects.order_by("id").first()
        job = ExportJob(tenant=tenant, kind="spend.lines", format="csv", requested_by=members[Role.BUYER].user)
        job.status, job.rows_total, job.file_name = ExportStatus.SUCCEEDED, 1, "spend-lines.csv"
        job.file.save("harness.csv", ContentFile(b'"Invoice date"\r\n"2026-03-05"\r\n'), save=False)
        job.save()
    return {
        "membership_id": str(members[Role.BUYER].pk),
        "agency_id": str(agency.pk),
        "api_key_id": str(key.pk),
        "supplier_id": str(supplier.pk),
        "event_id": str(event.pk) if event else "",
        "agent_id": str(members.get("unassigned_agent", members[Role.BUYER]).pk),
        "export_job_id": str(job.pk),
    }
