"""How often an agent's supplier proposals may be answered "a supplier that may be the same company is already
known": each such answer tells whether a credit code, website or phone is in the tenant's supplier base, so an
agent gets few of them (``SUPPLIER_PROPOSAL_MATCH_RATE``, counted in the shared cache as the API throttles are),
and every proposal that hits another supplier's identifier is in the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.models import Tenant
from suppliers.selectors.duplicates import Candidate
from suppliers.selectors.master import suppliers_assigned_to

IDENTIFIERS = ("credit_code", "website", "phone")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooManyMatches(DomainError):
    """The agent has had their share of "already known" answers for now."""

    status = 429
    code = "throttled"


def _rate() -> tuple[int, int]:
    """(answers, seconds) from the setting, written as DRF rates are: ``20/hour``, ``5/min``."""
    count, period = str(settings.SUPPLIER_PROPOSAL_MATCH_RATE).split("/")
    return int(count), _PERIODS[period.strip()[0]]


def _key(by: Actor) -> str:
    assert by.membership is not None
    return f"supplier-proposal-matches:{by.membership.pk}"


def proposal_matches_check(*, by: Actor) -> None:
    """Refuse a checked proposal from an agent who has had all their "already known" answers for now: any
    proposal, not only one that would match, so that the refusal itself tells nothing."""
    limit, _seconds = _rate()
    if int(cache.get(_key(by), 0)) >= limit:
        raise TooManyMatches(
            _(
                "Too many of your proposals matched suppliers that are already known. "
                "Try again later, or confirm that the supplier is a different company."
            )
        )


def proposal_matches_record(*, tenant: Tenant, by: Actor, candidates: list[Candidate]) -> dict[str, Any] | None:
    """Count an answer that another supplier (not assigned to the agent) may be the same company, and record in
    the audit log, in a transaction of its own (the proposal is rolled back), which of the agent's identifiers
    hit one. What was recorded, if anything: a caller whose own transaction is rolled back with the refusal
    (the partner API) records it again after that (``proposal_match_audit``)."""
    assert by.user is not None
    assigned = set(suppliers_assigned_to(user=by.user).values_list("pk", flat=True))
    others = [c for c in candidates if c.supplier.pk not in assigned]
    if not others:
        return None
    _limit, seconds = _rate()
    key = _key(by)
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=seconds)
        count = 1
    fields = sorted({f for c in others for f in c.fields if f in IDENTIFIERS})
    if fields:
        after: dict[str, Any] = {
            "agent": by.label,
            "fields": fields,
            "suppliers": sorted(str(c.supplier.pk) for c in others if set(c.fields) & set(IDENTIFIERS)),
            "answers_this_period": count,
        }
        proposal_match_audit(tenant=tenant, by=by, after=after)
        return after
    return None


def proposal_match_audit(*, tenant: Tenant, by: Actor, after: dict[str, Any]) -> None:
    """The audit event of a proposal that hit another supplier's identifier (never shown to the agent)."""
    with transaction.atomic():
        audit_record(tenant=tenant, by=by, action="supplier.proposal_matched_other", after=after)
