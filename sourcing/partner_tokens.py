"""Partner tokens: a sourcing agent's personal credentials for the partner API (``/api/partner/v1/``).

A token is bound to one agent membership, so to one person in one tenant. The agent creates and revokes their
own tokens on the portal; a tenant admin (``apikey:manage``) lists every agent's and can revoke any of them.
The plain token is returned once by ``partner_token_create`` and never stored (the scheme of API keys:
``sw_<prefix>_<secret>``, of which only the prefix and a SHA-256 of the secret are kept).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.access import access_partner_token, own_agent_membership
from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.models import Membership, PartnerToken, Tenant
from sourcing.roles import Scope
from sourcing.services import credential_new

MAX_ACTIVE_TOKENS = 5
NAME_MAX = PartnerToken._meta.get_field("name").max_length or 100
ACTIVE_FIRST = F("revoked_at").desc(nulls_first=True)


# Reads


def partner_token_list_for_membership(*, membership: Membership) -> QuerySet[PartnerToken]:
    """An agent's own tokens, active first, newest first."""
    return PartnerToken.objects.filter(membership_id=membership.pk).order_by(ACTIVE_FIRST, "-created_at", "-id")


def partner_token_list() -> QuerySet[PartnerToken]:
    """Every agent's tokens in the tenant, for its admins: active first, then by agent."""
    return PartnerToken.objects.select_related("membership__user", "membership__agency").order_by(
        ACTIVE_FIRST, "membership__user__email", "-created_at", "-id"
    )


# Writes


@transaction.atomic
def partner_token_create(*, tenant: Tenant, by: Actor, name: str) -> tuple[PartnerToken, str]:
    """Create a token for the calling agent; the returned plain token is shown once and never stored. An
    agent holds at most ``MAX_ACTIVE_TOKENS`` active tokens, each with its own name."""
    membership = own_agent_membership(by)
    # One creation at a time per agent, so two requests cannot both pass the cap.
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), fields={"name": [_("This field is required.")]})
    if len(name) > NAME_MAX:
        message = _("At most %(n)d characters.") % {"n": NAME_MAX}
        raise DomainError(message, fields={"name": [message]})
    active = PartnerToken.objects.filter(membership_id=membership.pk, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        message = _("You already have %(n)d active tokens, the most allowed. Revoke one you no longer use first.") % {
            "n": MAX_ACTIVE_TOKENS
        }
        raise DomainError(message, fields={"name": [message]}, code="token_limit")
    if active.filter(name__iexact=name).exists():
        raise DomainError(_("You have an active token with this name."), fields={"name": [_("Choose another name.")]})
    prefix, secret_hash, plain = credential_new()
    token = PartnerToken.objects.create(
        tenant=tenant, membership=membership, name=name, prefix=prefix, secret_hash=secret_hash
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="partner_token.create",
        target=token,
        after={"name": name, "prefix": prefix, "agent": membership.user.email},
    )
    return token, plain


@transaction.atomic
def partner_token_revoke(*, tenant: Tenant, by: Actor, token_id: Any) -> PartnerToken:
    """Revoke a token: an agent their own (any other is missing to them), an admin any agent's. Revoking a
    revoked token changes nothing."""
    token = access_partner_token(by=by, id=token_id, need=Scope.APIKEY_MANAGE, lock=True)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            tenant=tenant,
            by=by,
            action="partner_token.revoke",
            target=token,
            after={"revoked": True, "agent": token.membership.user.email},
        )
    return token
