"""``Authorization: Api-Key sw_<prefix>_<secret>``: a machine credential bound to one tenant."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from sourcing.models import ApiKey, PartnerToken
from sourcing.services import api_key_matches, api_key_parse
from sourcing.tenancy import API_KEY_SETTING, db_setting, tenant_scope

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiKeyPrincipal:
    """What DRF calls the user for a key-authenticated request."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.pk = api_key.pk

    def __str__(self) -> str:
        return f"api-key:{self.api_key.name}"


class PrefixedSecretAuthentication(BaseAuthentication):
    """``Authorization: <keyword> sw_<prefix>_<secret>``: a stored credential of one tenant, found by its public
    prefix (the only lookup the database policy allows before the tenant is known), checked against its hash,
    refused with one message whatever failed, and its last use recorded to the minute.

    Subclasses name the keyword, the model, the prefix setting, the principal and the message, and may refuse
    more in ``accept``."""

    keyword: str
    model: type[ApiKey] | type[PartnerToken]
    prefix_setting: str
    principal_class: type[Any]
    invalid: str

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        parsed = api_key_parse(raw.strip())
        if parsed is None:
            raise exceptions.AuthenticationFailed(self.invalid)
        prefix, secret = parsed
        with db_setting(self.prefix_setting, prefix):
            candidates = list(self.model.objects.unscoped().select_related("tenant").filter(prefix=prefix))
        credential = next((c for c in candidates if api_key_matches(c, secret)), None)
        if credential is None or not credential.is_active or not credential.tenant.is_active:
            raise exceptions.AuthenticationFailed(self.invalid)
        self.accept(credential)
        self._touch(credential)
        return self.principal_class(credential), credential

    def accept(self, credential: Any) -> None:
        """Further checks of the credential; raise AuthenticationFailed(self.invalid) to refuse."""

    def _touch(self, credential: Any) -> None:
        now = timezone.now()
        if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
            with tenant_scope(credential.tenant):
                type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeyAuthentication(PrefixedSecretAuthentication):
    keyword = KEYWORD
    model = ApiKey
    prefix_setting = API_KEY_SETTING
    principal_class = ApiKeyPrincipal
    invalid = "Invalid API key."


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; keys are created by tenant admins and bound to one tenant.",
        }
