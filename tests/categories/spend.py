"""Booking spend lines on categories for tests, without going through a whole import."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from sourcing.categories.models import Category
from sourcing.models import Tenant
from sourcing.spend.models import SpendImport, SpendLine, Vendor
from sourcing.tenancy import tenant_scope


def book_spend(tenant: Tenant, category: Category | None, *amounts: str) -> None:
    """One line per amount, in USD at rate 1, booked on ``category``."""
    # Only the fields these tests need; a line key, where the model has one, is made up.
    keyed = any(field.name == "line_key" for field in SpendLine._meta.get_fields())
    with tenant_scope(tenant):
        spend_import = SpendImport.objects.create(tenant=tenant, source="command", status="succeeded")
        vendor = Vendor.objects.filter(name="Test Vendor").first() or Vendor.objects.create(
            tenant=tenant, name="Test Vendor", name_key="test vendor"
        )
        SpendLine.objects.bulk_create(
            SpendLine(
                tenant=tenant,
                spend_import=spend_import,
                vendor=vendor,
                category=category,
                **({"line_key": uuid.uuid4()} if keyed else {}),
                invoice_date=datetime.date(2026, 3, 1),
                invoice_number=f"INV-{i}",
                quantity=Decimal(1),
                unit_price=Decimal(amount),
                currency="USD",
                amount=Decimal(amount),
                fx_rate=Decimal(1),
                amount_base=Decimal(amount),
                classification="direct",
            )
            for i, amount in enumerate(amounts)
        )
