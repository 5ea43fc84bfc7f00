"""Shared by tenant management commands: ``--org <slug>`` picks the tenant, and nothing else does."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcing.models import Tenant


class TenantCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="the tenant's slug")

    def get_tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        return tenant
