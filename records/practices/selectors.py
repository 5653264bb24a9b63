"""Reads on the practice side that carry a rule: finding practices, the staff member's
practice (or 404), the request queue, and what an owner may look up of their own
favorites, requests, shares and access log. The workspace's clients and animals are in
workspace_selectors (re-exported here, so callers keep reading them as `sel.*`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncHour
from django.http import Http404
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.compiled import CompiledQuery
from vetpass.prepared import prepared_cursor

from ..models import (
    AccessLogGrant,
    AccessRead,
    Animal,
    EmergencyShare,
    Favorite,
    JoinRequest,
    Practice,
    PracticeMembership,
    RecordRequest,
)
from . import access
from .postcodes import bounding_box, distance_km
from .workspace_selectors import (  # noqa: F401 - re-exported for the views, API and appointments
    _ANIMALS,
    CLIENTS_PER_PAGE,
    ClientRow,
    client_identity,
    get_workspace_animal,
    vcpr_date,
    workspace_client_identity,
    workspace_client_page,
    workspace_client_rows,
)

DEFAULT_RADIUS_KM = 25.0


# --- find a practice -----------------------------------------------------------------


def practice_search(
    *,
    q: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
    species: str = "",
    service: str = "",
    limit: int = 50,
) -> list[Practice]:
    """Practices by name or town, species and service, and — given coordinates — within a
    radius, nearest first. A bounding box in SQL narrows the rows; the exact distance is
    computed for those only. Each result carries `.distance_km` (None without a point)."""
    qs = Practice.objects.all()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(town__icontains=q) | Q(postcode__istartswith=q.strip())
        )
    if species:
        qs = qs.filter(species_treated__slug=species)
    if service:
        qs = qs.filter(services__slug=service)
    if latitude is not None and longitude is not None:
        radius = radius_km or DEFAULT_RADIUS_KM
        min_lat, max_lat, min_lng, max_lng = bounding_box(latitude, longitude, radius)
        qs = qs.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lng,
            longitude__lte=max_lng,
        )
    qs = qs.distinct().prefetch_related("services", "species_treated")
    results: list[Practice] = []
    if latitude is not None and longitude is not None:
        radius = radius_km or DEFAULT_RADIUS_KM
        for practice in qs:
            d = distance_km(latitude, longitude, practice.latitude, practice.longitude)  # type: ignore[arg-type]
            if d <= radius:
                practice.distance_km = round(d, 1)  # type: ignore[attr-defined]
                results.append(practice)
        results.sort(key=lambda p: (p.distance_km, p.name))  # type: ignore[attr-defined]
        return results[:limit]
    for practice in qs[:limit]:
        practice.distance_km = None  # type: ignore[attr-defined]
        results.append(practice)
    return results


def get_practice(pk: object) -> Practice:
    try:
        return Practice.objects.prefetch_related("services", "species_treated").get(pk=pk)  # type: ignore[misc]
    except (Practice.DoesNotExist, ValueError, TypeError):
        raise Http404("No such practice.") from None


# --- the staff member's practice -----------------------------------------------------


def active_memberships(user: User) -> QuerySet[PracticeMembership]:
    if not user.is_authenticated:
        return PracticeMembership.objects.none()
    return PracticeMembership.objects.filter(user=user, left_at__isnull=True).select_related(
        "practice"
    )


# active_memberships(user).get(practice_id=…), compiled once per process (every workspace
# page reads it first; building the query was most of its cost).
_MEMBERSHIP = CompiledQuery(
    lambda user, practice: PracticeMembership.objects.filter(
        user_id=user, practice_id=practice, left_at__isnull=True
    ).select_related("practice"),
    "user",
    "practice",
)
_BIGINT = 2**63


def get_membership(user: User, practice_pk: object, *, admin: bool = False) -> PracticeMembership:
    """The user's active membership of the practice, or 404: someone who is not (or no
    longer) on its staff may not learn anything about its workspace."""
    try:
        key = int(str(practice_pk))
    except ValueError:
        raise Http404("No such practice workspace.") from None
    if not user.is_authenticated or not -_BIGINT <= key < _BIGINT:
        raise Http404("No such practice workspace.")
    # At most one: a person has one active membership of a practice (a unique constraint).
    found = _MEMBERSHIP.all(user=user.pk, practice=key)
    if not found:
        raise Http404("No such practice workspace.")
    membership = found[0]
    membership.user = user
    if admin and not membership.is_practice_admin:
        raise Http404("No such practice workspace.")
    return membership


def get_staff_membership(admin: PracticeMembership, pk: object) -> PracticeMembership:
    try:
        return PracticeMembership.objects.select_related("user").get(
            pk=pk, practice_id=admin.practice_id
        )  # type: ignore[misc]
    except (PracticeMembership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such staff member.") from None


def practice_staff(practice: Practice) -> QuerySet[PracticeMembership]:
    return practice.memberships.select_related("user").order_by("left_at", "user__full_name")


def pending_join_requests(practice: Practice) -> QuerySet[JoinRequest]:
    return practice.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user")


def get_join_request(admin: PracticeMembership, pk: object) -> JoinRequest:
    try:
        return JoinRequest.objects.select_related("user").get(
            pk=pk,  # type: ignore[misc]
            practice_id=admin.practice_id,
        )
    except (JoinRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None


# --- record requests ------------------------------------------------------------


def practice_requests(
    user: User, practice: Practice, *, open_only: bool = False
) -> list[RecordRequest]:
    """Record requests from owners who still share with the practice; reading the queue
    is a look at those owners' names, so each is access-logged."""
    favorites = access.granting_favorites([practice.pk])
    qs = RecordRequest.objects.filter(
        practice=practice, favorite_id__in=favorites.values("pk")
    ).select_related("owner", "favorite")
    if open_only:
        qs = qs.filter(status=RecordRequest.Status.OPEN)
    rows = list(qs)
    _name_clients(practice.pk, rows)
    if rows:
        access.log_list_reads(
            user,
            "record requests",
            favorites.filter(pk__in=[r.favorite_id for r in rows]),
            EmergencyShare.objects.none(),
        )
    return rows


def open_request_count(practice: Practice) -> int:
    favorites = access.granting_favorites([practice.pk])
    return RecordRequest.objects.filter(
        practice=practice,
        favorite_id__in=favorites.values("pk"),
        status=RecordRequest.Status.OPEN,
    ).count()


def get_practice_request(user: User, membership: PracticeMembership, pk: object) -> RecordRequest:
    """A request to this practice whose owner still shares with it, or 404; logged."""
    favorites = access.granting_favorites([membership.practice_id])
    try:
        record_request = (
            RecordRequest.objects.filter(
                practice_id=membership.practice_id, favorite_id__in=favorites.values("pk")
            )
            .select_related("owner", "favorite", "favorite__practice")
            .get(pk=pk)  # type: ignore[misc]
        )
    except (RecordRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None
    access.log_one_read(
        user, record_request.favorite, record_request.owner_id, None, "record request"
    )
    _name_clients(membership.practice_id, [record_request])
    return record_request


def _name_clients(practice_id: int, record_requests: list[RecordRequest]) -> None:
    """Each request's `client_name`: its owner as the practice may see them (§1.7); the
    request's favorite says whether the profile is shared."""
    for r in record_requests:
        r.client_name = access.identity_with(  # type: ignore[attr-defined]
            practice_id, r.owner, profile_shared=r.favorite.share_profile
        ).name


def request_animals(
    user: User, membership: PracticeMembership, record_request: RecordRequest
) -> list[Animal]:
    """The owner's animals the practice may add records to while answering a request."""
    ids = access.animal_ids_visible_to_practices([membership.practice_id])
    return list(_ANIMALS.filter(owner_id=record_request.owner_id, pk__in=ids))


# --- the owner's side ----------------------------------------------------------------


def owner_favorites(owner: User) -> QuerySet[Favorite]:
    return (
        Favorite.objects.filter(owner=owner)
        .select_related("practice")
        .prefetch_related("animals", "requests")
        .order_by("ended_at", "-created_at")
    )


def get_owner_favorite(owner: User, pk: object) -> Favorite:
    try:
        return owner_favorites(owner).get(pk=pk)  # type: ignore[misc]
    except (Favorite.DoesNotExist, ValueError, TypeError):
        raise Http404("No such favorite.") from None


def owner_requests(owner: User) -> QuerySet[RecordRequest]:
    return RecordRequest.objects.filter(owner=owner).select_related("practice")


def owner_shares(owner: User) -> QuerySet[EmergencyShare]:
    return (
        EmergencyShare.objects.filter(owner=owner)
        .select_related("practice", "redeemed_by")
        .prefetch_related("animals")
    )


def get_owner_share(owner: User, pk: object) -> EmergencyShare:
    try:
        return owner_shares(owner).get(pk=pk)  # type: ignore[misc]
    except (EmergencyShare.DoesNotExist, ValueError, TypeError):
        raise Http404("No such share.") from None


def owner_access_log(owner: User) -> QuerySet[AccessRead, dict[str, Any]]:
    """Who looked at my records, as the owner reads it: the reads of one person, through
    one practice and grant, of one view of one animal within the same clock hour make one
    line with how many times and the first and last time (a vet working on a case reads
    the record dozens of times an hour; a line each buried the one that mattered). Grouped
    in SQL, newest first, so paging counts lines. Reads come from both forms of the log
    (AccessRead: a detail page's AccessLog row, a list page's ListAccessLog position)."""
    return (
        AccessRead.objects.of_owner(owner.pk)
        .annotate(
            hour=TruncHour("created_at"),
            viewer_name=Case(
                # A certificate link's reader has no account (the row names the owner).
                When(
                    grant_kind=AccessLogGrant.CERTIFICATE_LINK,
                    then=Value("Someone with your certificate link"),
                ),
                default=Coalesce(
                    NullIf(F("viewer__full_name"), Value("")),
                    F("viewer__email"),
                    output_field=CharField(),
                ),
                output_field=CharField(),
            ),
            # As AccessLog.organisation says it: VetPass itself for reads in the admin.
            organisation_name=Case(
                When(grant_kind=AccessLogGrant.ADMIN, then=Value("VetPass privacy staff")),
                default=F("practice__name"),
                output_field=CharField(),
            ),
        )
        .values(
            "hour",
            "viewer_id",
            "viewer_name",
            "practice_id",
            "practice__name",
            "organisation_name",
            "animal_id",
            "animal__name",
            "view",
            "grant_kind",
            "grant_id",
        )
        .annotate(count=Count("id"), first_at=Min("created_at"), last_at=Max("created_at"))
        .order_by("-last_at", "-hour", "viewer_id", "practice_id", "animal_id", "view", "grant_id")
    )


class SharingFavorite(NamedTuple):
    """A favorite that shares the animal, as the owner's animal page names it."""

    pk: int
    practice_name: str
    some_kinds: bool  # only some kinds of record (Favorite.kinds not empty)
    ends_on: date | None


# Favorite.objects.active() (not ended; its end date, if any, not passed) of the owner,
# covering the animal (all their animals, or this one among those chosen), as one
# hand-written statement: the ORM's building of it cost the page more than running it
# (issue 10). tests/practices/test_owner_sees_sharing.py holds it to the queryset.
_SHARING_FAVORITES_SQL = """
SELECT f.id, p.name, f.kinds, f.ends_on
FROM records_favorite f
JOIN records_practice p ON p.id = f.practice_id
WHERE f.owner_id = %s AND f.ended_at IS NULL AND (f.ends_on IS NULL OR f.ends_on >= %s)
  AND (f.all_animals OR f.id IN (
      SELECT favorite_id FROM records_favorite_animals WHERE animal_id = %s))
ORDER BY f.created_at DESC, f.id DESC
"""


def favorites_sharing_animal(animal: Animal) -> list[SharingFavorite]:
    """The owner's active favorites that include this animal: which practices see it now.
    Shown on the animal's page so the owner never reads "nobody else sees this" while a
    practice does."""
    with prepared_cursor() as cursor:
        cursor.execute(_SHARING_FAVORITES_SQL, [animal.owner_id, timezone.localdate(), animal.pk])
        rows = cursor.fetchall()
    return [
        SharingFavorite(
            pk, name, bool(json.loads(kinds) if isinstance(kinds, str) else kinds), ends_on
        )
        for pk, name, kinds, ends_on in rows
    ]
