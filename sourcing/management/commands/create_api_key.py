from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from sourcing.actors import Actor
from sourcing.errors import DomainError
from sourcing.management.commands._tenant import TenantCommand
from sourcing.services import api_key_create
from sourcing.tenancy import tenant_scope


class Command(TenantCommand):
    help = "Create an API key for a tenant; prints the key (shown once) as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="read", help="comma-separated: read,write,admin")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self.get_tenant(options["org"])
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        with tenant_scope(tenant):
            try:
                key, raw = api_key_create(
                    tenant=tenant, by=Actor.system("create_api_key"), name=options["name"], scopes=scopes
                )
            except DomainError as exc:
                details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stderr.write(f"Created key {key.name!r} for {tenant.slug} with scopes {','.join(key.scopes)}.")
        self.stdout.write(raw)
