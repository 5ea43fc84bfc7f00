"""Supplier master data and everything that qualifies a supplier: sites, contacts, bank details (with a second
person's approval), certifications, versioned documents, factory audits against checklist templates, risk
flags and onboarding checklists. Agents reach suppliers through object grants (``SupplierAgentGrant``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sourcing.categories.requirements import AuditType, CertificationType
from sourcing.permissions import AgentGrantBase, grant_constraints
from sourcing.tenancy import TenantScopedModel
from suppliers import row_facts, system_text
from suppliers.names import display_name

ROW_FACTS = ("open_flag_count", "certificate_ends", "category_ids")  # see Supplier.save
EXPIRING_DAYS = 30  # a certificate is "expiring" this many days before its end (and reminders start)


class SupplierType(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    TRADING_COMPANY = "trading_company", _("Trading company")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """Business criticality; it sets the governance a supplier gets (``suppliers.governance``)."""

    STRATEGIC = "strategic", _("Strategic")
    CORE = "core", _("Core")
    TRANSACTIONAL = "transactional", _("Transactional")


class SupplierStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    IN_QUALIFICATION = "in_qualification", _("In qualification")
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Conditionally approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Blocked")


class Supplier(TenantScopedModel):
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)  # English; may follow the local name
    local_name = models.CharField(_("local name"), max_length=255, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    supplier_type = models.CharField(
        _("type"), max_length=32, choices=SupplierType.choices, default=SupplierType.MANUFACTURER
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.TRANSACTIONAL)
    status = models.CharField(
        _("status"), max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.PROSPECT, db_index=True
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    approval_conditions = models.TextField(_("approval conditions"), blank=True)
    approval_expires_on = models.DateField(_("conditional approval expires"), null=True, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    capacity_notes = models.TextField(_("capacity notes"), blank=True)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "sourcing.Membership",
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_suppliers",
    )
    proposed_by = models.ForeignKey(
        "sourcing.Membership",
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_suppliers",
    )
    categories = models.ManyToManyField(
        "categories.Category", through="SupplierCategory", related_name="suppliers", blank=True
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)
    risk_notes = models.TextField(_("risk notes"), blank=True)
    # Duplicate detection keys (suppliers.names), kept with the row so a check is an index look-up.
    name_key = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    local_name_key = models.CharField(max_length=255, blank=True, editable=False)
    website_key = models.CharField(max_length=255, blank=True, editable=False)
    phone_key = models.CharField(max_length=50, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from", editable=False
    )
    # What a row of the supplier list shows beyond the supplier's own columns, kept with the row by
    # suppliers.services.row_facts in the transaction that changes their source, so a page is one query.
    open_flag_count = models.PositiveIntegerField(default=0, editable=False)
    # [valid until, valid from, renewed from] of its certificates (suppliers.row_facts), read on the viewer's day
    certificate_ends = models.JSONField(default=list, blank=True, editable=False)
    category_ids = models.JSONField(default=list, blank=True, editable=False)  # as strings
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="supplier_unique_external_id_per_tenant",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "legal_name", "id"], name="supplier_list_order"),
            models.Index(fields=["tenant", "credit_code"], name="supplier_credit_code"),
            models.Index(fields=["tenant", "status", "tier"], name="supplier_status_tier"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a supplier read earlier never writes back its row facts: only their service writes those
        (``suppliers.services.row_facts``), so a stale copy cannot undo a flag or certificate added since."""
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in ROW_FACTS
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """``suppliers.names.display_name``: the English legal name, else the registered Chinese name."""
        return display_name(self.legal_name, self.local_name)

    def certificate_states(self, today: datetime.date | None = None) -> tuple[int, int]:
        """How many of its current certificates (renewed and not yet valid ones left out) have ended, and how
        many end within ``EXPIRING_DAYS``, on ``today`` (the viewer's today unless given; a list passes it once
        for its rows)."""
        if not self.certificate_ends:
            return 0, 0
        today = today or timezone.localdate()
        ends = row_facts.current_ends(self.certificate_ends, today)
        return row_facts.expired(ends, today), row_facts.expiring(ends, today, EXPIRING_DAYS)

    @property
    def certs_expired(self) -> int:
        return self.certificate_states()[0]

    @property
    def certs_expiring(self) -> int:
        return self.certificate_states()[1]


class NameIndexVersion(TenantScopedModel):
    """How often the tenant's supplier names, or which suppliers are live, have changed. The master services
    bump it in the transaction that makes the change; the duplicate check compares it with the version its
    cached name index was read at (``suppliers.selectors.duplicates``). One row per tenant."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="name_index_version_per_tenant")]


class SupplierAgentGrant(AgentGrantBase):
    content_object = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="agent_grants")

    class Meta(AgentGrantBase.Meta):
        constraints = grant_constraints("supplier_agent_grant")

    def __str__(self) -> str:
        return str(_("Agent assignment"))


class SupplierCategory(TenantScopedModel):
    """A category the supplier supplies, and is qualified against (that category's requirements apply)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey("categories.Category", on_delete=models.CASCADE, related_name="supplier_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "supplier", "category"], name="supplier_category_unique"),
        ]

    def __str__(self) -> str:
        return str(_("Supplier category"))


class StatusChange(TenantScopedModel):
    """One step of the qualification lifecycle, for the timeline on the profile."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=SupplierStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SupplierStatus.choices)
    reason = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class SiteKind(models.TextChoices):
    FACTORY = "factory", _("Factory")
    WAREHOUSE = "warehouse", _("Warehouse")
    OFFICE = "office", _("Office")


class Site(TenantScopedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices, default=SiteKind.FACTORY)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    processes = models.JSONField(_("processes"), default=list, blank=True)
    capacity = models.CharField(_("capacity"), max_length=500, blank=True)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier", "external_id"],
                condition=~models.Q(external_id=""),
                name="site_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TenantScopedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class BankStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


class BankAccount(TenantScopedModel):
    """Bank details. A change is a new row that waits for a second person's approval; only then does it
    become the active one (and the previous one superseded). Finance and admins only, never agents."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="bank_accounts")
    account_name = models.CharField(_("account name"), max_length=255)
    bank_name = models.CharField(_("bank"), max_length=255)
    account_number = models.CharField(_("account number"), max_length=64)
    swift_code = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    bank_address = models.TextField(_("bank address"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(max_length=20, choices=BankStatus.choices, default=BankStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier"], condition=models.Q(status="active"), name="bank_one_active"
            ),
            models.UniqueConstraint(
                fields=["tenant", "supplier"], condition=models.Q(status="pending"), name="bank_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return f"•••• {self.account_number[-4:]}" if len(self.account_number) > 4 else "••••"


class StoredFile(models.Model):
    """A file accepted by its bytes (``sourcing.uploads.check_upload``)."""

    file = models.FileField(_("file"), upload_to="suppliers/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


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


class AuditTemplate(TenantScopedModel):
    """A factory-audit checklist: questions in sections, each with a weight; critical items fail the audit."""

    name = models.CharField(_("name"), max_length=200)
    audit_type = models.CharField(_("audit type"), max_length=32, choices=AuditType.choices)
    description = models.TextField(_("description"), blank=True)
    pass_score = models.DecimalField(_("pass score (%)"), max_digits=5, decimal_places=2, default=70)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditQuestion(TenantScopedModel):
    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="questions")
    section = models.CharField(_("section"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("question"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    is_critical = models.BooleanField(_("critical"), default=False)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return Truncator(self.text).chars(80)


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class FactoryAudit(TenantScopedModel):
    """An audit of a supplier (or one of its sites) against a template, performed by internal quality or by
    the agent it is assigned to. The questions are copied when it is planned, so editing a template later
    changes no audit already planned."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="audits")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="audits")
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits")
    audit_type = models.CharField(_("audit type"), max_length=32, choices=AuditType.choices)
    auditor = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("auditor"), on_delete=models.PROTECT, related_name="audits"
    )
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    pass_score = models.DecimalField(max_digits=5, decimal_places=2, default=70)
    critical_failed = models.BooleanField(default=False)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_audit_type_display()} · {self.supplier}"


class AnswerChoice(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class AuditItem(TenantScopedModel):
    """A question of one audit (copied from the template) and its answer."""

    audit = models.ForeignKey(FactoryAudit, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    weight = models.PositiveSmallIntegerField(default=1)
    is_critical = models.BooleanField(default=False)
    answer = models.CharField(max_length=20, choices=AnswerChoice.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return Truncator(self.text).chars(80)


class AuditEvidence(TenantScopedModel, StoredFile):
    audit = models.ForeignKey(FactoryAudit, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(AuditItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence")
    caption = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.file_name


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    OBSERVATION = "observation", _("Observation")


class AuditFinding(TenantScopedModel):
    audit = models.ForeignKey(FactoryAudit, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(AuditItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings")
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    description = models.TextField(_("description"))
    # A finding the system raised (a critical item not met): its description as a code and parameters
    # (``suppliers.system_text``), shown in the viewer's language. Empty for findings people wrote.
    description_code = models.CharField(max_length=50, blank=True, editable=False)
    description_params = models.JSONField(default=dict, blank=True, editable=False)
    action = models.TextField(_("follow-up action"), blank=True)
    owner = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    is_closed = models.BooleanField(_("closed"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["is_closed", "due_on"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {Truncator(self.display_description).chars(80)}"

    @property
    def display_description(self) -> str:
        """The description in the viewer's language: put into words from its code, or as written."""
        return system_text.render(self.description_code, self.description_params) or self.description


class RiskKind(models.TextChoices):
    REGION = "region", _("Region")
    COMPLIANCE = "compliance", _("Compliance")
    DEPENDENCY = "dependency", _("Dependency")
    MANUAL = "manual", _("Manual")


class RiskFlag(TenantScopedModel):
    """A reason to watch a supplier. Region, compliance and dependency flags are raised (and closed) by
    ``suppliers.services.risk`` from the data; manual flags by people. ``source`` names what raised an
    automatic flag, so raising it again refreshes it instead of adding another."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(_("kind"), max_length=20, choices=RiskKind.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.MAJOR)
    title = models.CharField(_("title"), max_length=300)
    # An automatic flag's title as a code and its parameters (``suppliers.system_text``), put into words in the
    # viewer's language when shown; ``title`` keeps the English words. Empty for flags people typed.
    title_code = models.CharField(max_length=50, blank=True, editable=False)
    title_params = models.JSONField(default=dict, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(max_length=200, blank=True, editable=False)
    owner = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_open = models.BooleanField(default=True)
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier", "source"],
                condition=models.Q(is_open=True) & ~models.Q(source=""),
                name="risk_flag_one_open_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the viewer's language: put into words from its code, or as typed."""
        return system_text.render(self.title_code, self.title_params) or self.title


class OnboardingTemplate(TenantScopedModel):
    """The onboarding checklist for suppliers of one tier."""

    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["tier"]
        constraints = [models.UniqueConstraint(fields=["tenant", "tier"], name="onboarding_template_one_per_tier")]

    def __str__(self) -> str:
        return self.name


class OnboardingItem(TenantScopedModel):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    is_required = models.BooleanField(_("required"), default=True)
    due_days = models.PositiveSmallIntegerField(_("due after (days)"), default=14)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "template", "code"], name="onboarding_item_code")]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class OnboardingTask(TenantScopedModel, StoredFile):
    """One step of a supplier's onboarding (the evidence is the stored file)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="onboarding_tasks")
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    is_required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by_label = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "supplier", "code"], name="onboarding_task_code")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < (today or timezone.localdate())
        )
