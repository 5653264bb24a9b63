"""Scheduled work of the data-subject rights."""

from __future__ import annotations

from celery import shared_task

from .erasure.services import erasure_files_sweep
from .intake import dsar_close_unverified
from .reminders import dsar_remind_due
from .retention.cases import dsar_cases_purge


@shared_task(name="dsar.close_unverified")
def close_unverified_task() -> int:
    """Requests whose confirmation link expired unused close as "unverified"."""
    return dsar_close_unverified()


@shared_task(name="dsar.remind_due")
def remind_due_task() -> int:
    """The DPO's reminders 7, 3 and 1 days before a case is due."""
    return dsar_remind_due()


# The export's tasks live with the export; importing them here registers them with the
# worker (Celery discovers dsar.tasks).
from .export.tasks import export_build_task, export_purge_task  # noqa: E402, F401


@shared_task(name="dsar.purge_closed_cases")
def purge_closed_cases_task() -> dict[str, int]:
    """Cases closed more than 24 months ago go, with their events (CCPA §7101)."""
    report = dsar_cases_purge()
    return {"cases": report.cases, "events": report.events, "reminders": report.reminders}


@shared_task(name="dsar.erasure_files_sweep")
def erasure_files_sweep_task() -> int:
    """Stored files of finished erasures that a crash after commit left behind."""
    return erasure_files_sweep()


@shared_task(name="dsar.retention_sweep")
def retention_sweep_task() -> dict[str, object]:
    """The daily retention sweep: inactivity notices, reminders and removals (issue 9).
    Safe when two run at once: every step claims its rows."""
    from .retention.sweep import retention_sweep

    return retention_sweep().as_dict()


@shared_task(name="dsar.practice_subscription_sweep")
def practice_subscription_sweep_task() -> dict[str, object]:
    """Daily: tell the administrators of practices whose subscription ended, and anonymise
    the client data held for them after the grace period (Kontak policy). Safe to rerun."""
    from .retention.practices import practice_subscription_sweep

    return practice_subscription_sweep().as_dict()
