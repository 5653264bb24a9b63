"""Who may see what (DESIGN.md rule 1): the one answer, used by web views, API views and
exports alike.

An animal is visible to its owner and to the co-owners/responsible persons it was shared
with. Practice staff and emergency-share holders are added by the practice issue through
`practice_visibility` below, never by a view of its own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple, cast

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from vetpass.accounts.models import User
from vetpass.compiled import CompiledGet
from vetpass.prepared import prepared_cursor

from . import services
from .models import AccessLog, Animal, AnimalAccess, Entry, Permission
from .models.entries import weight_in_kg
from .practices import access
from .practices.access import ClientIdentity
from .vaccinations import SUPERSEDED_SQL
from .visibility import Visibility


def animals_owned_or_shared(user: User) -> QuerySet[Animal]:
    """The animals the user keeps: their own and those co-owners shared with them.

    `owner OR id IN (shared with me)`, not a join: no DISTINCT to sort away, and the
    pagination COUNT stays a plain count (issue 10)."""
    if not user.is_authenticated:
        return Animal.objects.none()
    return Animal.objects.filter(_owned_or_shared_q(user)).select_related(
        "species", "breed", "owner"
    )


def _owned_or_shared_q(user: User) -> Q:
    return Q(owner=user) | Q(pk__in=AnimalAccess.objects.filter(user=user).values("animal_id"))


# The same rule for the owner's lean animals list, which PostgreSQL writes in one
# hand-written statement (records.api_lean): the animal `a` is the user's own or shared
# with them. Change both together; tests/api/test_lean_lists.py holds them to the same
# animals.
OWNED_OR_SHARED_SQL = (
    "(a.owner_id = %(user)s OR a.id IN "
    "(SELECT animal_id FROM records_animalaccess WHERE user_id = %(user)s))"
)


def animals_visible_to(user: User) -> QuerySet[Animal]:
    """Every animal the user may see, whichever way (owner side or practice side)."""
    if not user.is_authenticated:
        return Animal.objects.none()
    ids = Animal.objects.filter(_owned_or_shared_q(user)).values("pk")
    qs = Animal.objects.filter(pk__in=ids)

    practice_ids = access.animal_ids_visible_to_staff(user)
    if practice_ids is not None:
        qs = Animal.objects.filter(Q(pk__in=ids) | Q(pk__in=practice_ids))
    return qs.select_related("species", "breed", "owner")


# The animal with the species, breed and owner its pages show, by a statement compiled
# once per process (vetpass.compiled: compiling it was most of the read's time).
_ANIMAL = CompiledGet(lambda: Animal.objects.select_related("species", "breed", "owner"))


def read_animal(pk: object) -> Animal:
    """The animal with its species, breed and owner, or 404 — before anyone's right to see
    it is asked (get_animal_for_user and the workspace's get_workspace_animal ask it)."""
    try:
        animal = _ANIMAL.get(pk)
    except (ValueError, TypeError):
        animal = None
    if animal is None:
        raise Http404("No such animal.")
    return animal


def visibility_for(user: User, animal: Animal) -> Visibility | None:
    if not user.is_authenticated:
        return None
    if animal.owner_id == user.pk:
        return Visibility(animal=animal, can_edit=True, is_owner=True)
    share = (
        AnimalAccess.objects.filter(animal=animal, user=user)
        .values_list("permission", flat=True)
        .first()
    )
    if share is not None:
        return Visibility(animal=animal, can_edit=share == Permission.EDIT, is_owner=False)

    return access.staff_visibility(user, animal)


def get_animal_for_user(
    user: User, pk: object, *, edit: bool = False, owner: bool = False, view: str = "animal"
) -> Visibility:
    """The animal with what the user may do with it, or 404 — never a 403 that tells the
    animal exists. `edit` needs edit rights; `owner` needs the owner (deleting the animal,
    managing its co-owners and invitations). A look through a practice grant is
    access-logged (rule 2)."""
    animal = read_animal(pk)
    vis = visibility_for(user, animal)
    if vis is None or (edit and not vis.can_edit) or (owner and not vis.is_owner):
        raise Http404("No such animal.")
    if vis.via is not None:
        access.log_read(user, vis, view)
    return vis


def entries_for(vis: Visibility, *, kind: str | None = None) -> QuerySet[Entry]:
    """The animal's entries this look may see: the kinds the grant shares, and always
    what the viewer's own practice wrote (Visibility.entries_q)."""
    qs = Entry.objects.filter(animal=vis.animal).filter(vis.entries_q())
    qs = qs.select_related("author", "practice")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


class EntryRow(NamedTuple):
    """One entry as the animal pages read it (entry_rows): its fields by their model's
    names (so records.models.entries.entry_summary reads it as it reads an Entry), the
    writing practice's name, the author's name and email, whether a later dose of the same
    vaccine superseded it, and how many entries the look sees in all (for paging)."""

    id: int
    kind: str
    occurred_on: dt.date
    title: str
    notes: str
    vaccine_product: str
    manufacturer: str
    batch_number: str
    next_due_on: dt.date | None
    duration_years: int | None
    tag_number: str
    vet_name: str
    vet_licence: str
    weight_value: Decimal | float | None
    weight_unit: str
    medication_name: str
    dose: str
    ends_on: dt.date | None
    allergen: str
    severity: str
    test_name: str
    result: str
    document: str
    document_type: str
    source: str
    practice_id: int | None
    author_id: int | None
    practice_name: str | None
    author_full_name: str | None
    author_email: str | None
    superseded: bool
    total: int


_ENTRY_ROWS_SQL = """{with_log}
SELECT {columns}, p.name, u.full_name, u.email, {superseded}, {total}
FROM records_entry e
LEFT JOIN records_practice p ON p.id = e.practice_id
LEFT JOIN accounts_user u ON u.id = e.author_id
WHERE e.animal_id = %s{visible}{kind}
ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC{limit}
"""
_ENTRY_COLUMNS = ", ".join(
    f"e.{name}" for name in EntryRow._fields[: EntryRow._fields.index("practice_name")]
)


def entry_rows(
    vis: Visibility,
    *,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    superseded: bool = False,
    log: AccessLog | None = None,
) -> list[EntryRow]:
    """entries_for's entries — the kinds the grant shares and always what the viewer's
    practice wrote — newest first, as rows in one hand-written statement (issue 10: the
    ORM's query building and an instance per entry cost the animal pages more than the
    database did). With `limit`, one page of them, each row holding the total
    (COUNT(*) OVER ()); with `superseded`, whether a later dose superseded each
    vaccination (records.vaccinations, the one answer). With `log` (access.read_log_row's
    row for this look), the access-log row is written by the same statement on
    PostgreSQL (a data-modifying CTE: one round trip, one commit), and first elsewhere."""
    visible, params = vis.entries_sql()
    with_log, log_params = "", cast("list[object]", [])
    if log is not None:
        if connection.vendor == "postgresql":
            cte, log_params = access.log_insert_sql(log)
            with_log = f"WITH {cte}"
        else:
            access.save_log_row(log)
    sql = _ENTRY_ROWS_SQL.format(
        with_log=with_log,
        columns=_ENTRY_COLUMNS,
        superseded=SUPERSEDED_SQL if superseded else "0",
        total="COUNT(*) OVER ()" if limit is not None else "0",
        visible=visible,
        kind=" AND e.kind = %s" if kind else "",
        limit=" LIMIT %s OFFSET %s" if limit is not None else "",
    )
    args: list[object] = [*log_params, vis.animal.pk, *params]
    if kind:
        args.append(kind)
    if limit is not None:
        args += [limit, offset]
    with prepared_cursor() as cursor:
        cursor.execute(sql, args)
        return [EntryRow._make(row) for row in cursor.fetchall()]


def entry_count(vis: Visibility, *, kind: str | None = None) -> int:
    """How many entries entry_rows would give (for a page asked past the end)."""
    visible, params = vis.entries_sql()
    sql = f"SELECT COUNT(*) FROM records_entry e WHERE e.animal_id = %s{visible}"  # noqa: S608 - placeholders only
    args: list[str | int] = [vis.animal.pk, *params]
    if kind:
        sql += " AND e.kind = %s"
        args.append(kind)
    with prepared_cursor() as cursor:
        cursor.execute(sql, args)
        return int(cursor.fetchone()[0])


def get_entry_for_user(user: User, pk: object, *, edit: bool = False) -> tuple[Entry, Visibility]:
    """The entry with the look it is seen through, or 404. `edit` also asks the service
    whether this person may change this entry (services.entry_check_change: an entry a
    practice wrote is the practice's record) and answers 404 when not, as the web always
    did — the same for the web views and the API."""
    try:
        entry = Entry.objects.select_related("animal", "animal__species", "animal__owner").get(
            pk=pk  # type: ignore[misc]
        )
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404("No such entry.") from None
    vis = visibility_for(user, entry.animal)
    if vis is None or not vis.shows_entry(entry):
        raise Http404("No such entry.")
    if edit:
        if not vis.can_edit:
            raise Http404("No such entry.")
        try:
            services.entry_check_change(entry=entry, actor=user)
        except PermissionDenied:
            raise Http404("No such entry.") from None
    if vis.via is not None:
        access.log_read(user, vis, "entry")
    return entry, vis


_WEIGHTS_SQL = """
SELECT e.occurred_on, e.weight_value, e.weight_unit FROM records_entry e
WHERE e.animal_id = %s AND e.kind = 'weight' AND e.weight_value IS NOT NULL{visible}
ORDER BY e.occurred_on, e.created_at
"""


def weight_series(vis: Visibility) -> list[tuple[dt.date, float]]:
    """(date, kg) points for the weight chart, oldest first: the weighings this look may
    see (entries_sql, the rule), read as rows."""
    visible, params = vis.entries_sql()
    with prepared_cursor() as cursor:
        cursor.execute(_WEIGHTS_SQL.format(visible=visible), [vis.animal.pk, *params])
        return [(when, weight_in_kg(value, unit)) for when, value, unit in cursor.fetchall()]


def herd_members(user: User, vis: Visibility) -> list[Animal]:
    """The members of a herd or group that this look may see: every one for the owner;
    those shared with them for a co-owner; for practice staff those their grants cover,
    each written to the access log (the page shows their names). Never the whole list
    unchecked (§1.2)."""
    if not vis.animal.is_group:
        return []
    members = vis.animal.members.select_related("species").order_by("name", "id")
    if vis.is_owner:
        return list(members)
    if vis.is_owner_side:
        return list(members.filter(Q(owner=user) | Q(accesses__user=user)).distinct())
    rows = access.visible_members(user, vis.animal, members)
    if rows:
        access.log_reads(user, [(via, vis.animal.owner_id, a.pk) for a, via in rows], "herd member")
    return [animal for animal, _via in rows]


def visible_group(user: User, vis: Visibility) -> Animal | None:
    """The herd the animal belongs to, when this look may see it too (its name is shown);
    a practice's look at it is access-logged."""
    group = vis.animal.group if vis.animal.group_id else None
    if group is None:
        return None
    if vis.is_owner:
        return group
    group_vis = visibility_for(user, group)
    if group_vis is None:
        return None
    if group_vis.via is not None:
        access.log_read(user, group_vis, "herd")
    return group


def owner_identity(vis: Visibility) -> ClientIdentity | None:
    """Who owns the animal as this look may see it: None on the owner's side; for a
    practice, what the owner shares with it (practices.access.client_identity, §1.7)."""
    return access.identity_for(vis)


def co_owners_for(user: User, animal_pk: object) -> QuerySet[AnimalAccess]:
    """The people the animal is shared with: the owner's list to manage. Anyone else —
    a co-owner, practice staff — gets a 404 before anything is read or logged, on the
    web and in the API alike."""
    return co_owners_of(get_animal_for_user(user, animal_pk, owner=True))


def co_owners_of(vis: Visibility) -> QuerySet[AnimalAccess]:
    """co_owners_for, for a look already made (the animal page has made it: no second
    read of the animal); the owner's only, a 404 for anyone else as above."""
    if not vis.is_owner:
        raise Http404("No such animal.")
    return (
        AnimalAccess.objects.filter(animal=vis.animal)
        .select_related("user")
        .order_by("created_at", "pk")
    )


_PERMISSION_LABELS = dict(Permission.choices)


class CoOwnerRow(NamedTuple):
    """A co-owner as the owner's animal page lists them (co_owner_rows)."""

    pk: int
    name: str  # User.display_name
    permission_label: str  # get_permission_display|lower


def co_owner_rows(vis: Visibility) -> list[CoOwnerRow]:
    """co_owners_of's people, in its order, as rows in one hand-written statement (the
    animal page lists them on every view; the ORM's building of the query cost more than
    the query)."""
    if not vis.is_owner:
        raise Http404("No such animal.")
    with prepared_cursor() as cursor:
        cursor.execute(
            "SELECT x.id, u.full_name, u.email, x.permission FROM records_animalaccess x "
            "JOIN accounts_user u ON u.id = x.user_id WHERE x.animal_id = %s "
            "ORDER BY x.created_at, x.id",
            [vis.animal.pk],
        )
        return [
            CoOwnerRow(
                pk, full_name or email, _PERMISSION_LABELS.get(permission, permission).lower()
            )
            for pk, full_name, email, permission in cursor.fetchall()
        ]


def get_access_for_user(user: User, animal_pk: object, access_pk: object) -> AnimalAccess:
    """A co-owner's access that the user may remove: any, for the owner; their own, for a
    co-owner. Anything else is a 404, and practice staff get it before any read is logged:
    co-owners are the owner's side of the animal, never a practice's to manage."""
    try:
        animal = Animal.objects.get(pk=animal_pk)  # type: ignore[misc]
    except (Animal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such animal.") from None
    vis = visibility_for(user, animal)
    if vis is None or not vis.is_owner_side:
        raise Http404("No such co-owner.")
    access = (
        AnimalAccess.objects.select_related("user")
        .filter(animal=vis.animal, pk=int(str(access_pk)))
        .first()
        if str(access_pk).isdigit()
        else None
    )
    if access is None or not (vis.is_owner or access.user_id == user.pk):
        raise Http404("No such co-owner.")
    return access


def get_own_access(user: User, animal_pk: object) -> AnimalAccess:
    """The user's own co-owner access to the animal (to give it up), or 404. Nothing is
    access-logged: it shows the user only their own access."""
    access = (
        AnimalAccess.objects.select_related("animal")
        .filter(animal_id=int(str(animal_pk)), user=user)
        .first()
        if str(animal_pk).isdigit() and user.is_authenticated
        else None
    )
    if access is None:
        raise Http404("No such animal.")
    return access
