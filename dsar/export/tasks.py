"""The export's Celery tasks: the build (queued by export_start after commit, with the
row's id) and the hourly purge of expired files (vetpass/schedule.py)."""

from __future__ import annotations

from celery import shared_task

from .services import export_build, export_purge_expired


@shared_task(name="dsar.export_build")
def export_build_task(export_id: int) -> str:
    export = export_build(export_id=export_id)
    return "built" if export is not None else "already claimed"


@shared_task(name="dsar.export_purge")
def export_purge_task() -> int:
    """Exports whose 7-day link expired: their files are deleted."""
    return export_purge_expired()
