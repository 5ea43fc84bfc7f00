"""Writes and state changes of the core: tenant settings, members, agencies, API keys, agent grants.

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit
event in the same transaction. Callers are already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from sourcing.access import access_agency, access_api_key, access_membership
from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot, update_audited
from sourcing.errors import DomainError, NotFoundError
from sourcing.mail import render_subject
from sourcing.models import (
    Agency,
    ApiKey,
    Membership,
    PartnerToken,
    Tenant,
    User,
    validate_country,
    validate_currency,
    validate_time_zone,
)
from sourcing.roles import ApiKeyScope, Role, Scope

TENANT_FIELDS = ["name", "base_currency", "time_zone", "default_language"]
MEMBER_FIELDS = ["role", "agency", "is_active"]


def _validate(validator: Any, value: Any, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], fields={field: exc.messages}) from exc


def base_amount_holders() -> list[str]:
    """What already holds money in the tenant's base currency, named for people.

    Spend lines carry their converted amount, findings their amount and estimated saving, baselines their
    frozen totals, and FX rates say how many units of the base currency one unit of another currency buys.
    A new base currency would relabel all of them without converting them, so their presence refuses the change.
    A spend import that is queued or running is about to write spend lines and counts too.

    Each model that holds such amounts says so with a classmethod ``base_amount_rows()`` (the rows that hold
    them); the core asks every installed model, so it depends on none of the apps above it.
    """
    holders = []
    for model in django_apps.get_models():
        rows = getattr(model, "base_amount_rows", None)
        if rows is not None and rows().exists():
            holders.append(str(model._meta.verbose_name_plural))
    return holders


def _check_base_currency_change(tenant: Tenant, currency: str) -> None:
    # The row lock makes two changes of the currency wait for each other, and the value read under it is the
    # one that counts, whatever the caller's copy says.
    current = Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("base_currency", flat=True).first()
    if currency == current:
        return
    holders = base_amount_holders()
    if holders:
        message = _(
            "The base currency cannot change from %(current)s to %(new)s: %(holders)s already hold amounts in "
            "%(current)s, and changing it would relabel them without converting them."
        ) % {"current": current, "new": currency, "holders": ", ".join(holders)}
        raise DomainError(message, fields={"base_currency": [message]})


@transaction.atomic
def tenant_update(*, tenant: Tenant, by: Actor, **changes: Any) -> Tenant:
    """Change the tenant's name, base currency, time zone or default language.

    The base currency changes only while nothing holds amounts in it (``base_amount_holders``).
    """
    by.require(Scope.TENANT_WRITE)
    unknown = set(changes) - set(TENANT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    if "base_currency" in changes:
        changes["base_currency"] = str(changes["base_currency"]).strip().upper()
        _validate(validate_currency, changes["base_currency"], "base_currency")
        if changes["base_currency"] != tenant.base_currency:
            _check_base_currency_change(tenant, changes["base_currency"])
    if "time_zone" in changes:
        _validate(validate_time_zone, changes["time_zone"], "time_zone")
    if "default_language" in changes and changes["default_language"] not in {"en", "zh-hans"}:
        raise DomainError(_("Unknown language."), fields={"default_language": [_("Use en or zh-hans.")]})
    if "name" in changes and not str(changes["name"]).strip():
        raise DomainError(_("A name is required."), fields={"name": [_("This field is required.")]})
    update_audited(tenant, changes, tenant=tenant, by=by, action="tenant.update", picture=TENANT_FIELDS)
    return tenant


def _agency_for(role: str, agency_id: Any) -> Agency | None:
    """Sourcing agents belong to an agency of this tenant; nobody else does."""
    if role != Role.AGENT:
        if agency_id:
            raise DomainError(
                _("Only sourcing agents belong to an agency."),
                fields={"agency": [_("Leave empty for this role.")]},
            )
        return None
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first() if agency_id else None
    if agency is None:
        raise DomainError(
            _("Sourcing agents must belong to an agency."),
            fields={"agency": [_("Choose the agency this agent works for.")]},
        )
    return agency


@transaction.atomic
def member_invite(
    *,
    tenant: Tenant,
    by: Actor,
    email: str,
    role: str,
    full_name: str = "",
    agency_id: Any = None,
    language: str | None = None,
    time_zone: str | None = None,
    send_email: bool = True,
    password: str | None = None,
) -> Membership:
    """Add a person to the tenant with a role; a new person gets an e-mail to set their password."""
    by.require(Scope.MEMBER_WRITE)
    email = User.objects.normalize_email(email or "").strip().lower()
    try:
        models.EmailField().clean(email, None)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid e-mail address."), fields={"email": exc.messages}) from exc
    if role not in Role.values:
        raise DomainError(_("Unknown role."), fields={"role": [_("Choose one of the listed roles.")]})
    agency = _agency_for(role, agency_id)
    if time_zone:
        _validate(validate_time_zone, time_zone, "time_zone")
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            language=language or tenant.default_language,
            time_zone=time_zone or tenant.time_zone,
        )
    elif Membership.objects.filter(user=user).exists():
        raise DomainError(_("This person is already a member."), fields={"email": [_("Already a member.")]})
    membership = Membership.objects.create(tenant=tenant, user=user, role=role, agency=agency)
    audit_record(
        tenant=tenant,
        by=by,
        action="member.invite",
        target=membership,
        after={"email": email, **snapshot(membership, MEMBER_FIELDS)},
    )
    if send_email and password is None:
        context = {"tenant_name": tenant.name, "invited_by": by.label}
        if created:
            transaction.on_commit(lambda: _send_invitation(email, context))
        else:
            # An existing account joins another organisation: tell its owner, it is their account.
            transaction.on_commit(lambda: _send_added_notice(user, context))
    return membership


class InvitationForm(PasswordResetForm):
    """The password-reset e-mail, for a person who has no usable password yet (Django's form skips them)."""

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email__iexact=email, is_active=True)


def _send_invitation(email: str, context: dict[str, str]) -> None:
    site = urlsplit(settings.SITE_URL)
    form = InvitationForm({"email": email})
    if form.is_valid():
        form.save(
            subject_template_name="registration/invitation_subject.txt",
            email_template_name="registration/invitation_email.txt",
            use_https=site.scheme == "https",
            domain_override=site.netloc,
            extra_email_context=context,
        )


def _send_added_notice(user: User, context: dict[str, str]) -> None:
    email_context: dict[str, Any] = {**context, "user": user, "site_url": settings.SITE_URL}
    subject = render_subject("registration/added_subject.txt", email_context)
    send_mail(subject, render_to_string("registration/added_email.txt", email_context), None, [user.email])


@transaction.atomic
def member_change_role(
    *, tenant: Tenant, by: Actor, membership_id: Any, role: str, agency_id: Any = None
) -> Membership:
    membership = access_membership(by=by, id=membership_id, need=Scope.MEMBER_WRITE)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), fields={"role": [_("Choose one of the listed roles.")]})
    if by.user is not None and membership.user_id == by.user.pk and role != membership.role:
        raise DomainError(
            _("You cannot change your own role."), fields={"role": [_("Ask another admin to change it.")]}
        )
    before = snapshot(membership, MEMBER_FIELDS)
    was_agent_of = membership.agency_id if membership.role == Role.AGENT else None
    membership.role = role
    membership.agency = _agency_for(role, agency_id)
    membership.save(update_fields=["role", "agency"])
    revoked = 0
    if was_agent_of is not None and membership.agency_id != was_agent_of:
        # Assignments were made to this person as an agent of that agency; they do not follow them.
        revoked = _revoke_agent_grants(membership.user_id)
    audit_record(
        tenant=tenant,
        by=by,
        action="member.change_role",
        target=membership,
        before=before,
        after={**snapshot(membership, MEMBER_FIELDS), "assignments_revoked": revoked},
    )
    return membership


def _revoke_agent_grants(user_id: Any) -> int:
    """Delete every object grant this user holds in the current tenant; returns how many."""
    from django.apps import apps

    from sourcing.permissions import AgentGrantBase

    revoked = 0
    for model in apps.get_models():
        if issubclass(model, AgentGrantBase):
            revoked += model.objects.filter(user_id=user_id).delete()[0]
    return revoked


@transaction.atomic
def member_set_active(*, tenant: Tenant, by: Actor, membership_id: Any, active: bool) -> Membership:
    """Deactivate (or reactivate) a membership. A deactivated member can no longer open this tenant."""
    membership = access_membership(by=by, id=membership_id, need=Scope.MEMBER_WRITE)
    if by.user is not None and membership.user_id == by.user.pk:
        raise DomainError(
            _("You cannot deactivate yourself."), fields={"is_active": [_("Ask another admin to do it.")]}
        )
    before = snapshot(membership, MEMBER_FIELDS)
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    audit_record(
        tenant=tenant,
        by=by,
        action="member.activate" if active else "member.deactivate",
        target=membership,
        before=before,
        after=snapshot(membership, MEMBER_FIELDS),
    )
    return membership


@transaction.atomic
def agency_create(*, tenant: Tenant, by: Actor, name: str, country: str = "CN", contact_email: str = "") -> Agency:
    by.require(Scope.AGENCY_WRITE)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), fields={"name": [_("This field is required.")]})
    if Agency.objects.filter(name__iexact=name).exists():
        raise DomainError(_("An agency with this name exists."), fields={"name": [_("Already exists.")]})
    country = (country or "CN").strip().upper()
    _validate(validate_country, country, "country")
    agency = Agency.objects.create(tenant=tenant, name=name, country=country, contact_email=contact_email)
    audit_record(
        tenant=tenant,
        by=by,
        action="agency.create",
        target=agency,
        after=snapshot(agency, ["name", "country", "contact_email"]),
    )
    return agency


@transaction.atomic
def agency_set_active(*, tenant: Tenant, by: Actor, agency_id: Any, active: bool) -> Agency:
    """An inactive agency's agents cannot open this tenant (their memberships stay as they are, so
    reactivating the agency gives them back exactly the access they had)."""
    agency = access_agency(by=by, id=agency_id, need=Scope.AGENCY_WRITE)
    if agency.is_active == active:
        return agency
    agency.is_active = active
    agency.save(update_fields=["is_active"])
    audit_record(
        tenant=tenant,
        by=by,
        action="agency.activate" if active else "agency.deactivate",
        target=agency,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return agency


def _hash_secret(secret: str) -> str:
    # API keys carry 256 bits of randomness, so a fast hash is enough (a slow one only adds latency).
    return hashlib.sha256(secret.encode()).hexdigest()


def credential_new() -> tuple[str, str, str]:
    """A new credential as (public prefix, SHA-256 of the secret, plain ``sw_<prefix>_<secret>``): the scheme
    of API keys, also used by partner tokens. Only the prefix and the hash are stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, _hash_secret(secret), f"sw_{prefix}_{secret}"


@transaction.atomic
def api_key_create(*, tenant: Tenant, by: Actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key; the returned plain key is shown once and never stored."""
    by.require(Scope.APIKEY_MANAGE)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), fields={"name": [_("This field is required.")]})
    bad = [s for s in scopes if s not in ApiKeyScope.values]
    if bad or not scopes:
        raise DomainError(
            _("Scopes must be read, write and/or admin."), fields={"scopes": [_("Use read, write, admin.")]}
        )
    if ApiKey.objects.filter(name=name).exists():
        raise DomainError(_("A key with this name exists."), fields={"name": [_("Already exists.")]})
    prefix, secret_hash, plain = credential_new()
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=sorted(set(scopes)),
        created_by=by.user,
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="api_key.create",
        target=key,
        after={"name": name, "scopes": key.scopes, "prefix": prefix},
    )
    return key, plain


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, by: Actor, api_key_id: Any) -> ApiKey:
    key = access_api_key(by=by, id=api_key_id, need=Scope.APIKEY_MANAGE)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(tenant=tenant, by=by, action="api_key.revoke", target=key, after={"revoked": True})
    return key


def api_key_parse(raw: str) -> tuple[str, str] | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "sw" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def api_key_matches(key: ApiKey | PartnerToken, secret: str) -> bool:
    """Whether ``secret`` is the one whose hash the credential (an API key or a partner token) stores."""
    return secrets.compare_digest(key.secret_hash, _hash_secret(secret))


def _agent_membership(membership_id: Any) -> Membership:
    membership = Membership.objects.select_related("user").filter(pk=membership_id, role=Role.AGENT).first()
    if membership is None:
        raise DomainError(_("Choose one of this organisation's agents."), fields={"agent": [_("No such agent here.")]})
    return membership


def _view_perm(obj: models.Model) -> str:
    """The permission to grant, for a model whose grants live in a tenant-carrying direct model."""
    from guardian.utils import get_user_obj_perms_model

    from sourcing.permissions import AgentGrantBase

    if not issubclass(get_user_obj_perms_model(obj), AgentGrantBase):
        # Guardian would fall back to its generic table, which has no tenant column and no RLS.
        raise TypeError(f"{type(obj).__name__} has no AgentGrantBase model; agents cannot be assigned to it.")
    return f"{obj._meta.app_label}.view_{obj._meta.model_name}"


@transaction.atomic
def agent_assign(*, tenant: Tenant, by: Actor, agent_membership_id: Any, obj: models.Model) -> None:
    """Grant an agent sight of one object (an object-level grant; never a model-wide permission)."""
    by.require(Scope.SUPPLIER_ASSIGN)
    membership = _agent_membership(agent_membership_id)
    if getattr(obj, "tenant_id", None) != tenant.pk:
        raise NotFoundError()
    permission = _view_perm(obj)
    from guardian.utils import get_user_obj_perms_model

    grants = get_user_obj_perms_model(obj)._default_manager
    if grants.filter(user=membership.user, content_object=obj, permission__codename=permission.split(".")[1]).exists():
        return  # already assigned: nothing changes, nothing to audit
    assign_perm(permission, membership.user, obj)
    audit_record(tenant=tenant, by=by, action="agent.assign", target=obj, after={"agent": membership.user.email})


@transaction.atomic
def agent_assign_proposer(*, tenant: Tenant, by: Actor, obj: models.Model) -> None:
    """Grant the calling agent sight of an object they have just proposed (a supplier they found), so they can
    go on working on it. The proposing service records the proposal's audit event, which names the agent."""
    by.require(Scope.PORTAL)
    membership = by.membership
    if membership is None or membership.role != Role.AGENT:
        raise NotFoundError()
    if getattr(obj, "tenant_id", None) != tenant.pk:
        raise NotFoundError()
    assign_perm(_view_perm(obj), membership.user, obj)


@transaction.atomic
def agent_unassign(*, tenant: Tenant, by: Actor, agent_membership_id: Any, obj: models.Model) -> None:
    by.require(Scope.SUPPLIER_ASSIGN)
    membership = _agent_membership(agent_membership_id)
    if getattr(obj, "tenant_id", None) != tenant.pk:
        raise NotFoundError()
    remove_perm(_view_perm(obj), membership.user, obj)
    audit_record(tenant=tenant, by=by, action="agent.unassign", target=obj, before={"agent": membership.user.email})


def user_set_preferences(*, user: User, language: str | None = None, time_zone: str | None = None) -> User:
    """A person's own language and time zone (not tenant data, so no tenant audit event)."""
    fields = []
    if language is not None:
        if language not in {"en", "zh-hans"}:
            raise DomainError(_("Unknown language."), fields={"language": [_("Use en or zh-hans.")]})
        user.language = language
        fields.append("language")
    if time_zone is not None:
        _validate(validate_time_zone, time_zone, "time_zone")
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user


def audit_event_export_record(*, tenant: Tenant, by: Actor, filters: dict[str, Any], fmt: str) -> None:
    """Record that the audit log, as filtered, left the system as a file (itself an audited event)."""
    by.require(Scope.AUDIT_READ)
    shown = {name: str(value) for name, value in filters.items() if value}
    audit_record(tenant=tenant, by=by, action="audit_event.export", after={"format": fmt, **shown})
