"""Marketing sends run as a task: the task gets ids, not objects, and the ledger is asked
when the task runs (not when it was queued), so a withdrawal in between is obeyed."""

from __future__ import annotations

from celery import shared_task

from .models import Purpose
from .sending import marketing_send


@shared_task(name="consent.marketing_send")
def marketing_send_task(
    *,
    subject: str,
    body: str,
    recipient_ids: list[int] | None = None,
    purpose: str = Purpose.MARKETING_EMAIL,
    campaign: str = "",
) -> dict[str, int]:
    report = marketing_send(
        subject=subject, body=body, recipients=recipient_ids, purpose=purpose, campaign=campaign
    )
    return {"considered": report.considered, "sent": report.sent, "skipped": report.skipped}
