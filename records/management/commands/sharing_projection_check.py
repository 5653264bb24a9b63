"""Compare the sharing-state projection (records.SharingState) with the consent ledger,
which is the source of truth, and report every difference; with --repair, rewrite the
differing rows from the ledger. Exits with status 1 when differences remain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from records.practices.projection import (
    sharing_projection_differences,
    sharing_projection_repair,
)


class Command(BaseCommand):
    help = "Compare the sharing-state projection with the consent ledger (--repair fixes it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="rewrite differing rows from the ledger"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        differences = sharing_projection_differences()
        for difference in differences:
            self.stdout.write(str(difference))
        if not differences:
            self.stdout.write("The sharing projection agrees with the ledger.")
            return
        if options["repair"]:
            changed = sharing_projection_repair(differences)
            self.stdout.write(f"Repaired {changed} row(s) from the ledger.")
            return
        self.stderr.write(f"{len(differences)} difference(s); run with --repair to fix.")
        raise SystemExit(1)
