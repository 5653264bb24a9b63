"""`python manage.py dsar_erase --email EMAIL --reason TEXT [--preview] [--json]`

Opens (or reuses an open) erasure case for the person, entered by the operator with the
reason (channel staff; the reason recorded as why verification was waived), and previews
or runs the erasure. Exit 0 when done, when previewed, and when the person was already
erased (nothing changes); non-zero with the reason on stderr when a legal hold blocks it
or when there is no such person."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from dsar import services as cases
from dsar.erasure import services as erasure
from dsar.erasure.engine import rows_for
from dsar.erasure.plan import steps
from dsar.personal_data_map import Person
from vetpass.accounts.models import User


def _operator(email: str) -> User:
    """The DPO (or a superuser) the erasure is recorded against: only they may waive the
    usual verification (dsar.services.is_dpo), so no one else can be the operator."""
    if email:
        found = User.objects.filter(email__iexact=email).first()
        if found is None or not cases.is_dpo(found):
            raise CommandError(f"{email!r} is not an active DPO account to record as operator.")
        return found
    for q in (Q(is_dpo=True), Q(is_superuser=True)):
        found = User.objects.filter(q, is_active=True, is_staff=True).order_by("pk").first()
        if found is not None:
            return found
    raise CommandError(
        "No VetPass staff account to record as the operator who entered the request: "
        "create the DPO's account, or pass --operator EMAIL."
    )


def _holds_anything(person: Person) -> bool:
    for step in steps():
        rows = rows_for(step, [person], [])
        if rows is not None and rows.exists():
            return True
    return False


class Command(BaseCommand):
    help = "Preview or run the erasure of one person (issue 8 §6)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--preview", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--operator",
            default=os.environ.get("DSAR_OPERATOR_EMAIL", ""),
            help="The staff account entering the request (default: $DSAR_OPERATOR_EMAIL, "
            "else the first DPO, superuser or staff member).",
        )

    def _out(self, data: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, sort_keys=True, default=str))
        else:
            self.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str))

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("Give the reason (--reason).")
        erasure.erasure_files_sweep()
        erased = erasure.erased_subject_for(email)
        if erased is not None:
            self._out(
                {"already_erased": True, "reference": erased.reference},
                options["json"],
            )
            return
        person = Person.of(email=email, user=User.objects.filter(email__iexact=email).first())
        if person.user is None and not _holds_anything(person):
            raise CommandError(f"No person with the address {email!r} is known to VetPass.")
        whole, scoped = erasure.holds_for(person)
        if options["preview"]:
            preview = erasure.erasure_plan_preview(person, whole_holds=whole, scoped_holds=scoped)
            self._out({"already_erased": False, **preview}, options["json"])
            if whole:  # shown, and said the way a script notices
                raise CommandError(erasure.blocked_error(whole).messages[0])
            return
        if whole:
            raise CommandError(erasure.blocked_error(whole).messages[0])
        operator = _operator(options["operator"])
        try:
            case = erasure.erasure_case_open(person=person, operator=operator, reason=reason)
            certificate = erasure.erasure_run(case=case, actor=operator)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._out(json.loads(certificate.payload), options["json"])
