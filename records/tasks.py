"""Scheduled work of the owners' records: due reminders and appointment reminders."""

from __future__ import annotations

from celery import shared_task

from .reminders import care_reminders_send


@shared_task(name="records.care_reminders_send")
def care_reminders_send_task() -> dict[str, int]:
    """Due reminders by email, 30 and 7 days before and on the day (issue 11). Safe when
    two run at once: each reminder is a unique row claimed by one of them."""
    return care_reminders_send().as_dict()


@shared_task(name="records.appointment_reminders")
def appointment_reminders_task() -> int:
    from records.practices.services import appointment_reminders_send

    return appointment_reminders_send()
