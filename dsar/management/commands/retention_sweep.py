"""`python manage.py retention_sweep [--dry-run] [--json]`: the daily retention sweep, now,
in this process (what beat runs daily), or with --dry-run what it would do."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dsar.retention.sweep import retention_sweep


class Command(BaseCommand):
    help = (
        "Run the retention sweep now: inactivity notices, reminders and removals "
        "(--dry-run: only count what it would do)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would happen; change nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the counts as one JSON object."
        )

    def handle(self, *args: Any, dry_run: bool, json: bool, **options: Any) -> None:
        if json or not sys.stderr.isatty():
            counts = retention_sweep(dry_run=dry_run)
        else:
            counts = self._with_progress(dry_run)
        if json:
            self.stdout.write(_json(counts.as_dict()))
            return
        verb = "Would have" if dry_run else "Done:"
        self.stdout.write(
            f"{verb} noticed {counts.noticed}, reminded {counts.reminded}, "
            f"removed {counts.removed}, held {counts.held}, skipped {counts.skipped}, "
            f"cancelled {counts.cancelled}."
        )
        for reason, number in sorted(counts.held_reasons.items()):
            self.stdout.write(f"  held: {number} for {reason}")
        if counts.skipped:
            self.stdout.write(
                f"  skipped: {counts.skipped} notice(s) could not be delivered; "
                "they wait in the DPO's queue"
            )

    def _with_progress(self, dry_run: bool) -> Any:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("Sweeping", total=None)

            def advance(step: str, done: int) -> None:
                bar.update(task, advance=done, description=f"Sweeping: {step}")

            return retention_sweep(dry_run=dry_run, progress=advance)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True)
