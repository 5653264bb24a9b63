"""Reads on the practice side that carry a rule: finding practices, the staff member's
practice (or 404), the workspace's clients and animals (through records.access, which
decides who sees what and writes the access log), the request queue, and what an owner
may look up of their own favorites, requests, shares and access log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncHour
from django.http import Http404

from vetpass.accounts.models import User

from ..models import (
    AccessLogGrant,
    AccessRead,
    Animal,
    EmergencyShare,
    Entry,
    EntryKind,
    Favorite,
    JoinRequest,
    Practice,
    PracticeMembership,
    RecordRequest,
)
from ..selectors import Visibility
from . import access
from .access import ClientIdentity
from .client_keys import ClientCursor, ClientPage
from .postcodes import bounding_box, distance_km

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


def get_membership(user: User, practice_pk: object, *, admin: bool = False) -> PracticeMembership:
    """The user's active membership of the practice, or 404: someone who is not (or no
    longer) on its staff may not learn anything about its workspace."""
    try:
        membership = active_memberships(user).get(practice_id=practice_pk)  # type: ignore[misc]
    except (PracticeMembership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such practice workspace.") from None
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


# --- the workspace -------------------------------------------------------------------


@dataclass
class ClientRow:
    """One client of the practice: one row however many grants (their favorite and any
    emergency shares the practice redeemed), with who they are as the practice may see
    them (access.client_identity) and every animal those grants share."""

    owner: User
    identity: ClientIdentity
    favorite: Favorite | None = None
    shares: list[EmergencyShare] = field(default_factory=list)
    animals: list[Animal] = field(default_factory=list)

    @property
    def grant(self) -> Favorite | EmergencyShare:
        """The grant the list is seen through: the favorite, or the longest share."""
        return self.favorite or self.shares[0]

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def email(self) -> str:
        return self.identity.email

    @property
    def phone(self) -> str:
        return self.identity.phone

    @property
    def profile_shared(self) -> bool:
        return self.identity.profile_shared

    @property
    def is_emergency(self) -> bool:
        """Seen only through an emergency share."""
        return self.favorite is None

    @property
    def emergency_until(self) -> datetime | None:
        return self.shares[0].expires_at if self.shares else None

    @property
    def restricted(self) -> bool:
        return self.owner.is_restricted

    @property
    def grant_kind(self) -> str:
        return AccessLogGrant.EMERGENCY_SHARE if self.is_emergency else AccessLogGrant.FAVORITE

    @property
    def grant_kinds(self) -> list[str]:
        kinds: list[str] = [AccessLogGrant.FAVORITE] if self.favorite else []
        return kinds + ([AccessLogGrant.EMERGENCY_SHARE] if self.shares else [])


_ANIMALS = Animal.objects.select_related("species", "breed").order_by("name", "id")

CLIENTS_PER_PAGE = 50


def _shown_name_matches(q: str) -> Q:
    """On a favorite: the owner's name or email, only where the favorite shares the
    profile — a search must not confirm a name or an address the practice may not see
    (§1.7)."""
    return Q(share_profile=True) & (Q(owner__full_name__icontains=q) | Q(owner__email__icontains=q))


def workspace_client_page(
    practice: Practice,
    *,
    q: str = "",
    cursor: ClientCursor | None = None,
    size: int = CLIENTS_PER_PAGE,
) -> ClientPage:
    """One page of the practice's client list as keys — one per client (owner), however
    many grants (a favorite, live emergency shares) — read by keyset from the cursor (the
    first page without one), with the cursors either side; nothing counts the clients,
    nothing is read or logged beyond the keys until `workspace_client_rows` loads them.
    Clients who share their name with the practice come first, by that name; then those
    who do not, in the order they joined VetPass (their label tells nothing, and sorting
    by a hidden name would hint at it); the owner id breaks ties, so the order is total and
    a page boundary never skips or repeats a client. `q` matches a shared name or email,
    or the name of an animal a grant shares, and nothing a grant hides."""
    favorites = access.granting_favorites([practice.pk])
    shares = access.live_shares([practice.pk])
    q = q.strip()
    if q:
        all_match = Exists(Animal.objects.filter(owner_id=OuterRef("owner_id"), name__icontains=q))
        chosen_match = Exists(
            Favorite.animals.through.objects.filter(
                favorite_id=OuterRef("pk"), animal__name__icontains=q
            )
        )
        favorites = favorites.alias(_all_match=all_match, _chosen_match=chosen_match).filter(
            _shown_name_matches(q)
            | Q(all_animals=True, _all_match=True)
            | Q(all_animals=False, _chosen_match=True)
        )
        shares = shares.filter(
            Exists(
                EmergencyShare.animals.through.objects.filter(
                    emergencyshare_id=OuterRef("pk"), animal__name__icontains=q
                )
            )
        )
    # Driven from the practice's own grants (indexed by practice), not from every account:
    # a practice's list costs what its clients cost, whatever else the database holds.
    # One row per client: an owner has at most one active favorite of a practice, and an
    # owner seen only through emergency shares is one row however many shares.
    # The shown name is stored on the favorite (Favorite.list_name, trigger-kept) and
    # indexed in the list's order: the page is read from the cursor, not sorted from all.
    share_only = shares.exclude(owner_id__in=favorites.values("owner_id"))
    if cursor is not None:
        favorites = favorites.filter(
            cursor.beyond(named="share_profile", sort_name="list_name", owner="owner_id")
        )
        share_cond = cursor.share_only_beyond()
        share_only = share_only.filter(share_cond) if share_cond is not None else shares.none()
    forward = cursor is None or cursor.forward
    order = ("-share_profile", "list_name", "owner_id")
    if not forward:
        order = ("share_profile", "-list_name", "-owner_id")
    by_favorite = favorites.order_by(*order).values(
        owner_ref=F("owner_id"), named=F("share_profile"), sort_name=F("list_name")
    )
    by_share = (
        share_only.order_by("owner_id" if forward else "-owner_id")
        .values_list("owner_id", flat=True)
        .distinct()
    )
    keys = list(by_favorite[: size + 1])
    # The share-only clients sort with the unnamed favorites, by owner id (their keys
    # are all (unnamed, "")): merged here, named clients first.
    named = [k for k in keys if k["named"]]
    unnamed = [k for k in keys if not k["named"]] + [
        {"owner_ref": pk, "named": False, "sort_name": ""} for pk in by_share[: size + 1]
    ]
    unnamed.sort(key=lambda k: k["owner_ref"], reverse=not forward)
    keys = (named + unnamed if forward else unnamed + named)[: size + 1]
    more = len(keys) > size
    keys = keys[:size]
    if not forward:
        if not more:  # back at the start: the first page, full
            return workspace_client_page(practice, q=q, size=size)
        keys.reverse()
    if not keys:
        return ClientPage(keys=[], next=None, previous=None)
    has_next = more if forward else True
    has_previous = cursor is not None if forward else True
    return ClientPage(
        keys=keys,
        next=ClientCursor.after(keys[-1]) if has_next else None,
        previous=ClientCursor.before(keys[0]) if has_previous else None,
    )


def workspace_client_rows(user: User, practice: Practice, keys: Iterable[dict]) -> list[ClientRow]:
    """The clients for one page of `workspace_client_page`, with the animals their grants
    share, in a fixed number of queries; each client shown — and only those — is one
    access-log row (through their favorite, else their share), written set-based."""
    owner_ids = [k["owner_ref"] for k in keys]
    if not owner_ids:
        return []
    # Re-read at the moment of showing: a grant that ended since the keys were read is
    # not shown and not logged.
    favorites = {
        f.owner_id: f
        for f in access.granting_favorites([practice.pk])
        .filter(owner_id__in=owner_ids)
        .select_related("owner")
        .prefetch_related(Prefetch("animals", queryset=_ANIMALS))
    }
    shares: dict[int, list[EmergencyShare]] = {}
    for share in (
        access.live_shares([practice.pk])
        .filter(owner_id__in=owner_ids)
        .select_related("owner")
        .prefetch_related(Prefetch("animals", queryset=_ANIMALS))
        .order_by("-expires_at", "-pk")
    ):
        shares.setdefault(share.owner_id, []).append(share)
    everything: dict[int, list[Animal]] = {}
    all_owner_ids = [f.owner_id for f in favorites.values() if f.all_animals]
    if all_owner_ids:
        for animal in _ANIMALS.filter(owner_id__in=all_owner_ids):
            everything.setdefault(animal.owner_id, []).append(animal)
    rows: list[ClientRow] = []
    for owner_id in owner_ids:
        favorite = favorites.get(owner_id)
        owner_shares = shares.get(owner_id, [])
        if favorite is None and not owner_shares:
            continue
        owner = favorite.owner if favorite else owner_shares[0].owner
        animals: dict[int, Animal] = {}
        if favorite is not None:
            chosen = (
                everything.get(owner_id, []) if favorite.all_animals else favorite.animals.all()
            )
            animals.update((a.pk, a) for a in chosen)
        for share in owner_shares:
            animals.update((a.pk, a) for a in share.animals.all() if a.pk not in animals)
        identity = access.identity_with(
            practice.pk, owner, profile_shared=bool(favorite and favorite.share_profile)
        )
        rows.append(
            ClientRow(
                owner=owner,
                identity=identity,
                favorite=favorite,
                shares=owner_shares,
                animals=sorted(animals.values(), key=lambda a: (a.name, a.pk)),
            )
        )
    if rows:
        shown = [r.favorite.pk for r in rows if r.favorite is not None]
        shown_shares = [r.shares[0].pk for r in rows if r.favorite is None]
        access.log_list_reads(
            user,
            "client list",
            Favorite.objects.filter(pk__in=shown) if shown else Favorite.objects.none(),
            EmergencyShare.objects.filter(pk__in=shown_shares)
            if shown_shares
            else EmergencyShare.objects.none(),
        )
    return rows


def get_workspace_animal(
    user: User, membership: PracticeMembership, pk: object, *, view: str
) -> Visibility:
    """The animal as this practice may see it, or 404; the read is access-logged."""
    try:
        animal = Animal.objects.select_related("species", "breed", "owner").get(pk=pk)  # type: ignore[misc]
    except (Animal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such animal.") from None
    vis = access.practice_visibility(user, animal, membership.practice)
    if vis is None:
        raise Http404("No such animal.")
    access.log_read(user, vis, view)
    return vis


def vcpr_date(practice: Practice, animal: Animal) -> date | None:
    """The veterinary-client-patient relationship dates from the practice's latest
    clinical examination of the animal."""
    return Entry.objects.filter(
        animal=animal, practice=practice, kind=EntryKind.EXAMINATION
    ).aggregate(latest=Max("occurred_on"))["latest"]


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


def client_identity(practice: Practice, owner: User) -> ClientIdentity:
    """Who the owner is, as this practice may see them (access.client_identity)."""
    return access.client_identity(practice.pk, owner)


def workspace_client_identity(practice: Practice, vis: Visibility) -> ClientIdentity:
    """Who owns the animal, as this practice may see them, when the visibility is already
    read: seen through the practice's own favorite, that favorite says whether the profile
    is shared (no second read of the grants); through an emergency share, the practice may
    still hold a favorite that shares the profile but not this animal, so it is asked."""
    via = vis.via
    if isinstance(via, Favorite) and via.practice_id == practice.pk:
        return access.identity_with(practice.pk, vis.animal.owner, profile_shared=via.share_profile)
    return access.client_identity(practice.pk, vis.animal.owner)


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


def favorites_sharing_animal(animal: Animal) -> QuerySet[Favorite]:
    """The owner's active favorites that include this animal: which practices see it now.
    Shown on the animal's page so the owner never reads "nobody else sees this" while a
    practice does."""
    return (
        Favorite.objects.active()
        .filter(owner_id=animal.owner_id)
        .filter(Q(all_animals=True) | Q(animals=animal))
        .select_related("practice")
        .distinct()
    )
