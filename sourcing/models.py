"""Core models: tenants, users, memberships, agencies, API keys, audit events, idempotency records."""

from __future__ import annotations

import zoneinfo
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.roles import Role, scopes_for_api_key, scopes_for_role
from sourcing.tenancy import TenantManager, TenantQuerySet, TenantScopedModel, UUIDModel, uuid7


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_currency(value: str) -> None:
    if not isinstance(value, str) or len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(_("Use an ISO 4217 currency code such as USD or CNY."))


def validate_country(value: str) -> None:
    if not isinstance(value, str) or len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(_("Use an ISO 3166 country code such as CN or US."))


LANGUAGE_CHOICES = [("en", "English"), ("zh-hans", "简体中文")]


class Tenant(UUIDModel):
    """An importing company. Global table: the tenant row itself is what scoping is keyed on."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    base_currency = models.CharField(_("base currency"), max_length=3, default="USD", validators=[validate_currency])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    default_language = models.CharField(_("default language"), max_length=10, choices=LANGUAGE_CHOICES, default="en")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """Sign-in ignores the case of the e-mail address (stored lower-cased by ``create_user``)."""
        email = str(username or "").strip()
        user = self.filter(email=email.lower()).first()
        if user is None:
            # An address stored before it was lower-cased: only an unambiguous match signs in.
            found = list(self.filter(email__iexact=email)[:2])
            if len(found) != 1:
                raise self.model.DoesNotExist
            user = found[0]
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Global: an agent can belong to several tenants; what they see comes from memberships."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(_("active"), default=True)  # type: ignore[misc]
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Agency(TenantScopedModel):
    """A partner firm whose agents work for this tenant. Each tenant keeps its own record of an agency."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="CN", validators=[validate_country])
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="agency_unique_name_per_tenant"),
        ]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


# A membership that opens its tenant: active, and for agents, through an agency that is active too.
USABLE_MEMBERSHIP = models.Q(is_active=True) & ~models.Q(role=Role.AGENT, agency__is_active=False)


class Membership(TenantScopedModel):
    """A user's place in one tenant: one role, and for agents the agency they work for."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="agents")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user_per_tenant"),
            models.CheckConstraint(
                condition=(models.Q(role="agent", agency__isnull=False) | ~models.Q(role="agent")),
                name="membership_agent_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_for_role(self.role) if self.is_active else frozenset()

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT


class ApiKey(TenantScopedModel):
    """A machine credential bound to one tenant. Only a SHA-256 of the secret is stored."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="apikey_unique_name_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "prefix"], name="apikey_unique_prefix_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def effective_scopes(self) -> frozenset[str]:
        return scopes_for_api_key(self.scopes) if self.is_active else frozenset()


class PartnerToken(TenantScopedModel):
    """A sourcing agent's personal credential for the partner API, bound to one agent membership (so to one
    person and one tenant). Only a SHA-256 of the secret is stored; the token is shown once, at creation."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="partner_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "prefix"], name="partnertoken_unique_prefix_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant", "membership", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="partnertoken_unique_active_name_per_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AppendOnlyQuerySet(TenantQuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class AuditManager(TenantManager[Any]):
    _queryset_class = AppendOnlyQuerySet


class AuditEvent(TenantScopedModel):
    """Who did what, when, to which object, with the state before and after. Append-only: no update or
    delete path in the application, and on PostgreSQL the runtime role holds no UPDATE/DELETE on it."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="The actor as shown, kept if the user goes.")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = AuditManager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class IdempotencyRecord(TenantScopedModel):
    """The stored response of a POST made with an Idempotency-Key, committed with the work it did."""

    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="idempotency_unique_key_per_tenant"),
        ]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportJob(TenantScopedModel):
    """A list exported in the background: what was asked (kind, filters, format, language), by whom, how far it
    got, and the file to download until the retention purge removes it. Only its requester downloads it."""

    kind = models.CharField(max_length=60)
    filters = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file_name or self.kind

    @property
    def is_finished(self) -> bool:
        return self.status != ExportStatus.QUEUED
