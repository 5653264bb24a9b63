"""Every periodic task, defined in code and applied by name after every migrate: a new
entry is created with its interval; an existing one keeps what was changed in the admin
(its interval, whether it is enabled), only its task name is kept right. Never
delete-and-recreate. Tasks are named by string, so this module imports no app (rule 9)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

OUTBOX_SWEEP = "outbox: send queued email"
DSAR_CLOSE_UNVERIFIED = "dsar: close requests whose confirmation link expired"
DSAR_REMIND_DUE = "dsar: remind the DPO of cases due in 7, 3 and 1 days"
DSAR_EXPORT_PURGE = "dsar: delete exports whose 7-day link expired"
DSAR_PURGE_CLOSED_CASES = "dsar: delete cases closed more than 24 months ago (CCPA §7101)"
DSAR_ERASURE_FILES = "dsar: delete stored files that an interrupted erasure left"
RETENTION_SWEEP = "retention: inactivity notices, reminders and removals (VETPASS policy)"
PRACTICE_SUBSCRIPTION_SWEEP = (
    "retention: anonymise client data after a practice's subscription ends (Kontak policy)"
)
CARE_REMINDERS = "records: email owners the vaccinations and treatments due soon"
APPOINTMENT_REMINDERS = "appointments: reminder emails before each appointment"
HOUR = 3600
DAY = 24 * HOUR


def periodic_tasks() -> dict[str, dict[str, Any]]:
    return {
        OUTBOX_SWEEP: {"task": "outbox.sweep", "every": settings.OUTBOX_SWEEP_SECONDS},
        DSAR_CLOSE_UNVERIFIED: {"task": "dsar.close_unverified", "every": HOUR},
        # Hourly, not daily: a reminder is sent once per step (a unique row), so running
        # often only makes it arrive early in the day.
        DSAR_REMIND_DUE: {"task": "dsar.remind_due", "every": HOUR},
        # Hourly: a link expires to the minute; its file goes within the hour.
        DSAR_EXPORT_PURGE: {"task": "dsar.export_purge", "every": HOUR},
        DSAR_PURGE_CLOSED_CASES: {"task": "dsar.purge_closed_cases", "every": DAY},
        DSAR_ERASURE_FILES: {"task": "dsar.erasure_files_sweep", "every": HOUR},
        # Daily: notices and removals are dated to the day; a sweep that finds nothing due
        # costs a few index scans.
        RETENTION_SWEEP: {"task": "dsar.retention_sweep", "every": DAY},
        # Daily: the end, the grace period and the anonymisation are dated to the day.
        PRACTICE_SUBSCRIPTION_SWEEP: {"task": "dsar.practice_subscription_sweep", "every": DAY},
        # Hourly: a reminder is one unique row per due item and lead time, so running often
        # only makes it arrive earlier in the day (and a run missed at midnight catches up).
        CARE_REMINDERS: {"task": "records.care_reminders_send", "every": HOUR},
        # Every 15 minutes: a reminder is due to the minute, and sent once (a unique row).
        APPOINTMENT_REMINDERS: {"task": "records.appointment_reminders", "every": 15 * 60},
    }


def periodic_tasks_apply(**kwargs: Any) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    db = kwargs.get("using", "default")
    for name, entry in periodic_tasks().items():
        interval, _ = IntervalSchedule.objects.using(db).get_or_create(
            every=entry["every"], period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.using(db).update_or_create(
            name=name,
            defaults={"task": entry["task"]},
            create_defaults={"task": entry["task"], "interval": interval, "enabled": True},
        )
