"""`python manage.py verify_consent_ledger`: exit 0 when every chain holds, non-zero naming
the first broken event otherwise (for cron, CI and the DPO)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from consent.integrity import ledger_breaks
from consent.models import ConsentEvent


class Command(BaseCommand):
    help = "Check every subject's hash chain in the consent ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        first = next(ledger_breaks(), None)
        if first is not None:
            raise CommandError(f"The consent ledger is broken at {first}")
        count = ConsentEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Consent ledger intact: {count} events checked."))
