"""Telling the practices that had the person's data (GDPR Art. 17(2), Art. 19), and
tracking their acknowledgements on the case. The notice names the case and the practice's
own client number for the person, never the person's name or address: the mail is kept
in the outbox after the erasure."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from dsar.models import CaseEventKind, DataSubjectRequest, PracticeNotice
from dsar.personal_data_map import Person
from dsar.services import case_event_record
from records.models import (
    AccessLog,
    ClientRegistration,
    EmergencyShare,
    Entry,
    Favorite,
    Practice,
    PracticeMembership,
)

SALT = "dsar.erasure.practice-notice"


def practices_with_access(person: Person) -> dict[int, str]:
    """practice id -> how it had the data (several reasons joined)."""
    if person.user is None:
        return {}
    user = person.user
    sources = [
        ("read the records", AccessLog.objects.filter(owner=user)),
        ("favorite", Favorite.objects.filter(owner=user)),
        ("client registration", ClientRegistration.objects.filter(owner=user)),
        ("emergency share", EmergencyShare.objects.filter(owner=user)),
        ("clinical record", Entry.objects.filter(animal__owner=user)),
    ]
    reasons: dict[int, list[str]] = {}
    for why, rows in sources:
        for practice_id in (
            rows.filter(practice__isnull=False).values_list("practice_id", flat=True).distinct()
        ):
            reasons.setdefault(practice_id, []).append(why)
    return {pk: ", ".join(whys) for pk, whys in reasons.items()}


def notice_link(notice: PracticeNotice) -> str:
    token = signing.dumps(notice.pk, salt=SALT)
    return f"{settings.SITE_URL.rstrip('/')}/privacy/erasure-notices/{token}/"


def _recipients(practice: Practice) -> list[str]:
    if practice.email:
        return [practice.email]
    return list(
        PracticeMembership.objects.filter(
            practice=practice, is_practice_admin=True, left_at__isnull=True
        ).values_list("user__email", flat=True)
    )


def notices_send(
    *, case: DataSubjectRequest, practices: dict[int, str], client_number: int | None
) -> list[PracticeNotice]:
    notices = []
    for practice in Practice.objects.filter(pk__in=practices).order_by("pk"):
        notice, created = PracticeNotice.objects.get_or_create(
            request=case, practice=practice, defaults={"why": practices[practice.pk][:200]}
        )
        notices.append(notice)
        if not created:
            continue
        subject = f"VetPass erasure notice {case.reference}"
        body = (
            f"A VetPass account holder whose data {practice.name} received through VetPass "
            f"({notice.why}; VetPass client number {client_number}) has had their data erased "
            f"at their request (case {case.reference}).\n\n"
            "Please erase the copies you received through VetPass, unless the law requires "
            "you to keep them (your own clinical record stays with you), and acknowledge "
            f"this notice:\n{notice_link(notice)}\n"
        )
        recipients = _recipients(practice)
        if recipients:
            send_mail(subject, body, None, recipients)
        case_event_record(
            case, CaseEventKind.EMAIL, actor=None, text=f"Erasure notice to {practice.name}"
        )
    return notices


def notice_for_token(token: str) -> PracticeNotice:
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise PracticeNotice.DoesNotExist from None
    return PracticeNotice.objects.select_related("practice", "request").get(pk=pk)


@transaction.atomic
def practice_notice_acknowledge(*, token: str) -> PracticeNotice:
    """The practice confirms it acted on the notice; recorded once on the case."""
    notice = notice_for_token(token)
    if notice.acknowledged_at is not None:
        raise ValidationError("This notice was already acknowledged.")
    now = timezone.now()
    if PracticeNotice.objects.filter(pk=notice.pk, acknowledged_at=None).update(
        acknowledged_at=now
    ):
        notice.acknowledged_at = now
        case_event_record(
            notice.request,
            CaseEventKind.NOTE,
            actor=None,
            text=f"{notice.practice.name} acknowledged the erasure notice",
        )
    return notice
