"""Webhook endpoints: create (the secret is returned once), change, rotate the secret, delete."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.webhooks.models import WebhookEndpoint
from sourcing.webhooks.selectors.webhooks import subscribable_event_types
from sourcing.webhooks.services.access import access_webhook_endpoint
from sourcing.webhooks.signing import secret_new
from sourcing.webhooks.targets import shown_url, target_problem

DESCRIPTION_MAX = 200


def _clean_url(url: Any, errors: dict[str, list[str]]) -> str:
    url = str(url or "").strip()
    problem = target_problem(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
    if problem:
        errors["url"] = [problem]
    return url


def _clean_events(event_types: Any, errors: dict[str, list[str]]) -> list[str]:
    known = subscribable_event_types()
    if not isinstance(event_types, list | tuple) or not all(isinstance(e, str) for e in event_types):
        errors["event_types"] = [_("A list of event types.")]
        return []
    unknown = sorted({e for e in event_types if e not in known})
    if unknown:
        errors["event_types"] = [
            _("Unknown event types: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(known)}
        ]
    elif not event_types:
        errors["event_types"] = [_("Choose at least one event.")]
    return sorted(set(event_types))


def _clean_description(description: Any, errors: dict[str, list[str]]) -> str:
    description = str(description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}]
    return description


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise DomainError(_("Check the highlighted fields."), fields=errors)


@transaction.atomic
def webhook_endpoint_create(
    *, tenant: Tenant, by: Actor, url: Any, event_types: Any, description: Any = ""
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; the returned secret (``whsec_…``) is shown once and signs every message."""
    by.require(Scope.WEBHOOK_MANAGE)
    errors: dict[str, list[str]] = {}
    url = _clean_url(url, errors)
    events = _clean_events(event_types, errors)
    description = _clean_description(description, errors)
    _raise(errors)
    secret = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant, url=url, description=description, event_types=events, secret=secret, created_by=by.user
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="webhook_endpoint.create",
        target=endpoint,
        after={"url": shown_url(url), "event_types": events, "description": description},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    tenant: Tenant,
    by: Actor,
    endpoint_id: Any,
    url: Any = None,
    event_types: Any = None,
    description: Any = None,
    is_enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None leaves a field as it is). Enabling an endpoint clears why it was disabled."""
    endpoint = access_webhook_endpoint(by=by, id=endpoint_id, need=Scope.WEBHOOK_MANAGE, lock=True)
    before = _state(endpoint)
    errors: dict[str, list[str]] = {}
    if url is not None and str(url).strip() != endpoint.url:  # an unchanged URL is checked at each attempt anyway
        endpoint.url = _clean_url(url, errors)
    if event_types is not None:
        endpoint.event_types = _clean_events(event_types, errors)
    if description is not None:
        endpoint.description = _clean_description(description, errors)
    if is_enabled is not None and not isinstance(is_enabled, bool):
        errors["is_enabled"] = [_("true or false.")]
    _raise(errors)
    if is_enabled is not None and is_enabled != endpoint.is_enabled:
        endpoint.is_enabled = is_enabled
        endpoint.disabled_reason = "" if is_enabled else _("disabled by %(who)s") % {"who": by.label[:150]}
    after = _state(endpoint)
    if after != before:
        endpoint.updated_at = timezone.now()
        endpoint.save()
        changed = {k: v for k, v in after.items() if before[k] != v}
        audit_record(
            tenant=tenant,
            by=by,
            action="webhook_endpoint.update",
            target=endpoint,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return endpoint


def _state(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": shown_url(endpoint.url),
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "is_enabled": endpoint.is_enabled,
    }


@transaction.atomic
def webhook_endpoint_rotate_secret(*, tenant: Tenant, by: Actor, endpoint_id: Any) -> tuple[WebhookEndpoint, str]:
    """A new secret signs every attempt from now on, retries of earlier messages included; returned once."""
    endpoint = access_webhook_endpoint(by=by, id=endpoint_id, need=Scope.WEBHOOK_MANAGE, lock=True)
    endpoint.secret = secret_new()
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=["secret", "updated_at"])
    audit_record(tenant=tenant, by=by, action="webhook_endpoint.rotate_secret", target=endpoint)
    return endpoint, endpoint.secret


@transaction.atomic
def webhook_endpoint_delete(*, tenant: Tenant, by: Actor, endpoint_id: Any) -> None:
    """Remove the endpoint and its delivery log; nothing more is sent to it."""
    endpoint = access_webhook_endpoint(by=by, id=endpoint_id, need=Scope.WEBHOOK_MANAGE, lock=True)
    audit_record(
        tenant=tenant, by=by, action="webhook_endpoint.delete", target=endpoint, before={"url": shown_url(endpoint.url)}
    )
    endpoint.delete()


def webhook_endpoint_disable_gone(*, tenant: Tenant, by: Actor, endpoint: WebhookEndpoint) -> None:
    """The receiver answered 410 Gone: disable the endpoint (inside the delivery attempt's transaction)."""
    if not endpoint.is_enabled:
        return
    endpoint.is_enabled = False
    endpoint.disabled_reason = _("answered 410 Gone")
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=["is_enabled", "disabled_reason", "updated_at"])
    audit_record(
        tenant=tenant,
        by=by,
        action="webhook_endpoint.disable",
        target=endpoint,
        before={"is_enabled": True},
        after={"is_enabled": False, "reason": "410 Gone"},
    )
