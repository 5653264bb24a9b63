"""The inactivity notice and its reminders: what they say, and the "keep my records" link.

The emails are written into the outbox in the sweep's transaction, one bulk INSERT per
chunk, so they leave after the notice rows commit and never twice. The link is signed and
names the account and the period it was sent for; following it counts as using a service,
which starts a new period and so cancels the removal.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from records.models import Animal
from vetpass.accounts.models import User
from vetpass.accounts.services import activity_record
from vetpass.outbox.services import outbox_enqueue

from ..models import InactivityNotice
from . import policy

KEEP_SALT = "dsar.retention.keep.v1"


class BadKeepLink(Exception):
    pass


def keep_token(notice: InactivityNotice) -> str:
    return signing.Signer(salt=KEEP_SALT).sign_object({"u": notice.owner_id})


def keep_url(notice: InactivityNotice) -> str:
    path = reverse("dsar:keep_records", args=[keep_token(notice)])
    return settings.SITE_URL.rstrip("/") + path


def keep_token_owner(token: str) -> User:
    """The account a "keep my records" link was sent to, or BadKeepLink."""
    try:
        user_id = int(signing.Signer(salt=KEEP_SALT).unsign_object(token)["u"])
    except (signing.BadSignature, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadKeepLink(str(exc)) from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadKeepLink("no such account")
    return user


def keep_records(*, owner: User) -> None:
    """The owner asked to keep their records: that is a use of the service (VETPASS
    policy), so their inactivity period starts again and any pending removal is off."""
    activity_record(user=owner, kind="keep my records")


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %B %Y}"


def _messages(
    notices: QuerySet[InactivityNotice], template: str, **extra: object
) -> list[EmailMessage]:
    notices = notices.select_related("owner")
    animals = Counter(
        Animal.objects.filter(owner__in=[n.owner_id for n in notices]).values_list(
            "owner_id", flat=True
        )
    )
    messages = []
    for notice in notices:
        removal = notice.removal_at or notice.stated_removal_at
        context = {
            "name": notice.owner.full_name or "there",
            "removal_on": _when(removal),
            "animals": animals.get(notice.owner_id, 0),
            "keep_url": keep_url(notice),
            **extra,
        }
        subject, _, body = render_to_string(template, context).partition("\n")
        messages.append(
            EmailMessage(subject.strip(), body.lstrip("\n"), None, [notice.owner.email])
        )
    return messages


def send_notices(notices: QuerySet[InactivityNotice]) -> None:
    """Queue the notice emails and link each notice to its outbox row, whose real sending
    time later fixes the removal date."""
    ordered = list(notices.order_by("pk"))
    messages = _messages(notices.order_by("pk"), "dsar/email/inactivity_notice.txt")
    rows = outbox_enqueue(messages=messages)
    for notice, row in zip(ordered, rows, strict=True):
        notice.email_id = row.pk
    InactivityNotice.objects.bulk_update(ordered, ["email"])


def send_reminders(notices: QuerySet[InactivityNotice], days_before: int) -> None:
    outbox_enqueue(
        messages=_messages(
            notices.order_by("pk"), "dsar/email/inactivity_reminder.txt", days=days_before
        )
    )


@transaction.atomic
def notice_resend(*, notice: InactivityNotice, actor: User) -> InactivityNotice:
    """The DPO sends an undeliverable notice again (after correcting the address, say). The
    new email states a new date, three months from now at the earliest: the removal never
    comes sooner after a notice the owner could actually read."""
    notice = InactivityNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != InactivityNotice.State.UNDELIVERABLE:
        raise ValidationError("Only a notice that could not be delivered is sent again.")
    now = timezone.now()
    notice.stated_removal_at = max(
        notice.stated_removal_at,
        policy.add_months(now, settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS),
    )
    notice.state = InactivityNotice.State.QUEUED
    notice.held_reason = f"sent again by {actor.email} on {now:%Y-%m-%d}"
    notice.save(update_fields=["stated_removal_at", "state", "held_reason"])
    send_notices(InactivityNotice.objects.filter(pk=notice.pk))
    return notice
