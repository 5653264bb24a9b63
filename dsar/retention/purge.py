"""Purges at the end of legal retention (issue 9): what erasure kept for a legal period goes
on the day that period ends, with the durations read from the personal-data map's KEEP
declarations (the map stays the single source):

- the access log, 6 years after each read (records.AccessLog, kept for accountability for
  everyone, erased or not). The access log is append-only at the database; this purge is
  the ONE exception: `_access_log_trigger_off` lifts its trigger for this transaction only,
  and nothing else in the code base does (tests/dsar/test_retention_purge.py checks both);
- a practice's own clinical record on an erased owner's animals: each entry after the
  practice's legal period from its date (PRACTICE_CLINICAL_RETENTION_MONTHS by the
  practice's country), then the animal itself once no entry keeps it.

Set-based and chunked like the rest of the sweep: one DELETE per chunk and table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pgtrigger
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from records.models import AccessLog, Animal, Entry
from vetpass.privacy import Role, Treatment

from ..deadlines import add_months
from ..erasure.keys import ERASED_DOMAIN
from ..erasure.plan import erasure_map
from ..erasure.retention import months_for
from ..erasure.services import erasure_files_sweep
from ..models import LegalHold, PendingFileDeletion
from . import policy

CHUNK = 5000
ACCESS_LOG_TRIGGER = "records.AccessLog:access_log_append_only"


@dataclass
class PurgeCounts:
    access_log: int = 0
    clinical_entries: int = 0
    animals: int = 0


def _kept(label: str, role: Role) -> Treatment:
    plan = erasure_map()[label][role]
    treatment = plan.kept or plan.row
    assert treatment is not None and treatment.anchor, f"{label} keeps nothing for {role}"
    return treatment


@contextmanager
def _access_log_trigger_off() -> Iterator[None]:
    """The one documented exception to the access log's append-only trigger: only the
    purge of rows past their 6 years, only inside its own transaction."""
    if connection.vendor == "postgresql":
        with pgtrigger.ignore(ACCESS_LOG_TRIGGER):
            yield
    else:
        yield


def _erased_owner() -> Q:
    return Q(animal__owner__email__endswith=f"@{ERASED_DOMAIN}")


def _held_animal(path: str = "pk") -> Exists:
    """A legal hold names the animal: its record stays whatever its age."""
    return Exists(LegalHold.objects.active().filter(animal=OuterRef(path)))


def _purge_access_log(now: datetime, counts: PurgeCounts, apply: bool) -> None:
    treatment = _kept("records.AccessLog", Role.OWNER)
    cutoff = policy.add_months(now, -months_for(treatment, None))
    due = AccessLog.objects.filter(**{f"{treatment.anchor}__lte": cutoff})
    if not apply:
        counts.access_log += due.count()
        return
    while True:
        with transaction.atomic(), _access_log_trigger_off():
            ids = list(due.order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return
            deleted, _ = AccessLog.objects.filter(pk__in=ids).delete()
        counts.access_log += deleted


def _purge_clinical_record(now: datetime, counts: PurgeCounts, apply: bool) -> None:
    """Per practice country: the entries whose date is older than that country's period."""
    treatment = _kept("records.Entry", Role.OWNER)
    today = timezone.localdate(now)
    kept = Entry.objects.filter(_erased_owner(), practice__isnull=False).exclude(
        _held_animal("animal")
    )
    countries = set(kept.values_list("practice__country", flat=True).distinct())
    for country in countries:
        before = add_months(today, -months_for(treatment, str(country or "")))
        due = kept.filter(
            **{treatment.per: country, f"{treatment.anchor}__lte": before}  # type: ignore[misc]
        )
        if not apply:
            counts.clinical_entries += due.count()
            continue
        while True:
            with transaction.atomic():
                ids = list(due.order_by("pk").values_list("pk", flat=True)[:CHUNK])
                if not ids:
                    break
                chunk = Entry.objects.filter(pk__in=ids)
                files = [name for name in chunk.values_list("document", flat=True) if name]
                PendingFileDeletion.objects.bulk_create(
                    [PendingFileDeletion(request=None, name=name) for name in files]
                )
                deleted, _ = chunk.delete()
                transaction.on_commit(erasure_files_sweep, robust=True)
            counts.clinical_entries += deleted
    # An erased owner's animal stayed only for the practice's record hanging off it.
    orphans = (
        Animal.objects.filter(owner__email__endswith=f"@{ERASED_DOMAIN}")
        .exclude(Exists(Entry.objects.filter(animal=OuterRef("pk"))))
        .exclude(Exists(LegalHold.objects.filter(animal=OuterRef("pk"))))
    )
    if apply:
        with transaction.atomic():
            counts.animals += orphans.delete()[1].get(Animal._meta.label, 0)
    else:
        counts.animals += orphans.count()


def retention_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeCounts:
    now = now or timezone.now()
    counts = PurgeCounts()
    _purge_access_log(now, counts, not dry_run)
    _purge_clinical_record(now, counts, not dry_run)
    return counts
