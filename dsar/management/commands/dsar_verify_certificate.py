"""`python manage.py dsar_verify_certificate REFERENCE`: exit 0 when the erasure
certificate of the case is genuine, non-zero (saying why) when it was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dsar.erasure.certificate import certificate_problems
from dsar.models import ErasureCertificate


class Command(BaseCommand):
    help = "Verify the signed erasure certificate of a case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference")

    def handle(self, *args: Any, **options: Any) -> None:
        certificate = ErasureCertificate.objects.filter(reference=options["reference"]).first()
        if certificate is None:
            raise CommandError(f"No erasure certificate for {options['reference']}.")
        problems = certificate_problems(certificate)
        if problems:
            raise CommandError(
                f"Certificate {options['reference']} is NOT valid: " + "; ".join(problems)
            )
        self.stdout.write(f"Certificate {options['reference']} is valid (Ed25519).")
