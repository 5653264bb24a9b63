"""The practice side of "who may see this" (DESIGN.md rule 1): staff of a practice the
owner favorited, and staff of a practice holding a live emergency share.

A staff member sees an animal through a practice when
- their membership there is active (`left_at` is null: leaving ends access at once), and
- the owner's favorite of that practice is active (not ended, end date not passed), the
  ledger's latest event for ("practice_sharing", "practice:<id>") is a grant (rule 4:
  asked at the moment of access, through records.SharingState, the ledger's projection
  written in each event's transaction), and the favorite covers the animal; what they see is
  limited to the favorite's record kinds; or
- the practice redeemed an emergency share of the animal that is not revoked or expired.

Every read through a grant is written to the access log (rule 2) by `log_read`, which
the selectors and the workspace helpers call; web and API views never write it themselves.
Reads by VetPass privacy staff in the Django admin are written by `log_admin_reads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vetpass.compiled import CompiledQuery
from vetpass.prepared import prepared_cursor

from ..models import (
    AccessLog,
    AccessLogGrant,
    Animal,
    EmergencyShare,
    Favorite,
    ListAccessLog,
    SharingState,
)
from ..models.practices import PracticeMembership
from ..visibility import Visibility

if TYPE_CHECKING:
    from vetpass.accounts.models import User

    from ..models import Practice

SHARING_PURPOSE = "practice_sharing"


def sharing_scope(practice: Practice | int) -> str:
    pk = practice if isinstance(practice, int) else practice.pk
    return f"practice:{pk}"


def active_practice_ids(user: User, practice: Practice | None = None) -> QuerySet:
    """The practices the user is on the staff of now, as a values_list queryset."""
    qs = PracticeMembership.objects.filter(user_id=user.pk, left_at__isnull=True)
    if practice is not None:
        qs = qs.filter(practice_id=practice.pk)
    return qs.values_list("practice_id", flat=True)


def granting_favorites(
    practice_ids: Iterable[int] | QuerySet, *, today: date | None = None
) -> QuerySet[Favorite]:
    """Active favorites of these practices whose ledger state is a grant right now.

    The ledger's state is read from its projection (records.SharingState, one row per
    owner and practice, written in the transaction of every practice-sharing event: see
    records.practices.projection), one indexed probe per favorite instead of a search of
    the ledger; `manage.py sharing_projection_check` holds the two together."""
    granted = SharingState.objects.filter(
        owner_id=OuterRef("owner_id"), practice_id=OuterRef("practice_id"), granted=True
    )
    return (
        Favorite.objects.active(today).filter(practice_id__in=practice_ids).filter(Exists(granted))
    )


def live_shares(practice_ids: Iterable[int] | QuerySet) -> QuerySet[EmergencyShare]:
    return EmergencyShare.objects.filter(
        practice_id__in=practice_ids,
        redeemed_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


# The same two rules for the vet's client list, which PostgreSQL reads in one hand-written
# statement (records.practices.client_list): `{f}` a favorite of the practice
# %(practice)s that grants now (%(today)s: the local date, as FavoriteQuerySet.active
# reads it), `{e}` a live share the practice redeemed (%(now)s). Change each together with
# its queryset above; tests/practices/test_client_list_statement.py holds them to the
# same clients, animals and log.
GRANTING_FAVORITE_SQL = (
    "({f}.practice_id=%(practice)s AND {f}.ended_at IS NULL"
    " AND ({f}.ends_on IS NULL OR {f}.ends_on>=%(today)s)"
    " AND EXISTS (SELECT FROM records_sharingstate ss WHERE ss.owner_id={f}.owner_id"
    " AND ss.practice_id={f}.practice_id AND ss.granted))"
)
LIVE_SHARE_SQL = (
    "({e}.practice_id=%(practice)s AND {e}.redeemed_at IS NOT NULL"
    " AND {e}.revoked_at IS NULL AND {e}.expires_at>%(now)s)"
)


def animal_ids_visible_to_practices(practice_ids: Iterable[int] | QuerySet) -> QuerySet:
    favorites = granting_favorites(practice_ids)
    chosen = Favorite.animals.through.objects.filter(
        favorite_id__in=favorites.filter(all_animals=False).values("pk")
    ).values("animal_id")
    shared = EmergencyShare.animals.through.objects.filter(
        emergencyshare_id__in=live_shares(practice_ids).values("pk")
    ).values("animal_id")
    return Animal.objects.filter(
        Q(owner_id__in=favorites.filter(all_animals=True).values("owner_id"))
        | Q(pk__in=chosen)
        | Q(pk__in=shared)
    ).values("pk")


def animal_ids_visible_to_staff(user: User) -> QuerySet | None:
    """A values('pk') queryset of animals the user sees as practice staff, or None."""
    if not user.is_authenticated:
        return None
    return animal_ids_visible_to_practices(active_practice_ids(user))


def _covering(favorites: QuerySet[Favorite], owner_id: int, animal_id: int) -> QuerySet[Favorite]:
    """Of these favorites, the owner's that cover the animal: all their animals, or this
    one among those chosen (a subquery, not a join to DISTINCT away)."""
    chosen = Favorite.animals.through.objects.filter(animal_id=animal_id).values("favorite_id")
    return favorites.filter(owner_id=owner_id).filter(Q(all_animals=True) | Q(pk__in=chosen))


# practice_visibility's read for one practice (the workspace's): the same querysets,
# compiled once per process (vetpass.compiled).
_COVERING = CompiledQuery(
    lambda practice, owner, animal, today: _covering(
        granting_favorites([practice], today=today), owner, animal
    ),
    "practice",
    "owner",
    "animal",
    days=("today",),
)


def practice_visibility(
    user: User,
    animal: Animal,
    practice: Practice | None = None,
    *,
    membership: PracticeMembership | None = None,
) -> Visibility | None:
    """What the user may see of the animal as staff (of `practice`, or of any practice).
    `membership`: the user's active membership of `practice`, when the caller has just
    read it (the workspace's get_membership), so it is not read a second time."""

    if not user.is_authenticated:
        return None
    if (
        membership is not None
        and practice is not None
        and membership.user_id == user.pk
        and membership.practice_id == practice.pk
        and membership.left_at is None
    ):
        practice_ids = [practice.pk]
        membership_practice = membership.practice
    else:
        practice_ids = list(active_practice_ids(user, practice))
        membership_practice = None
    if not practice_ids:
        return None
    # The owner is the animal's, and in the workspace the practice is the membership's:
    # neither is read again; there the statement is compiled once (issue 10).
    if membership_practice is not None:
        favorites = _COVERING.all(
            practice=practice_ids[0],
            owner=animal.owner_id,
            animal=animal.pk,
            today=timezone.localdate(),
        )
    else:
        favorites = list(
            _covering(granting_favorites(practice_ids), animal.owner_id, animal.pk).select_related(
                "practice"
            )
        )
    for favorite in favorites:
        favorite.owner = animal.owner
        if membership_practice:
            favorite.practice = membership_practice
    if favorites:
        kinds: frozenset[str] | None = frozenset()
        for favorite in favorites:
            if favorite.kind_set is None:
                kinds = None
                break
            kinds = (kinds or frozenset()) | favorite.kind_set
        via = next((f for f in favorites if f.kind_set is None), favorites[0])
        return Visibility(
            animal=animal,
            can_edit=False,
            is_owner=False,
            kinds=kinds,
            via=via,
            practice_ids=frozenset(f.practice_id for f in favorites),
        )
    share = (
        live_shares(practice_ids)
        .filter(animals=animal)
        .select_related("practice", "owner")
        .order_by("-expires_at")
        .first()
    )
    if share is not None:
        return Visibility(
            animal=animal,
            can_edit=False,
            is_owner=False,
            via=share,
            practice_ids=frozenset([share.practice_id]) if share.practice_id else frozenset(),
        )
    return None


def staff_visibility(user: User, animal: Animal) -> Visibility | None:
    return practice_visibility(user, animal)


def visible_members(
    user: User, herd: Animal, members: Iterable[Animal]
) -> list[tuple[Animal, object]]:
    """The members of a herd that the user sees as staff, each with the grant it is seen
    through (for the access log), in a fixed number of queries however many members: a
    herd's page must not show the names of members its grants do not cover (§1.2)."""
    members = list(members)
    practice_ids = list(active_practice_ids(user))
    if not members or not practice_ids:
        return []
    member_ids = [m.pk for m in members]
    favorites = list(granting_favorites(practice_ids).filter(owner_id=herd.owner_id))
    chosen = set(
        Favorite.animals.through.objects.filter(
            favorite_id__in=[f.pk for f in favorites if not f.all_animals],
            animal_id__in=member_ids,
        ).values_list("favorite_id", "animal_id")
    )
    shares = list(live_shares(practice_ids).filter(owner_id=herd.owner_id).order_by("-expires_at"))
    shared = set(
        EmergencyShare.animals.through.objects.filter(
            emergencyshare_id__in=[s.pk for s in shares], animal_id__in=member_ids
        ).values_list("emergencyshare_id", "animal_id")
    )
    rows: list[tuple[Animal, object]] = []
    for member in members:
        via: object | None = next(
            (f for f in favorites if f.all_animals or (f.pk, member.pk) in chosen), None
        ) or next((sh for sh in shares if (sh.pk, member.pk) in shared), None)
        if via is not None:
            rows.append((member, via))
    return rows


# --- what a practice may know of who the owner is ----------------------------------
# The owner's favorite says "share my name and contact details" (Favorite.share_profile)
# or not, and the owner is told which (issue 7 §1.7). This is the one answer to what a
# practice sees of who its client is, for every page and API answer of the practice side:
# - a favorite of the practice sharing the profile: the name, email and phone;
# - otherwise (a favorite without it, or only an emergency share the practice redeemed):
#   a pseudonymous label, stable for this practice and this owner, that tells nothing of
#   the name and cannot be matched between practices ("Client K7Q2M9 (name not shared)"),
#   and no contact details. An emergency share never reveals the name by itself: the
#   owner gave the clinic a code for their animals' records, not for their profile (the
#   emergency-share page says so).

NAME_NOT_SHARED = "name not shared"
_LABEL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 characters: no 0/O, 1/I


@dataclass(frozen=True)
class ClientIdentity:
    owner_id: int
    name: str
    profile_shared: bool
    email: str = ""
    phone: str = ""


def client_label(practice_id: int | None, owner_id: int) -> str:
    """The pseudonymous name a practice sees for an owner who does not share their
    profile with it: derived from a keyed hash of (practice, owner), so the same owner
    has a different label at each practice and the label leads back to no one."""
    digest = salted_hmac("vetpass.client-label", f"{practice_id}:{owner_id}").digest()
    code = "".join(_LABEL_ALPHABET[b % 32] for b in digest[:6])
    return f"Client {code} ({NAME_NOT_SHARED})"


def profile_sharing_owner_ids(practice_id: int | None, owner_ids: Iterable[int]) -> set[int]:
    """Of these owners, those whose favorite of the practice shares their profile now."""
    if practice_id is None:
        return set()
    return set(
        granting_favorites([practice_id])
        .filter(owner_id__in=list(owner_ids), share_profile=True)
        .values_list("owner_id", flat=True)
    )


def identity_with(practice_id: int | None, owner: User, *, profile_shared: bool) -> ClientIdentity:
    """The identity, when the caller already knows whether the profile is shared (read
    from granting favorites of this practice)."""
    if profile_shared:
        return ClientIdentity(
            owner_id=owner.pk,
            name=owner.display_name,
            profile_shared=True,
            email=owner.email,
            phone=owner.phone,
        )
    return ClientIdentity(
        owner_id=owner.pk, name=client_label(practice_id, owner.pk), profile_shared=False
    )


def client_identities(practice_id: int | None, owners: Iterable[User]) -> dict[int, ClientIdentity]:
    """What the practice may see of who each owner is, in one query for all of them."""
    owners = list(owners)
    shared = profile_sharing_owner_ids(practice_id, {o.pk for o in owners})
    return {o.pk: identity_with(practice_id, o, profile_shared=o.pk in shared) for o in owners}


def client_identity(practice_id: int | None, owner: User) -> ClientIdentity:
    return client_identities(practice_id, [owner])[owner.pk]


def identity_for(vis: Visibility) -> ClientIdentity | None:
    """Who owns the animal, as the viewer may see it: None for the owner's side (they
    know), the practice's view otherwise."""
    if vis.via is None:
        return None
    practice = grant_practice(vis.via)
    return client_identity(practice.pk if practice else None, vis.animal.owner)


def grant_practice(via: object) -> Practice | None:
    return getattr(via, "practice", None)


def _grant_kind(via: object) -> str:
    return (
        AccessLogGrant.EMERGENCY_SHARE
        if isinstance(via, EmergencyShare)
        else AccessLogGrant.FAVORITE
    )


def _log_row(user: User, via: object, owner_id: int, animal_id: int | None, view: str) -> AccessLog:
    """One read through a grant, as an (unsaved) AccessLog row."""
    return AccessLog(
        viewer_id=user.pk,
        practice=grant_practice(via),
        owner_id=owner_id,
        animal_id=animal_id,
        view=view[:60],
        grant_kind=_grant_kind(via),
        grant_id=via.pk,  # type: ignore[attr-defined]
    )


# An AccessLog row's columns, in the order the INSERTs below name them.
_LOG_COLUMNS = (
    "viewer_id",
    "practice_id",
    "owner_id",
    "animal_id",
    "view",
    "grant_kind",
    "grant_id",
    "created_at",
)


def save_log_row(row: AccessLog) -> None:
    """row.save(), on PostgreSQL as one prepared INSERT (issue 10: every detail page a
    practice opens writes one, and the ORM's building of it cost twice the insert). The
    row is written, durably, before the page is answered, as before."""
    if connection.vendor != "postgresql":
        row.save()
        return
    with prepared_cursor() as cursor:
        cursor.execute(_LOG_INSERT, [getattr(row, column) for column in _LOG_COLUMNS])
        row.pk = cursor.fetchone()[0]
    row._state.adding = False
    row._state.db = connection.alias


_LOG_INSERT = (
    f"INSERT INTO {AccessLog._meta.db_table} ({', '.join(_LOG_COLUMNS)})"  # noqa: S608 - model metadata
    f" VALUES ({', '.join(['%s'] * len(_LOG_COLUMNS))}) RETURNING id"
)


def read_log_row(user: User, vis: Visibility, view: str) -> AccessLog | None:
    """The (unsaved) access-log row a read through a grant needs; None for the owner's
    side, which is not logged. For a caller that writes it in the statement that reads
    what it logs (log_insert_sql), so the two are one round trip and one commit."""
    if vis.via is None:
        return None
    return _log_row(user, vis.via, vis.animal.owner_id, vis.animal.pk, view)


def log_insert_sql(row: AccessLog) -> tuple[str, list[Any]]:
    """A data-modifying CTE (`logged`) writing the row, for a statement's WITH clause, and
    its parameters: PostgreSQL runs it to completion whether or not the rest reads it."""
    return f"logged AS ({_LOG_INSERT})", [getattr(row, column) for column in _LOG_COLUMNS]


def log_read(user: User, vis: Visibility, view: str) -> AccessLog | None:
    """Write the access-log row for a read through a grant; owner-side reads are not logged."""
    if vis.via is None:
        return None
    row = _log_row(user, vis.via, vis.animal.owner_id, vis.animal.pk, view)
    save_log_row(row)
    return row


def log_one_read(user: User, via: object, owner_id: int, animal_id: int | None, view: str) -> None:
    """A detail page's read of one owner's data through a grant: one AccessLog row."""
    save_log_row(_log_row(user, via, owner_id, animal_id, view))


def _compact() -> bool:
    """The list form of the log is PostgreSQL's (arrays and a GIN index); the embedded
    SQLite default (a laptop, one practice) keeps writing one AccessLog row per read."""
    return connection.vendor == "postgresql"


def log_reads(user: User, rows: Iterable[tuple[object, int, int | None]], view: str) -> None:
    """Many reads at once (a list page): rows of (grant, owner id, animal id or None).
    One ListAccessLog row per practice the grants belong to (one for any page of one
    practice) naming every read in order, in one INSERT, so the log never makes a list's
    query count or its writes grow with its length."""
    rows = list(rows)
    if not rows:
        return
    if not _compact():
        AccessLog.objects.bulk_create(
            [_log_row(user, via, owner_id, animal_id, view) for via, owner_id, animal_id in rows]
        )
        return
    by_practice: dict[int | None, ListAccessLog] = {}
    for via, owner_id, animal_id in rows:
        practice_id = getattr(via, "practice_id", None)
        entry = by_practice.get(practice_id)
        if entry is None:
            entry = by_practice[practice_id] = ListAccessLog(
                viewer_id=user.pk,
                practice_id=practice_id,
                view=view[:60],
                owners=[],
                animals=[],
                grant_kinds=[],
                grant_ids=[],
            )
        entry.owners.append(owner_id)
        entry.animals.append(animal_id)
        entry.grant_kinds.append(_grant_kind(via))
        entry.grant_ids.append(via.pk)  # type: ignore[attr-defined]
    ListAccessLog.objects.bulk_create(list(by_practice.values()))


# (grant kind, quoted table, the shown ids' SELECT, its parameters)
_Source = tuple[str, str, str, tuple[Any, ...]]


def log_list_reads(
    user: User,
    view: str,
    favorites: QuerySet[Favorite],
    shares: QuerySet[EmergencyShare],
) -> None:
    """The reads of a list page of clients, each seen through one of these favorites or
    emergency shares (the querysets the page shows), written with INSERT … SELECT: on
    PostgreSQL one ListAccessLog row per practice naming every client (one statement
    however long the list); on SQLite one AccessLog row per client (two statements)."""
    sources: list[_Source] = []
    for grant_kind, qs in (
        (AccessLogGrant.FAVORITE, favorites),
        (AccessLogGrant.EMERGENCY_SHARE, shares),
    ):
        try:
            sub_sql, sub_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a .none() queryset: nothing to log
            continue
        sources.append(
            (grant_kind, connection.ops.quote_name(qs.model._meta.db_table), sub_sql, sub_params)
        )
    if not sources:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if _compact():
        _insert_list_row(user, view, sources, now)
    else:
        _insert_rows(user, view, sources, now)


def _insert_list_row(user: User, view: str, sources: list[_Source], now: Any) -> None:
    table = connection.ops.quote_name(ListAccessLog._meta.db_table)
    union = " UNION ALL ".join(
        f"SELECT practice_id, owner_id, %s AS grant_kind, id FROM {source} "  # noqa: S608 - quoted model metadata
        f"WHERE id IN ({sub_sql})"
        for _kind, source, sub_sql, _params in sources
    )
    params: list[Any] = [user.pk, view[:60], now]  # in the order of the placeholders
    for grant_kind, _source, _sql, sub_params in sources:
        params += [grant_kind, *sub_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (viewer_id, practice_id, view, owners, animals, grant_kinds, "  # noqa: S608
            "grant_ids, created_at) "
            "SELECT %s, practice_id, %s, array_agg(owner_id ORDER BY owner_id, id), "
            "array_agg(NULL::bigint ORDER BY owner_id, id), "
            "array_agg(grant_kind ORDER BY owner_id, id)::varchar(20)[], "
            "array_agg(id ORDER BY owner_id, id), %s "
            f"FROM ({union}) shown GROUP BY practice_id",
            params,
        )


def _insert_rows(user: User, view: str, sources: list[_Source], now: Any) -> None:
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _LOG_COLUMNS)
    with connection.cursor() as cursor:
        for grant_kind, source, sub_sql, sub_params in sources:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names are quoted model metadata
                f"SELECT %s, practice_id, owner_id, NULL, %s, %s, id, %s FROM {source} "
                f"WHERE id IN ({sub_sql})",
                [user.pk, view[:60], grant_kind, now, *sub_params],
            )


def log_admin_reads(
    viewer: User | int,
    subjects: Iterable[tuple[int | None, int | None]],
    view: str,
    *,
    list_page: bool = False,
) -> int:
    """VetPass privacy staff looked at people's data in the Django admin (rule 2 holds for
    them too): one read per object shown, as (owner id, animal id or None). Objects with no
    person behind them (owner None) and the viewer's own data are not logged. An object's
    page writes AccessLog rows; a list page (`list_page`) one ListAccessLog row naming every
    object shown (PostgreSQL; one AccessLog row each on SQLite). One INSERT however many
    objects, so an admin list's query count does not grow with its length. Returns the
    number of reads written."""
    viewer_id = viewer if isinstance(viewer, int) else viewer.pk
    shown = [
        (owner_id, animal_id)
        for owner_id, animal_id in subjects
        if owner_id is not None and owner_id != viewer_id
    ]
    if not shown:
        return 0
    if list_page and _compact():
        ListAccessLog.objects.create(
            viewer_id=viewer_id,
            practice=None,
            view=view[:60],
            owners=[owner_id for owner_id, _ in shown],
            animals=[animal_id for _, animal_id in shown],
            grant_kinds=[AccessLogGrant.ADMIN] * len(shown),
            grant_ids=[None] * len(shown),
        )
        return len(shown)
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                viewer_id=viewer_id,
                practice=None,
                owner_id=owner_id,
                animal_id=animal_id,
                view=view[:60],
                grant_kind=AccessLogGrant.ADMIN,
                grant_id=None,
            )
            for owner_id, animal_id in shown
        ]
    )
    return len(shown)
