"""Celery entry points of the suppliers app: each loads by id inside the tenant scope and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import translation

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.tasks import for_each_active_tenant, tenant_task
from suppliers.services.certifications import certification_reminders_send, compliance_refresh
from suppliers.services.row_facts import row_facts_refresh_all

logger = logging.getLogger(__name__)


@tenant_task(name="suppliers.tasks.certification_daily")
def certification_daily(tenant: Tenant) -> dict[str, int]:
    """The daily certificate run of one tenant: compliance flags brought up to date with what expired
    overnight, then the expiry reminders that are due. Safe to rerun: flags are keyed by their source and
    each reminder mark is recorded once."""
    by = Actor.system("certification-daily")
    # Flag titles are stored text: written in the tenant's language.
    with translation.override(tenant.default_language):
        flags = compliance_refresh(tenant=tenant, by=by)
    reminded = certification_reminders_send(tenant=tenant, by=by)
    # The services keep each supplier's row facts with their sources; this finds any they did not.
    repaired = row_facts_refresh_all()
    if repaired:
        logger.warning("row facts of %d suppliers of %s were stale and have been recomputed", repaired, tenant.slug)
    return {"flags": flags, "reminded": reminded, "row_facts_repaired": repaired}


@shared_task(name="suppliers.tasks.certification_daily_all")
def certification_daily_all() -> int:
    """Beat entry point: queue the daily certificate run for every active tenant."""
    return for_each_active_tenant(certification_daily)


@tenant_task(name="suppliers.tasks.qualification_daily")
def qualification_daily(tenant: Tenant) -> int:
    """The daily qualification run of one tenant: conditional approvals whose conditions ran out are
    suspended (each with its reason on the timeline). Safe to rerun: a suspended supplier is not conditional."""
    from suppliers.selectors.evidence import tenant_today
    from suppliers.services.qualification import conditional_approvals_expire

    with translation.override(tenant.default_language):
        return conditional_approvals_expire(
            tenant=tenant, by=Actor.system("qualification-daily"), today=tenant_today(tenant)
        )


@shared_task(name="suppliers.tasks.qualification_daily_all")
def qualification_daily_all() -> int:
    """Beat entry point: queue the daily qualification run for every active tenant."""
    return for_each_active_tenant(qualification_daily)
