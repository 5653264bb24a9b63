"""Reads of the vet workspace that carry a rule: the practice's client list (keyset pages
of its clients, each with the animals their grants share) and the vet's animal page
(the animal as the practice may see it, who its owner is to the practice, the VCPR
date), through records.practices.access, which decides who sees what and writes the
access log. Split from selectors.py by topic; selectors.py re-exports these names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, F, Max, OuterRef, Q
from django.http import Http404

from vetpass.accounts.models import User

from ..models import (
    AccessLogGrant,
    Animal,
    EmergencyShare,
    Entry,
    EntryKind,
    Favorite,
    Practice,
    PracticeMembership,
)
from ..selectors import EntryRow, Visibility, entry_rows, read_animal
from . import access
from .access import ClientIdentity
from .client_keys import ClientCursor, ClientPage


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


def _granted_animals(
    favorites: dict[int, Favorite], shares: dict[int, list[EmergencyShare]]
) -> dict[int, dict[int, Animal]]:
    """For each client (owner id), the animals their grants share, by id: every animal of
    an owner whose favorite shares all of them, the animals a favorite names, and those of
    each emergency share. The link tables are read (as ids) only for grants that name
    animals, then the animals in one query — not a query per kind of grant."""
    named: list[tuple[int, int]] = []  # (owner id, animal id)
    choosing = {f.pk: f.owner_id for f in favorites.values() if not f.all_animals}
    if choosing:
        named += [
            (choosing[favorite_id], animal_id)
            for favorite_id, animal_id in Favorite.animals.through.objects.filter(
                favorite_id__in=list(choosing)
            ).values_list("favorite_id", "animal_id")
        ]
    sharing = {s.pk: s.owner_id for owner_shares in shares.values() for s in owner_shares}
    if sharing:
        named += [
            (sharing[share_id], animal_id)
            for share_id, animal_id in EmergencyShare.animals.through.objects.filter(
                emergencyshare_id__in=list(sharing)
            ).values_list("emergencyshare_id", "animal_id")
        ]
    everything = {f.owner_id for f in favorites.values() if f.all_animals}
    named_ids = {animal_id for _, animal_id in named}
    condition = Q()
    if everything:
        condition |= Q(owner_id__in=everything)
    if named_ids:
        condition |= Q(pk__in=named_ids)
    if not condition:
        return {}
    found: dict[int, dict[int, Animal]] = {}
    by_id: dict[int, Animal] = {}
    for animal in _ANIMALS.filter(condition):
        by_id[animal.pk] = animal
        if animal.owner_id in everything:
            found.setdefault(animal.owner_id, {})[animal.pk] = animal
    for owner_id, animal_id in named:
        if animal_id in by_id:
            found.setdefault(owner_id, {})[animal_id] = by_id[animal_id]
    return found


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
    }
    shares: dict[int, list[EmergencyShare]] = {}
    for share in (
        access.live_shares([practice.pk])
        .filter(owner_id__in=owner_ids)
        .select_related("owner")
        .order_by("-expires_at", "-pk")
    ):
        shares.setdefault(share.owner_id, []).append(share)
    animals_by_owner = _granted_animals(favorites, shares)
    rows: list[ClientRow] = []
    for owner_id in owner_ids:
        favorite = favorites.get(owner_id)
        owner_shares = shares.get(owner_id, [])
        if favorite is None and not owner_shares:
            continue
        owner = favorite.owner if favorite else owner_shares[0].owner
        animals = animals_by_owner.get(owner_id, {})
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


def _workspace_look(user: User, membership: PracticeMembership, pk: object) -> Visibility:
    """The animal as this practice may see it, or 404 (not yet logged)."""
    animal = read_animal(pk)
    vis = access.practice_visibility(user, animal, membership.practice, membership=membership)
    if vis is None:
        raise Http404("No such animal.")
    return vis


def get_workspace_animal(
    user: User, membership: PracticeMembership, pk: object, *, view: str
) -> Visibility:
    """The animal as this practice may see it, or 404; the read is access-logged."""
    vis = _workspace_look(user, membership, pk)
    access.log_read(user, vis, view)
    return vis


def workspace_animal_page(
    user: User, membership: PracticeMembership, pk: object, *, view: str
) -> tuple[Visibility, list[EntryRow]]:
    """The vet's animal page: the animal as this practice may see it (or 404) and the
    entries this look may see (entry_rows, the rule), newest first, the read's access-log
    row written by the statement that reads the entries."""
    vis = _workspace_look(user, membership, pk)
    return vis, entry_rows(vis, log=access.read_log_row(user, vis, view))


def workspace_vcpr_date(
    practice: Practice, vis: Visibility, entries: list[EntryRow]
) -> date | None:
    """vcpr_date from the page's entries when they hold every examination this practice
    wrote (a look through the practice's own grant always sees its own entries), without
    a query; asked of the database otherwise."""
    if vis.kinds is not None and practice.pk not in vis.practice_ids:
        return vcpr_date(practice, vis.animal)
    return max(
        (
            e.occurred_on
            for e in entries
            if e.kind == EntryKind.EXAMINATION and e.practice_id == practice.pk
        ),
        default=None,
    )


def vcpr_date(practice: Practice, animal: Animal) -> date | None:
    """The veterinary-client-patient relationship dates from the practice's latest
    clinical examination of the animal."""
    return Entry.objects.filter(
        animal=animal, practice=practice, kind=EntryKind.EXAMINATION
    ).aggregate(latest=Max("occurred_on"))["latest"]


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
