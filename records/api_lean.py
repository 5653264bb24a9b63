"""The owner's animals list as PostgreSQL writes it (issue 10).

The list is the API's hottest path: a page of 50 animals cost more in Python (a model or a
dict per animal, a date conversion per value, the ORM building the query) than the rows
cost the database. Here one hand-written statement selects the page of ids with its total
(COUNT(*) OVER ()) and has PostgreSQL build each animal's JSON object; the view joins the
objects into the page's body as they come, without decoding them.

The answer is AnimalSerializer's, field for field and in its order (tests/api/
test_lean_lists.py compares the two): the serializer stays the schema and the answer of
every other door. Who is listed is records.selectors' rule, stated there once as a Q for
the ORM and once as SQL for this statement, side by side (a test holds them to the same
animals); the filters are AnimalFilter's, parsed by its own form so that the same values
are accepted and the same field errors answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from vetpass.pagefmt import link_parts
from vetpass.prepared import prepared_cursor

from .selectors import OWNED_OR_SHARED_SQL

# A datetime as DRF's DateTimeField writes it in UTC (the site's time zone, which nothing
# switches per request): ISO 8601, microseconds only when there are some, "Z" for UTC.
# One to_char per value (the seconds' fraction dropped when it is all zeros: ".000000"
# can appear nowhere else in the text) instead of two and an extract: a tenth of the
# page's statement on the animals list (issue 10).
_UTC_ISO = (
    "(replace(to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
    "'.000000', '') || 'Z')"
)

# json_build_object (not jsonb's): keys stay in AnimalSerializer's order.
ANIMAL_JSON = f"""json_build_object(
    'id', a.id,
    'name', a.name,
    'species', s.slug,
    'species_name', s.name,
    'breed', a.breed_id,
    'breed_name', b.name,
    'sex', a.sex,
    'neutered', a.neutered,
    'date_of_birth', a.date_of_birth,
    'colour', a.colour,
    'microchip', a.microchip,
    'photo_url', CASE WHEN a.photo <> '' THEN %(photo_head)s || a.id || %(photo_tail)s END,
    'deceased', a.deceased,
    'deceased_on', a.deceased_on,
    'is_group', a.is_group,
    'head_count', a.head_count,
    'group', a.group_id,
    'owner_name', COALESCE(NULLIF(u.full_name, ''), u.email),
    'is_owner', a.owner_id = %(user)s,
    'created_at', {_UTC_ISO.format(col="a.created_at")},
    'updated_at', {_UTC_ISO.format(col="a.updated_at")}
)::text"""

# The filters AnimalFilter declares, as conditions on the animal (a).
FILTER_SQL = {
    "species": "a.species_id = (SELECT id FROM records_species WHERE slug = %(species)s)",
    "is_group": "a.is_group = %(is_group)s",
    "deceased": "a.deceased = %(deceased)s",
    "group": "a.group_id = %(group)s",
}
# The ORM's ordering of Animal (Meta.ordering), spelled for both halves of the statement.
ORDER = "ORDER BY a.name, a.id"

PAGE_SQL = """
WITH page AS (
    SELECT a.id, COUNT(*) OVER () AS total
    FROM records_animal a
    WHERE {where}
    {order}
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.total, {animal}
FROM page
JOIN records_animal a ON a.id = page.id
JOIN records_species s ON s.id = a.species_id
LEFT JOIN records_breed b ON b.id = a.breed_id
JOIN accounts_user u ON u.id = a.owner_id
{order}
"""

COUNT_SQL = "SELECT COUNT(*) FROM records_animal a WHERE {where}"

# The largest value a bigint column holds: a filter beyond it matches nothing (as the ORM).
_BIGINT = 2**63


def group_id(value: Any) -> int | None:
    """The herd a `group` filter names: NumberFilter cleans to a Decimal and the ORM
    compared its integer part; a number no id can be names none (None: match nothing).
    Both the statement here and AnimalFilter's Python path ask this."""
    value = int(value)
    return value if fits_bigint(value) else None


def fits_bigint(value: int) -> bool:
    """Whether a bigint column can hold the value (a statement given one it cannot fails)."""
    return -_BIGINT <= value < _BIGINT


def available() -> bool:
    """The statement is PostgreSQL's; the embedded SQLite setup builds the rows in Python."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class AnimalListQuery:
    """The owner's list, filtered: what the statement needs besides the page."""

    user_id: int
    filters: dict[str, Any]

    @classmethod
    def from_filters(cls, user_id: int, cleaned: dict[str, Any]) -> AnimalListQuery | None:
        """From AnimalFilter's cleaned data (empty values are no filter); None when the
        filters can match nothing (a herd id no bigint holds)."""
        filters: dict[str, Any] = {}
        for name, value in cleaned.items():
            if value in (None, ""):
                continue
            if name == "group":
                value = group_id(value)
                if value is None:
                    return None
            filters[name] = value
        return cls(user_id=user_id, filters=filters)

    def _where(self) -> str:
        return " AND ".join([OWNED_OR_SHARED_SQL, *(FILTER_SQL[name] for name in self.filters)])

    def _params(self) -> dict[str, Any]:
        return {"user": self.user_id, **self.filters}

    def count(self) -> int:
        with prepared_cursor() as cursor:
            cursor.execute(COUNT_SQL.format(where=self._where()), self._params())
            return int(cursor.fetchone()[0])

    def page(self, *, limit: int, offset: int, photo_link: tuple[str, str]) -> tuple[int, str]:
        """(total, the page's results as a JSON array) in one statement; total is 0 when
        the page is empty."""
        sql = PAGE_SQL.format(where=self._where(), order=ORDER, animal=ANIMAL_JSON)
        params = self._params()
        params.update(
            limit=limit, offset=offset, photo_head=photo_link[0], photo_tail=photo_link[1]
        )
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = int(rows[0][0]) if rows else 0
        return total, "[" + ",".join(row[1] for row in rows) + "]"


def photo_link(request: Any) -> tuple[str, str]:
    """The photo link of an animal as (text before its id, text after), as
    AnimalSerializer.get_photo_url writes it for this request."""
    return link_parts("api:animal-photo", request=request)


# --- an animal's entries -----------------------------------------------------------------

# Entry.summary, kind by kind, as SQL (tests/api/test_lean_lists.py holds the two to the
# same text for every kind). A weight is its plain decimal without trailing zeros.
ENTRY_SUMMARY = """CASE e.kind
    WHEN 'vaccination' THEN e.vaccine_product
    WHEN 'weight' THEN (CASE WHEN e.weight_value IS NULL OR e.weight_value = 0 THEN ''
                        ELSE trim_scale(e.weight_value)::text END) || ' ' || e.weight_unit
    WHEN 'medication' THEN concat_ws(' ', NULLIF(e.medication_name, ''), NULLIF(e.dose, ''))
    WHEN 'allergy' THEN e.allergen
    WHEN 'lab_result' THEN e.test_name || ': ' || e.result
    WHEN 'document' THEN COALESCE(NULLIF(e.title, ''), regexp_replace(e.document, '^.*/', ''))
    ELSE COALESCE(NULLIF(e.title, ''), left(e.notes, 80))
END"""

# The author shown (records.visibility.author_shown): a practice's entry shows the
# practice; the owner's side sees every author, a practice only its own staff's names.
ENTRY_AUTHOR = """CASE
    WHEN e.practice_id IS NOT NULL AND p.name IS NOT NULL THEN p.name
    WHEN e.author_id IS NULL OR NOT (%(owner_side)s OR e.practice_id IS NOT NULL) THEN NULL
    ELSE COALESCE(NULLIF(u.full_name, ''), u.email)
END"""

# EntrySerializer's fields in its order (the write-only document left out).
ENTRY_JSON = f"""json_build_object(
    'id', e.id,
    'animal', e.animal_id,
    'kind', e.kind,
    'occurred_on', e.occurred_on,
    'title', e.title,
    'notes', e.notes,
    'summary', {ENTRY_SUMMARY},
    'vaccine_product', e.vaccine_product,
    'manufacturer', e.manufacturer,
    'batch_number', e.batch_number,
    'next_due_on', e.next_due_on,
    'duration_years', e.duration_years,
    'tag_number', e.tag_number,
    'vet_name', e.vet_name,
    'vet_licence', e.vet_licence,
    'weight_value', e.weight_value::text,
    'weight_unit', e.weight_unit,
    'medication_name', e.medication_name,
    'dose', e.dose,
    'ends_on', e.ends_on,
    'allergen', e.allergen,
    'severity', e.severity,
    'test_name', e.test_name,
    'result', e.result,
    'document_url', CASE WHEN e.document <> '' THEN %(doc_head)s || e.id || %(doc_tail)s END,
    'document_type', e.document_type,
    'author_name', {ENTRY_AUTHOR},
    'source', e.source,
    'practice', e.practice_id,
    'created_at', {_UTC_ISO.format(col="e.created_at")},
    'updated_at', {_UTC_ISO.format(col="e.updated_at")}
)::text"""

# Entry's Meta.ordering.
ENTRY_ORDER = "ORDER BY e.occurred_on DESC, e.created_at DESC"

# The same statement as the animals list's, over an animal's entries.
ENTRY_PAGE_SQL = """
WITH page AS (
    SELECT e.id, COUNT(*) OVER () AS total
    FROM records_entry e
    WHERE {where}
    {order}
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.total, {entry}
FROM page
JOIN records_entry e ON e.id = page.id
LEFT JOIN accounts_user u ON u.id = e.author_id
LEFT JOIN records_practice p ON p.id = e.practice_id
{order}
"""

ENTRY_COUNT_SQL = "SELECT COUNT(*) FROM records_entry e WHERE {where}"

# ENTRY_PAGE_SQL behind the owner-or-shared check of the animal (records.selectors'
# OWNED_OR_SHARED_SQL): no row at all when the animal is not the user's own or shared with
# them; the animal's row with no entry when the page is empty.
OWNER_SIDE_ENTRY_PAGE_SQL = """
WITH seen AS (
    SELECT a.id FROM records_animal a WHERE a.id = %(animal)s AND {owned_or_shared}
), page AS (
    SELECT e.id, COUNT(*) OVER () AS total
    FROM records_entry e
    WHERE {where} AND e.animal_id IN (SELECT id FROM seen)
    {order}
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.total, {entry}
FROM seen
LEFT JOIN (page JOIN records_entry e ON e.id = page.id) ON true
LEFT JOIN accounts_user u ON u.id = e.author_id
LEFT JOIN records_practice p ON p.id = e.practice_id
{order}
"""


@dataclass(frozen=True)
class EntryListQuery:
    """The entries one look (records.selectors.get_animal_for_user's Visibility) may see
    of its animal, as Visibility.entries_q and selectors.entries_for select them."""

    animal_id: int
    owner_side: bool
    kinds: frozenset[str] | None
    practice_ids: frozenset[int]
    kind: str | None

    @classmethod
    def for_visibility(cls, vis: Any, kind: str | None) -> EntryListQuery:
        return cls(
            animal_id=vis.animal.pk,
            owner_side=vis.is_owner_side,
            kinds=vis.kinds,
            practice_ids=vis.practice_ids,
            kind=kind or None,
        )

    def _where(self) -> tuple[str, dict[str, Any]]:
        where = ["e.animal_id = %(animal)s"]
        params: dict[str, Any] = {"animal": self.animal_id, "owner_side": self.owner_side}
        if self.kinds is not None:
            shown = "e.kind = ANY(%(kinds)s)"
            if self.practice_ids:
                shown = f"({shown} OR e.practice_id = ANY(%(practice_ids)s))"
            where.append(shown)
            params.update(kinds=sorted(self.kinds), practice_ids=sorted(self.practice_ids))
        if self.kind:
            where.append("e.kind = %(kind)s")
            params["kind"] = self.kind
        return " AND ".join(where), params

    def count(self) -> int:
        where, params = self._where()
        with prepared_cursor() as cursor:
            cursor.execute(ENTRY_COUNT_SQL.format(where=where), params)
            return int(cursor.fetchone()[0])

    def page(self, *, limit: int, offset: int, document_link: tuple[str, str]) -> tuple[int, str]:
        """(total, the page's results as a JSON array) in one statement."""
        where, params = self._where()
        params.update(
            limit=limit, offset=offset, doc_head=document_link[0], doc_tail=document_link[1]
        )
        with prepared_cursor() as cursor:
            sql = ENTRY_PAGE_SQL.format(where=where, order=ENTRY_ORDER, entry=ENTRY_JSON)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = int(rows[0][0]) if rows else 0
        return total, "[" + ",".join(row[1] for row in rows) + "]"

    @classmethod
    def owner_side_page(
        cls,
        *,
        user_id: int,
        animal_id: int,
        kind: str | None,
        limit: int,
        offset: int,
        document_link: tuple[str, str],
    ) -> tuple[int, str] | None:
        """page() for the user's own animal or one shared with them, with that check in
        the same statement (issue 10: it was a query of its own before every page); None
        when the animal is neither, and records.selectors.get_animal_for_user must answer
        (a 404, or a practice's look with its access-log row). The owner's side sees
        every kind (Visibility.kinds None) and every author."""
        query = cls(
            animal_id=animal_id,
            owner_side=True,
            kinds=None,
            practice_ids=frozenset(),
            kind=kind or None,
        )
        where, params = query._where()
        params.update(
            user=user_id,
            limit=limit,
            offset=offset,
            doc_head=document_link[0],
            doc_tail=document_link[1],
        )
        sql = OWNER_SIDE_ENTRY_PAGE_SQL.format(
            owned_or_shared=OWNED_OR_SHARED_SQL, where=where, order=ENTRY_ORDER, entry=ENTRY_JSON
        )
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        if rows[0][0] is None:  # the animal's row alone: no entry on this page
            return 0, "[]"
        return int(rows[0][0]), "[" + ",".join(row[1] for row in rows) + "]"


def document_link(request: Any) -> tuple[str, str]:
    """An entry's document link as (text before its id, text after), as
    EntrySerializer.get_document_url writes it for this request."""
    return link_parts("api:entry-document", request=request)
