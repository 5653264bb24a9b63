"""The practice side of "who may see this" (DESIGN.md rule 1): staff of a practice the
owner favorited, and staff of a practice holding a live emergency share.

A staff member sees an animal through a practice when
- their membership there is active (`left_at` is null: leaving ends access at once), and
- the owner's favorite of that practice is active (not ended, end date not passed), the
  ledger's latest event for ("practice_sharing", "practice:<id>") is a grant (rule 4:
  asked at the moment of access), and the favorite covers the animal; what they see is
  limited to the favorite's record kinds; or
- the practice redeemed an emergency share of the animal that is not revoked or expired.

Every read through a grant is written to the access log (rule 2) by `log_read`, which
the selectors and the workspace helpers call; web and API views never write it themselves.
Reads by VetPass privacy staff in the Django admin are written by `log_admin_reads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from consent.models import Action, ConsentEvent

from ..models import AccessLog, AccessLogGrant, Animal, EmergencyShare, Favorite
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


def granting_favorites(practice_ids: Iterable[int] | QuerySet) -> QuerySet[Favorite]:
    """Active favorites of these practices whose ledger state is a grant right now."""
    latest_action = Subquery(
        ConsentEvent.objects.filter(
            subject_key=OuterRef("_subject_key"),
            purpose__code=SHARING_PURPOSE,
            scope=OuterRef("_scope"),
        )
        .order_by("-sequence")
        .values("action")[:1]
    )
    return (
        Favorite.objects.active()
        .filter(practice_id__in=practice_ids)
        .annotate(
            _subject_key=Concat(Value("user:"), Cast("owner_id", CharField())),
            _scope=Concat(Value("practice:"), Cast("practice_id", CharField())),
        )
        .annotate(_latest=latest_action)
        .filter(_latest=Action.GRANT)
    )


def live_shares(practice_ids: Iterable[int] | QuerySet) -> QuerySet[EmergencyShare]:
    return EmergencyShare.objects.filter(
        practice_id__in=practice_ids,
        redeemed_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
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


def practice_visibility(
    user: User, animal: Animal, practice: Practice | None = None
) -> Visibility | None:
    """What the user may see of the animal as staff (of `practice`, or of any practice)."""

    if not user.is_authenticated:
        return None
    practice_ids = list(active_practice_ids(user, practice))
    if not practice_ids:
        return None
    favorites = [
        f
        for f in granting_favorites(practice_ids)
        .filter(owner_id=animal.owner_id)
        .filter(Q(all_animals=True) | Q(animals=animal))
        .select_related("practice", "owner")
        .distinct()
    ]
    if favorites:
        kinds: frozenset[str] | None = frozenset()
        for favorite in favorites:
            if favorite.kind_set is None:
                kinds = None
                break
            kinds = (kinds or frozenset()) | favorite.kind_set
        via = next((f for f in favorites if f.kind_set is None), favorites[0])
        return Visibility(animal=animal, can_edit=False, is_owner=False, kinds=kinds, via=via)
    share = (
        live_shares(practice_ids)
        .filter(animals=animal)
        .select_related("practice", "owner")
        .order_by("-expires_at")
        .first()
    )
    if share is not None:
        return Visibility(animal=animal, can_edit=False, is_owner=False, via=share)
    return None


def staff_visibility(user: User, animal: Animal) -> Visibility | None:
    return practice_visibility(user, animal)


def grant_practice(via: object) -> Practice | None:
    return getattr(via, "practice", None)


def _grant_kind(via: object) -> str:
    return (
        AccessLogGrant.EMERGENCY_SHARE
        if isinstance(via, EmergencyShare)
        else AccessLogGrant.FAVORITE
    )


def log_read(user: User, vis: Visibility, view: str) -> AccessLog | None:
    """Write the access-log row for a read through a grant; owner-side reads are not logged."""
    if vis.via is None:
        return None
    via = vis.via
    return AccessLog.objects.create(
        viewer_id=user.pk,
        practice=grant_practice(via),
        owner_id=vis.animal.owner_id,
        animal_id=vis.animal.pk,
        view=view[:60],
        grant_kind=_grant_kind(via),
        grant_id=via.pk,  # type: ignore[attr-defined]
    )


def log_reads(user: User, rows: Iterable[tuple[object, int, int | None]], view: str) -> None:
    """Many reads at once (a list page): rows of (grant, owner id, animal id or None).
    One INSERT, so the log never makes a list's query count grow with its length."""
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                viewer_id=user.pk,
                practice=grant_practice(via),
                owner_id=owner_id,
                animal_id=animal_id,
                view=view[:60],
                grant_kind=_grant_kind(via),
                grant_id=via.pk,  # type: ignore[attr-defined]
            )
            for via, owner_id, animal_id in rows
        ]
    )


def log_list_reads(
    user: User,
    view: str,
    favorites: QuerySet[Favorite],
    shares: QuerySet[EmergencyShare],
) -> None:
    """One access-log row per client on a list page, written with INSERT … SELECT from the
    same querysets the page shows: two statements however long the list (no batching)."""
    from django.db import connection

    table = connection.ops.quote_name(AccessLog._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in (
            "viewer_id",
            "practice_id",
            "owner_id",
            "animal_id",
            "view",
            "grant_kind",
            "grant_id",
            "created_at",
        )
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for grant_kind, qs in (
            (AccessLogGrant.FAVORITE, favorites),
            (AccessLogGrant.EMERGENCY_SHARE, shares),
        ):
            try:
                sub_sql, sub_params = qs.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:  # a .none() queryset: nothing to log
                continue
            model = qs.model
            source = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names are quoted model metadata
                f"SELECT %s, practice_id, owner_id, NULL, %s, %s, id, %s FROM {source} "
                f"WHERE id IN ({sub_sql})",
                [user.pk, view[:60], grant_kind, now, *sub_params],
            )


def log_admin_reads(
    viewer: User | int, subjects: Iterable[tuple[int | None, int | None]], view: str
) -> int:
    """VetPass privacy staff looked at people's data in the Django admin (rule 2 holds for
    them too): one row per object shown, as (owner id, animal id or None). Objects with no
    person behind them (owner None) and the viewer's own data are not logged. One INSERT
    however many objects, so an admin list's query count does not grow with its length.
    Returns the number of rows written."""
    viewer_id = viewer if isinstance(viewer, int) else viewer.pk
    rows = [
        AccessLog(
            viewer_id=viewer_id,
            practice=None,
            owner_id=owner_id,
            animal_id=animal_id,
            view=view[:60],
            grant_kind=AccessLogGrant.ADMIN,
            grant_id=None,
        )
        for owner_id, animal_id in subjects
        if owner_id is not None and owner_id != viewer_id
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
