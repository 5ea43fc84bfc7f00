"""Base classes of the partner API (``/api/partner/v1/``), the sourcing agents' own API.

``Authorization: Partner-Token sw_<prefix>_<secret>``: a personal token bound to one agent membership (see
``sourcing.partner_tokens``). The base classes are the partner counterparts of ``TenantAPIMixin`` and
``TenantViewSet`` with the same protections (no endpoint may override the plumbing, see
``sourcing.api.base``): the handler runs inside the token's tenant scope with the agent's ``Actor``, behind
the same idempotency guard, and answers errors in the same format. Scopes are the agent role's. The partner
API never accepts an API key, and the ERP API never accepts a partner token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from sourcing.actors import Actor
from sourcing.api.authentication import PrefixedSecretAuthentication
from sourcing.api.base import ScopedAPIMixin, ScopedRowsMixin
from sourcing.api.permissions import HasScope
from sourcing.api.throttling import PartnerRateThrottle
from sourcing.models import USABLE_MEMBERSHIP, Membership, PartnerToken, Tenant
from sourcing.roles import Role
from sourcing.tenancy import PARTNER_TOKEN_SETTING, tenant_scope
from sourcing.web import client_ip

KEYWORD = "Partner-Token"
# One answer for every refusal, so a caller learns nothing about which check failed.
INVALID = "Invalid partner token."


class PartnerPrincipal:
    """What DRF calls the user for a token-authenticated request."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: PartnerToken) -> None:
        self.token = token
        self.pk = token.pk

    def __str__(self) -> str:
        return f"partner-token:{self.token.prefix}"


class PartnerTokenAuthentication(PrefixedSecretAuthentication):
    """A token that is active, of an active tenant, of a membership that still opens the tenant as an agent
    (active, role agent, agency active), of an active person. Anything else: 401 with one message."""

    keyword = KEYWORD
    model = PartnerToken
    prefix_setting = PARTNER_TOKEN_SETTING
    principal_class = PartnerPrincipal
    invalid = INVALID

    def accept(self, credential: Any) -> None:
        with tenant_scope(credential.tenant):
            membership = (
                Membership.objects.select_related("user", "agency")
                .filter(USABLE_MEMBERSHIP, pk=credential.membership_id, role=Role.AGENT)
                .first()
            )
        if membership is None or not membership.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        credential.membership = membership


class PartnerTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = PartnerTokenAuthentication
    name = "PartnerTokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Partner-Token <token>`; a sourcing agent creates their own tokens on the portal's API access "
                "page. A token is bound to one person in one tenant."
            ),
        }


class HasPartnerScope(HasScope):
    """The endpoint's scope, among those of the agent role (the token's membership)."""

    def principal_scopes(self, request: Request) -> frozenset[str] | None:
        token = request.auth
        return token.membership.scopes if isinstance(token, PartnerToken) else None


class PartnerAPIRequest(Request):
    """What a handler behind ``PartnerAPIMixin`` receives (for type checkers; dispatch sets these)."""

    auth: PartnerToken
    actor: Actor
    membership: Membership


class PartnerAPIMixin(ScopedAPIMixin):
    authentication_classes: Sequence[type[BaseAuthentication]] = [PartnerTokenAuthentication]
    permission_classes: Sequence[Any] = [HasPartnerScope]
    throttle_classes: Sequence[type[BaseThrottle]] = [PartnerRateThrottle]  # the API keys' rate, per agent

    def principal_scope(self, request: Request) -> tuple[Tenant, Actor, str]:
        token = request.auth
        if not isinstance(token, PartnerToken):  # HasPartnerScope lets nothing else through
            raise exceptions.NotAuthenticated()
        request.membership = token.membership  # type: ignore[attr-defined]
        actor = Actor.for_membership(token.membership, ip_address=client_ip(request))
        # Idempotency-Keys are the agent's own: another agent's key never replays this one's answer.
        return token.tenant, actor, f"partner:{token.membership_id}"


class PartnerAPIView(PartnerAPIMixin, APIView):
    pass


class PartnerViewSet(ScopedRowsMixin, PartnerAPIMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Subclasses set ``model`` and implement ``scoped_queryset()``: the rows this agent may see, called
    inside the tenant scope (``self.request.membership`` is the agent's membership)."""

    lookup_value_regex = "[0-9a-fA-F-]{36}"
