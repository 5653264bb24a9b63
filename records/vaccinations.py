"""When each vaccine is next due: the one place that decides it (the dashboard, the animals
list and the animal's timeline read it from here).

A dose of a vaccine is superseded by a later dose of the same vaccine for the same animal:
the due date then comes from the latest dose only, so a booster given on time never leaves
the earlier dose showing "overdue". "The same vaccine" compares product names ignoring case
and surrounding spaces ("Nobivac L4" and " nobivac l4 "); a dose with no product name is
never matched. Two doses on the same day: the one recorded last is the latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower, Trim

from .models import Animal, Entry, EntryKind

# A vaccination due within this many days is shown as "due soon".
DUE_SOON_DAYS = 30


def _vaccine(expression: object) -> Lower:
    return Lower(Trim(expression))  # type: ignore[arg-type]


def _later_dose() -> Exists:
    """Whether a later dose of the same vaccine exists for the outer vaccination entry."""
    return Exists(
        Entry.objects.filter(animal=OuterRef("animal"), kind=EntryKind.VACCINATION)
        .annotate(vaccine=_vaccine("vaccine_product"))
        .filter(vaccine=_vaccine(OuterRef("vaccine_product")))
        .exclude(vaccine="")
        .filter(
            Q(occurred_on__gt=OuterRef("occurred_on"))
            | Q(occurred_on=OuterRef("occurred_on"), pk__gt=OuterRef("pk"))
        )
    )


def with_superseded(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """Annotate each entry with `superseded`: a vaccination followed by a later dose of the
    same vaccine (always False for other kinds). In the same query."""
    return entries.annotate(superseded=Q(kind=EntryKind.VACCINATION) & _later_dose())


# with_superseded's answer for the entry `e` of a hand-written statement (the animal
# pages' timelines: records.selectors.entry_rows), 1 or 0. Plain SQL that PostgreSQL and
# SQLite both run; tests/records/test_entry_rows.py holds it to with_superseded.
SUPERSEDED_SQL = """CASE WHEN e.kind = 'vaccination' AND EXISTS (
    SELECT 1 FROM records_entry later
    WHERE later.animal_id = e.animal_id AND later.kind = 'vaccination'
      AND LOWER(TRIM(later.vaccine_product)) = LOWER(TRIM(e.vaccine_product))
      AND LOWER(TRIM(later.vaccine_product)) <> ''
      AND (later.occurred_on > e.occurred_on
           OR (later.occurred_on = e.occurred_on AND later.id > e.id))
) THEN 1 ELSE 0 END"""


def with_next_due(animals: QuerySet[Animal]) -> QuerySet[Animal]:
    """Annotate each animal with its next vaccination due date and that vaccine's name, in
    the same query: the earliest `next_due_on` among the latest dose of each vaccine."""
    due = (
        Entry.objects.filter(
            animal=OuterRef("pk"), kind=EntryKind.VACCINATION, next_due_on__isnull=False
        )
        .filter(~_later_dose())
        .order_by("next_due_on", "pk")
    )
    return animals.annotate(
        next_due_on=Subquery(due.values("next_due_on")[:1]),
        next_due_product=Subquery(due.values("vaccine_product")[:1]),
    )


# The latest dose of each (animal, vaccine), by a window over the animals' vaccinations;
# a dose with no product name is its own partition. Of those, each animal's earliest due
# date (the lowest id breaking a tie). Hand-written (issue 10): building the same
# statement through the ORM's expressions cost the dashboard more than running it. Plain
# SQL that PostgreSQL and SQLite both run (the embedded default is SQLite). `{animals}` is
# the caller's condition on `animal_id`, in the caller's parameter style: next_due_of
# lists ids, the dashboard (records.pages) joins it to the animals it shows.
NEXT_DUE_SQL = """
SELECT animal_id, next_due_on, vaccine_product FROM (
    SELECT animal_id, next_due_on, vaccine_product,
           ROW_NUMBER() OVER (PARTITION BY animal_id ORDER BY next_due_on, id) AS due_rank
    FROM (
        SELECT animal_id, next_due_on, id, vaccine_product,
               ROW_NUMBER() OVER (
                   PARTITION BY animal_id,
                       CASE WHEN vaccine_product <> '' AND LOWER(TRIM(vaccine_product)) <> ''
                            THEN LOWER(TRIM(vaccine_product)) END,
                       CASE WHEN vaccine_product <> '' AND LOWER(TRIM(vaccine_product)) <> ''
                            THEN NULL ELSE id END
                   ORDER BY occurred_on DESC, id DESC
               ) AS dose_rank
        FROM {table}
        WHERE kind = '{kind}' AND {animals}
    ) latest
    WHERE dose_rank = 1 AND next_due_on IS NOT NULL
) due
WHERE due_rank = 1
""".replace("{table}", Entry._meta.db_table).replace("{kind}", EntryKind.VACCINATION.value)


def next_due_of(animal_ids: Iterable[int]) -> dict[int, tuple[date, str]]:
    """The same answer as with_next_due — each animal's earliest `next_due_on` among the
    latest dose of each vaccine, and that vaccine's name — for many animals in one
    set-based query (issue 10): the latest dose of each (animal, vaccine) by a window over
    their vaccinations, instead of two correlated subqueries per animal, each with its own
    "no later dose" search. Animals with nothing due are absent."""
    ids = [int(pk) for pk in animal_ids]
    if not ids:
        return {}
    sql = NEXT_DUE_SQL.format(animals=f"animal_id IN ({', '.join(['%s'] * len(ids))})")
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {animal_id: (as_date(due), product) for animal_id, due, product in cursor.fetchall()}


def as_date(value: date | str) -> date:
    """A date column of a raw query: SQLite hands it back as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def urgency(due: date | None, today: date) -> str:
    """overdue / soon / ok, for colouring a due date ("" when there is none)."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return "ok"


def entry_urgency(entry: Entry, today: date) -> str:
    """A vaccination entry's urgency on the timeline: none once a later dose was given."""
    if entry.kind != EntryKind.VACCINATION or getattr(entry, "superseded", False):
        return ""
    return urgency(entry.next_due_on, today)
