"""``manage.py import_spend --org <slug> <file>``: the same import as the upload page and the API.

Exit status 0 with a one-line summary on success; 1 with every error (row, column, message) on stderr, and
nothing written, when the file is rejected.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from sourcing.actors import Actor
from sourcing.errors import DomainError
from sourcing.management.commands._tenant import TenantCommand
from sourcing.spend.models import ColumnMapping, ImportSource, ImportStatus
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope


class Command(TenantCommand):
    help = "Import a spend file (CSV or XLSX) for a tenant: every line, or none if any row has an error."
    # The project's system checks (every URL module imported, among others) are for the server to run at start;
    # an import needs none of them, and they would add a second or more to every run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", default="", help="name of a saved column mapping for another layout")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self.get_tenant(options["org"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        by = Actor.system("import_spend")
        try:
            with tenant_scope(tenant):
                mapping_id = None
                if options["mapping"]:
                    mapping = ColumnMapping.objects.filter(name=options["mapping"]).first()
                    if mapping is None:
                        raise CommandError(f"no column mapping named {options['mapping']!r} in {tenant.slug}")
                    mapping_id = mapping.pk
                with path.open("rb") as upload:
                    created = services.spend_import_create(
                        tenant=tenant,
                        by=by,
                        upload=upload,
                        file_name=path.name,
                        source=ImportSource.COMMAND,
                        mapping_id=mapping_id,
                    )
            with tenant_scope(tenant):
                result = services.spend_import_run(tenant=tenant, by=by, import_id=created.pk)
        except DomainError as exc:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{path}: {exc.message} {details}".strip()) from exc
        if result.status != ImportStatus.SUCCEEDED:
            for error in result.errors:
                column = f", column {error['column']}" if error["column"] else ""
                value = f" (value: {error['value']!r})" if error.get("value") else ""
                self.stderr.write(f"{path.name}: row {error['row']}{column}: {error['message']}{value}")
            shown = len(result.errors)
            if result.error_count > shown:
                self.stderr.write(f"… and {result.error_count - shown} more errors.")
            self.stderr.write(
                f"{path.name}: rejected, {result.error_count} errors in {result.rows_total} rows; nothing was written."
            )
            sys.exit(1)
        if result.duplicate_of is not None:
            self.stdout.write(
                f"{path.name}: already imported on {result.duplicate_of.created_at:%Y-%m-%d %H:%M} UTC; nothing added."
            )
            return
        self.stdout.write(
            f"{path.name}: imported {result.rows_total} rows: {result.lines_created} lines added, "
            f"{result.lines_duplicate} already there."
        )
