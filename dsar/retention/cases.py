"""Data-subject requests and their events are kept 24 months after they close, then
deleted (issue 8 §4; CCPA regulations §7101: "maintain records of consumer requests ...
for at least 24 months"; settings.POLICY_DSAR_CASE_KEEP_MONTHS).

- Only closed cases go (completed, refused, closed unverified), counted from `closed_at`
  in calendar months; an open case is never deleted however old.
- A case whose person is under an active legal hold (by account, or by the address the
  request gave) is kept until the hold ends: the hold may be about that very request.
- Set-based and chunked, like Zulip's retention: each chunk is one transaction that
  claims its cases with `SELECT ... FOR UPDATE SKIP LOCKED` (so two runs, or a run and a
  DPO, never fight over a row) and deletes their events, reminders and cases in three
  statements; an agent's uploaded authority is deleted from storage after the commit.
  Counts are returned and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..deadlines import add_months
from ..models import (
    CaseEvent,
    DataExport,
    DataSubjectRequest,
    DueReminder,
    LegalHold,
    Status,
)

logger = logging.getLogger(__name__)

CLOSED = (Status.COMPLETED, Status.REFUSED, Status.CLOSED_UNVERIFIED)
CHUNK_SIZE = 500


@dataclass
class CasePurgeReport:
    cases: int = 0
    events: int = 0
    reminders: int = 0
    files: int = 0
    chunks: int = 0


def case_keep_cutoff(now: datetime) -> datetime:
    """Cases closed before this moment have been kept long enough: the same moment
    POLICY_DSAR_CASE_KEEP_MONTHS calendar months ago."""
    local = timezone.localtime(now)
    day = add_months(local.date(), -settings.POLICY_DSAR_CASE_KEEP_MONTHS)
    return local.replace(year=day.year, month=day.month, day=day.day)


def _active_holds(today: date) -> QuerySet[LegalHold]:
    return LegalHold.objects.active(today)


def purgeable_cases(*, now: datetime) -> QuerySet[DataSubjectRequest]:
    """Closed cases past their keeping period whose person is under no active hold."""
    holds = _active_holds(timezone.localdate(now))
    return (
        DataSubjectRequest.objects.filter(
            status__in=CLOSED, closed_at__isnull=False, closed_at__lt=case_keep_cutoff(now)
        )
        .exclude(Exists(holds.filter(subject_id=OuterRef("subject_id"))))
        .exclude(Exists(holds.filter(subject__email__iexact=OuterRef("email"))))
    )


def _delete_files(names: list[str]) -> None:
    storage = DataSubjectRequest._meta.get_field("agent_authorisation").storage  # type: ignore[union-attr]
    for name in names:
        storage.delete(name)


def dsar_cases_purge(
    *, now: datetime | None = None, chunk_size: int = CHUNK_SIZE
) -> CasePurgeReport:
    """Delete the cases kept long enough, with their events and reminders. Safe to run
    twice or in parallel; a chunk either goes whole or not at all."""
    now = now or timezone.now()
    report = CasePurgeReport()
    while True:
        with transaction.atomic():
            ids = list(
                purgeable_cases(now=now)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            files = [
                name
                for name in DataSubjectRequest.objects.filter(pk__in=ids)
                .exclude(agent_authorisation="")
                .values_list("agent_authorisation", flat=True)
                if name
            ]
            # An export's file normally went when its link expired (7 days); one still in
            # storage goes with its case.
            exports = DataExport.objects.filter(request_id__in=ids)
            files += [name for name in exports.values_list("file_name", flat=True) if name]
            exports.delete()
            events, _ = CaseEvent.objects.filter(request_id__in=ids).delete()
            reminders, _ = DueReminder.objects.filter(request_id__in=ids).delete()
            _, deleted = DataSubjectRequest.objects.filter(pk__in=ids).delete()
            cases = deleted.get(DataSubjectRequest._meta.label, 0)
            transaction.on_commit(partial(_delete_files, files))
        report.cases += cases
        report.events += events
        report.reminders += reminders
        report.files += len(files)
        report.chunks += 1
        logger.info(
            "dsar case retention: chunk %s deleted %s cases, %s events, %s reminders",
            report.chunks,
            cases,
            events,
            reminders,
        )
        if len(ids) < chunk_size:
            break
    logger.info(
        "dsar case retention: %s cases, %s events, %s reminders, %s files deleted",
        report.cases,
        report.events,
        report.reminders,
        report.files,
    )
    return report
