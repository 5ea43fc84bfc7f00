"""Evidence a supplier holds: certifications and versioned documents."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.categories.requirements import CertificationType
from sourcing.tenancy import TenantScopedModel
from suppliers.models.files import StoredFile
from suppliers.models.master import EXPIRING_DAYS, Site, Supplier


class CertificationState(models.TextChoices):
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")


class Certification(TenantScopedModel, StoredFile):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certifications")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="certifications")
    cert_type = models.CharField(_("type"), max_length=32, choices=CertificationType.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For the type Other."))
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), db_index=True)
    # Days-before-expiry marks whose reminder has gone out (30, 14, 7), so a rerun sends nothing twice.
    reminders_sent = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["valid_until"]

    def __str__(self) -> str:
        return self.name or self.get_cert_type_display()

    def state(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.valid_from is not None and self.valid_from > today:
            return CertificationState.NOT_YET_VALID
        if self.valid_until < today:
            return CertificationState.EXPIRED
        if (self.valid_until - today).days <= EXPIRING_DAYS:
            return CertificationState.EXPIRING
        return CertificationState.VALID


class DocumentType(models.TextChoices):
    BUSINESS_LICENSE = "business_license", _("Business licence")
    NDA = "nda", _("Non-disclosure agreement")
    QUALITY_AGREEMENT = "quality_agreement", _("Quality agreement")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct acknowledgement")
    TEST_REPORT = "test_report", _("Test report")
    INSURANCE = "insurance", _("Insurance certificate")
    EXPORT_LICENSE = "export_license", _("Export licence")
    OTHER = "other", _("Other")


class Document(TenantScopedModel):
    """A supplier document; each upload is a version and the earlier ones are kept."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("type"), max_length=32, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(TenantScopedModel, StoredFile):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "document", "version"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} v{self.version}"
