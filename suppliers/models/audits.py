"""Factory audits: checklist templates, audits with their items, evidence and findings."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from sourcing.categories.requirements import AuditType
from sourcing.tenancy import TenantScopedModel
from suppliers import system_text
from suppliers.models.files import StoredFile
from suppliers.models.master import Site, Supplier


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
