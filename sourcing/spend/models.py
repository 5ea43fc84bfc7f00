"""The spend baseline: what the ERP says was bought, normalised to the tenant's base currency, matched to
suppliers and categories, and the rules, rates and findings around it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sourcing.models import validate_currency
from sourcing.spend import finding_text
from sourcing.tenancy import TenantScopedModel


class SpendClass(models.TextChoices):
    DIRECT = "direct", _("Direct")
    INDIRECT = "indirect", _("Indirect")
    ONE_OFF = "one_off", _("One-off")


class SpendSettings(TenantScopedModel):
    """A tenant's editable import and classification rules (one row per tenant, created on first use)."""

    fx_max_age_days = models.PositiveIntegerField(
        _("FX rate valid for (days)"),
        default=31,
        help_text=_("A line uses the latest rate on or before its invoice date, if it is at most this old."),
    )
    amount_tolerance_pct = models.DecimalField(
        _("amount tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("How far quantity × unit price may differ from the amount (at least one cent)."),
    )
    one_off_max_invoices = models.PositiveIntegerField(
        _("one-off: at most this many invoices"),
        default=1,
        help_text=_("A vendor with no more invoices than this within the window around a purchase is one-off."),
    )
    one_off_window_days = models.PositiveIntegerField(_("one-off: window (days)"), default=365)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="spend_settings_one_per_tenant")]


class FxRate(TenantScopedModel):
    """Units of the tenant's base currency for one unit of ``currency``, from ``rate_date`` on."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    rate_date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    @classmethod
    def base_amount_rows(cls) -> models.QuerySet[Any]:
        """Rows that hold money in the tenant's base currency (a change of that currency is refused while any
        exist; see sourcing.services.base_amount_holders)."""
        return cls.objects.all()

    class Meta:
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        ordering = ["currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "currency", "rate_date"], name="fx_rate_unique_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date} {self.rate}"


class ColumnMapping(TenantScopedModel):
    """How another file layout maps onto the canonical columns (chosen on the upload page)."""

    name = models.CharField(_("name"), max_length=100)
    # canonical column -> the header in the file
    columns = models.JSONField(_("columns"), default=dict)
    date_format = models.CharField(_("date format"), max_length=20, blank=True, help_text=_("e.g. %d/%m/%Y"))
    decimal_comma = models.BooleanField(_("decimal comma"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="column_mapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class RuleField(models.TextChoices):
    COST_CENTER = "cost_center", _("Cost center is")
    DESCRIPTION = "description", _("Description contains")
    SUPPLIER_NAME = "supplier_name", _("Supplier name contains")


class CategoryRule(TenantScopedModel):
    """Puts a line without a category code into a category. Lower priority numbers are tried first."""

    priority = models.PositiveIntegerField(_("priority"), default=100)
    field = models.CharField(_("when"), max_length=20, choices=RuleField.choices)
    pattern = models.CharField(_("value"), max_length=200)
    category = models.ForeignKey("categories.Category", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["priority", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.pattern}"


class MatchMethod(models.TextChoices):
    ERP_ID = "erp_id", _("ERP id")
    NAME = "name", _("Name")
    MANUAL = "manual", _("Linked by hand")
    CREATED = "created", _("Supplier created")


class Vendor(TenantScopedModel):
    """A vendor as the ERP names it. Several vendor records may be one supplier; a merge points a duplicate
    at the record it is the same company as, and can be undone."""

    erp_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=255)
    name_key = models.CharField(max_length=255, editable=False)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.SET_NULL, null=True, blank=True, related_name="vendors"
    )
    match_method = models.CharField(max_length=20, choices=MatchMethod.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_vendors"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "erp_id"], condition=~models.Q(erp_id=""), name="vendor_unique_erp_id"
            ),
            models.UniqueConstraint(
                fields=["tenant", "name_key"], condition=models.Q(erp_id=""), name="vendor_unique_name_without_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    COMMAND = "command", _("Command line")
    API_FILE = "api_file", _("API file")
    API_LINES = "api_lines", _("API lines")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Rejected")


class SpendImport(TenantScopedModel):
    source = models.CharField(max_length=20, choices=ImportSource.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file = models.FileField(upload_to="spend-imports/%Y/%m/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    encoding = models.CharField(max_length=20, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    lines_created = models.PositiveIntegerField(default=0)
    lines_duplicate = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # [{"row": 12, "column": "amount", "message": "..."}]; at most MAX_ERRORS are kept (the count is exact).
    errors = models.JSONField(default=list, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def base_amount_rows(cls) -> models.QuerySet[Any]:
        """Rows that hold money in the tenant's base currency (a change of that currency is refused while any
        exist; see sourcing.services.base_amount_holders)."""
        return cls.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])  # about to write lines

    class Meta:
        verbose_name = _("spend import")
        verbose_name_plural = _("spend imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name or str(self.pk)

    @property
    def progress_pct(self) -> int:
        if self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}


def _fact_fk(to: str, **kwargs: object) -> models.ForeignKey:  # type: ignore[type-arg]
    # Spend lines arrive a million at a time. Per-row foreign-key checks would cost more than the rest of the
    # import together, so the references are checked once per batch instead: by the loader when it inserts
    # (one join per batch, sourcing/spend/services/line_writers.py) and by a trigger on PostgreSQL when lines are
    # updated (migration 0002).
    return models.ForeignKey(to, db_constraint=False, db_index=False, related_name="+", **kwargs)  # type: ignore[arg-type]


class SpendLine(TenantScopedModel):
    """One invoice line, as imported. Written only by the import (sourcing/spend/services/line_writers.py)."""

    # Row-level security (WITH CHECK) already pins tenant_id to the tenant in scope; see _fact_fk for why no FK.
    tenant = models.ForeignKey(
        "sourcing.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    spend_import = _fact_fk("spend.SpendImport", on_delete=models.PROTECT)
    vendor = _fact_fk("spend.Vendor", on_delete=models.PROTECT)
    category = _fact_fk("categories.Category", on_delete=models.PROTECT, null=True, blank=True)
    invoice_date = models.DateField(_("invoice date"))
    invoice_number = models.CharField(_("invoice number"), max_length=100)
    item_sku = models.CharField(_("SKU"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4)
    uom = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=6)
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10)
    amount_base = models.DecimalField(_("amount (base currency)"), max_digits=18, decimal_places=2)
    po_number = models.CharField(_("PO number"), max_length=100, blank=True)
    cost_center = models.CharField(_("cost center"), max_length=100, blank=True)
    classification = models.CharField(_("classification"), max_length=10, choices=SpendClass.choices)

    # The id is not random: it is derived from the tenant and the line's content (sourcing.spend.normalise
    # .line_id), so the primary key itself refuses the same invoice line twice, and it starts with the invoice
    # day, so ids sort by date and a date range is an id range (spend.selectors uses that instead of an index).

    class Meta:
        verbose_name = _("spend line")
        verbose_name_plural = _("spend lines")

    @classmethod
    def base_amount_rows(cls) -> models.QuerySet[Any]:
        """Rows that hold money in the tenant's base currency (a change of that currency is refused while any
        exist; see sourcing.services.base_amount_holders)."""
        return cls.objects.all()

    def __str__(self) -> str:
        return f"{self.invoice_number} {self.item_sku}"


class Baseline(TenantScopedModel):
    """Spend for a period, frozen: later savings are measured against these numbers, whatever arrives later."""

    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=20, decimal_places=2)
    line_count = models.PositiveIntegerField()
    # [{"category_id", "code", "name", "amount", "lines", "suppliers"}], the rows as they were when frozen
    by_category = models.JSONField(default=list)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    frozen_at = models.DateTimeField(default=timezone.now, editable=False)

    @classmethod
    def base_amount_rows(cls) -> models.QuerySet[Any]:
        """Rows that hold money in the tenant's base currency (a change of that currency is refused while any
        exist; see sourcing.services.base_amount_holders)."""
        return cls.objects.all()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["-period_end", "name"]

    def __str__(self) -> str:
        return self.name


class FindingKind(models.TextChoices):
    PRICE_VARIANCE = "price_variance", _("Price variance")
    MAVERICK = "maverick", _("Maverick spend")
    DUPLICATE_SUPPLIERS = "duplicate_suppliers", _("Duplicate suppliers")
    CONCENTRATION = "concentration", _("Concentration")
    SINGLE_SOURCE = "single_source", _("Single source")
    FRAGMENTATION = "fragmentation", _("Fragmentation")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


class Finding(TenantScopedModel):
    kind = models.CharField(_("type"), max_length=30, choices=FindingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    # A raised finding's title as a code and parameters (``sourcing.spend.finding_text``), shown in the
    # viewer's language; ``title`` keeps the English words. Empty for titles people wrote or changed.
    title_code = models.CharField(max_length=50, blank=True, editable=False)
    title_params = models.JSONField(default=dict, blank=True, editable=False)
    category = models.ForeignKey(
        "categories.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"id": vendor id, "name": ...}]: the vendors as they were named when the finding was raised
    suppliers = models.JSONField(_("suppliers"), default=list, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, default=Decimal("0"))
    estimated_saving = models.DecimalField(_("estimated saving"), max_digits=20, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    assignee = models.ForeignKey(
        "sourcing.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    # Set for findings raised by an analysis, so raising them again updates instead of duplicating.
    key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def base_amount_rows(cls) -> models.QuerySet[Any]:
        """Rows that hold money in the tenant's base currency (a change of that currency is refused while any
        exist; see sourcing.services.base_amount_holders)."""
        return cls.objects.all()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-estimated_saving", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], condition=~models.Q(key=""), name="finding_unique_key"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the viewer's language: put into words from its code, or as written."""
        return finding_text.render(self.title_code, self.title_params) or self.title
