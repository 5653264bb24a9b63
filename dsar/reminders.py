"""The DPO is emailed 7, 3 and 1 days before a case is due (issue 8 §4).

Each reminder is sent at most once per case, step and due date: the DueReminder row is
the claim (a unique constraint, not a hope), written in the same transaction as the email
(which leaves through the outbox). A run that was missed catches up with the nearest step
still ahead; an extension gives the new due date its own reminders."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from vetpass.accounts.models import User

from .models import OPEN_STATUSES, CaseEventKind, DataSubjectRequest, DueReminder
from .selectors import due_q
from .services import case_event_record

REMIND_DAYS_BEFORE = (7, 3, 1)


def _step(days_left: int) -> int | None:
    ahead = [s for s in REMIND_DAYS_BEFORE if days_left <= s]
    return min(ahead) if ahead and days_left >= 0 else None


def dsar_remind_due(*, today: date | None = None) -> int:
    """Send the reminders due today; returns how many were sent. Safe to run twice or in
    parallel."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMIND_DAYS_BEFORE))
    cases = (
        DataSubjectRequest.objects.filter(status__in=OPEN_STATUSES)
        .filter(due_q(gte=today) & due_q(lte=horizon))
        .select_related("assignee")
    )
    dpo_emails: list[str] | None = None
    sent = 0
    for case in cases:
        due_on = case.due_on
        step = _step((due_on - today).days)
        if step is None:
            continue
        if case.assignee is not None:
            recipients = [case.assignee.email]
        else:
            if dpo_emails is None:
                dpo_emails = list(
                    User.objects.filter(is_dpo=True, is_active=True).values_list("email", flat=True)
                )
            recipients = dpo_emails
        if not recipients:
            continue
        try:
            with transaction.atomic():
                DueReminder.objects.create(request=case, days_before=step, due_on=due_on)
                subject = f"{case.reference} is due in {(due_on - today).days} day(s)"
                send_mail(
                    subject,
                    f"{case.get_type_display()} ({case.reference}) must be answered by "
                    f"{due_on:%d %B %Y}. Status: {case.get_status_display()}.",
                    None,
                    recipients,
                )
                case_event_record(
                    case, CaseEventKind.EMAIL, actor=None, text=f"Reminder to the DPO: {subject}"
                )
        except IntegrityError:
            continue  # another run sent this step already
        sent += 1
    return sent
