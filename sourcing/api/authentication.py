"""``Authorization: Api-Key sw_<prefix>_<secret>``: a machine credential bound to one tenant."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from sourcing.models import ApiKey
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


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        parsed = api_key_parse(raw.strip())
        if parsed is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        prefix, secret = parsed
        # Before the tenant is known, the RLS policy lets a key be found by its public prefix only.
        with db_setting(API_KEY_SETTING, prefix):
            candidates = list(ApiKey.objects.unscoped().select_related("tenant").filter(prefix=prefix))
        key = next((k for k in candidates if api_key_matches(k, secret)), None)
        if key is None or not key.is_active or not key.tenant.is_active:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        self._touch(key)
        return ApiKeyPrincipal(key), key

    def _touch(self, key: ApiKey) -> None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            with tenant_scope(key.tenant):
                ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


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
