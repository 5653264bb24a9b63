"""Periodic tasks defined in code and applied by name after every migrate: a new entry is
created with its interval; an existing one keeps what was changed in the admin (its
interval, whether it is enabled), only its task name is kept right. Never
delete-and-recreate."""

from __future__ import annotations

from typing import Any

from django.conf import settings

OUTBOX_SWEEP = "outbox: send queued email"


def periodic_tasks() -> dict[str, dict[str, Any]]:
    return {
        OUTBOX_SWEEP: {"task": "outbox.sweep", "every": settings.OUTBOX_SWEEP_SECONDS},
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
