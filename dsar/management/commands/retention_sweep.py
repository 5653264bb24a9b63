"""`python manage.py retention_sweep [--dry-run] [--json]`: the daily retention sweeps, now,
in this process (what beat runs daily: the inactivity sweep, then the practice-subscription
sweep), or with --dry-run what they would do."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dsar.retention.practices import PracticeCounts, practice_subscription_sweep
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
        practices = practice_subscription_sweep(dry_run=dry_run)
        if json:
            self.stdout.write(_json({**counts.as_dict(), **practice_figures(practices)}))
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
        figures = practice_figures(practices)
        self.stdout.write(
            f"Practice subscriptions: told {figures['practices_told']}, due for anonymisation "
            f"{figures['practices_due']}, anonymised {figures['practices_anonymised']}, "
            f"in grace {figures['practices_in_grace']}, cancelled by renewal "
            f"{figures['practices_cancelled']}, owners held {figures['practice_owners_held']}."
        )

    def _with_progress(self, dry_run: bool) -> Any:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("Sweeping", total=None)

            def advance(step: str, done: int) -> None:
                bar.update(task, advance=done, description=f"Sweeping: {step}")

            return retention_sweep(dry_run=dry_run, progress=advance)


def practice_figures(counts: PracticeCounts) -> dict[str, int]:
    """The practice-subscription sweep's integer counts, under the names the command prints."""
    return {
        "practices_told": counts.ended,
        "practices_due": counts.due,
        "practices_anonymised": counts.anonymised,
        "practices_in_grace": counts.in_grace,
        "practices_cancelled": counts.cancelled,
        "practice_notices": counts.notices,
        "practice_owners_held": counts.held,
    }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True)
