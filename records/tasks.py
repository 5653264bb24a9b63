"""Celery tasks of the records app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="records.appointment_reminders")
def appointment_reminders_task() -> int:
    from records.practices.services import appointment_reminders_send

    return appointment_reminders_send()
