"""Purges at the end of legal retention (issue 9): what erasure kept for a legal period goes
on the day that period ends, with the durations read from the personal-data map's KEEP
declarations (the map stays the single source):

- the access log, 6 years after each read (records.AccessLog, and its list form
  records.ListAccessLog, kept for accountability for everyone, erased or not). Both tables
  are append-only at the database; this purge is the ONE exception: `_access_log_trigger_off`
  lifts their triggers for this transaction only, and nothing else in the code base does
  (tests/dsar/test_retention_purge.py checks both);
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
from typing import Any

import pgtrigger
from django.db import connection, transaction
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from records.models import AccessLog, Animal, Entry, ListAccessLog
from vetpass.privacy import Role, Treatment

from ..deadlines import add_months
from ..erasure.keys import ERASED_DOMAIN
from ..erasure.plan import erasure_map
from ..erasure.retention import months_for
from ..erasure.services import erasure_files_sweep
from ..models import LegalHold, PendingFileDeletion
from . import policy

CHUNK = 5000
ACCESS_LOG_TRIGGERS = (
    "records.AccessLog:access_log_append_only",
    "records.ListAccessLog:list_access_log_append_only",
)


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
        with pgtrigger.ignore(*ACCESS_LOG_TRIGGERS):
            yield
    else:
        yield


def _erased_owner() -> Q:
    return Q(animal__owner__email__endswith=f"@{ERASED_DOMAIN}")


def _held_animal(path: str = "pk") -> Exists:
    """A legal hold names the animal: its record stays whatever its age."""
    return Exists(LegalHold.objects.active().filter(animal=OuterRef(path)))


def _purge_access_log(now: datetime, counts: PurgeCounts, apply: bool) -> None:
    """Both forms of the log; a list row counts as the reads it names (one per position)."""
    for model in (AccessLog, ListAccessLog):
        treatment = _kept(model._meta.label, Role.OWNER)
        cutoff = policy.add_months(now, -months_for(treatment, None))
        due = model.objects.filter(**{f"{treatment.anchor}__lte": cutoff})  # type: ignore[attr-defined]
        if not apply:
            counts.access_log += _reads(model, due)
            continue
        while True:
            with transaction.atomic(), _access_log_trigger_off():
                chunk = model.objects.filter(  # type: ignore[attr-defined]
                    pk__in=list(due.order_by("pk").values_list("pk", flat=True)[:CHUNK])
                )
                reads = _reads(model, chunk)
                deleted, _ = chunk.delete()
            if not deleted:
                break
            counts.access_log += reads


def _reads(model: type[AccessLog | ListAccessLog], rows: Any) -> int:
    if model is AccessLog or connection.vendor != "postgresql":  # SQLite writes no list rows
        return int(rows.count())
    return int(
        rows.aggregate(
            n=Coalesce(
                Sum(Func(F("owners"), function="cardinality", output_field=IntegerField())), 0
            )
        )["n"]
    )


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
