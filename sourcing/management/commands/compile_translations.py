"""Compile the .po catalogs to .mo with polib, so setup needs no system gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogs (.po → .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in Path(root).rglob("*.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalog(s).")
