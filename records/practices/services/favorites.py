"""Writes on the practice side: practice profile, staff, favorites (consent = access),
record requests, emergency shares and clinical entries from the workspace.

Favoriting follows the VETPASS policy sentence "favoriting a practice registers you with
it, shares your details and your animals' records with it, and — when you are already a
client — asks it for the records it holds; un-favoriting stops the flow". The ledger
grant, the client registration and the favorite (the access) are written in one
transaction, and ended in one transaction, so none can exist without the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consent.models import Action, ConsentEvent
from consent.services import consent_grant, consent_withdraw
from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from ...models import (
    Animal,
    ClientRegistration,
    EntryKind,
    Favorite,
    Practice,
    RecordRequest,
)
from ..access import SHARING_PURPOSE, sharing_scope

# What the owner is told, on the favorite form and again before un-favoriting.
CLINICAL_RECORD_NOTICE = (
    "When you stop sharing, the practice can no longer see your records on VetPass. "
    "It keeps, as its own clinical record, what its staff wrote and the notes of any "
    "examination or treatment it gave your animals, as veterinary practices must by law; "
    "it does not keep a copy of the records you shared from VetPass."
)
FAVORITE_WORDING = (
    "I favorite {practice}: register me as a client, and share with its staff my "
    "{what}. I can stop sharing at any time."
)

# --- favorites: consent = registration = access ---------------------------------------


def _favorite_wording(
    practice: Practice,
    *,
    share_profile: bool,
    all_animals: bool,
    animals: list[Animal],
    kinds: list[str],
    ends_on: date | None,
) -> str:
    what = []
    if share_profile:
        what.append("name and contact details")
    which = "all my animals" if all_animals else ", ".join(a.name for a in animals)
    labels = dict(EntryKind.choices)
    kind_text = "all records" if not kinds else " and ".join(labels[k].lower() for k in kinds)
    what.append(f"{kind_text} of {which}")
    text = FAVORITE_WORDING.format(practice=practice.name, what=", and ".join(what))
    if ends_on:
        text += f" Sharing ends on {ends_on:%d %B %Y}."
    return text


def _registration_for(owner: User, practice: Practice) -> ClientRegistration:
    registration = ClientRegistration.objects.filter(
        owner=owner, practice=practice, ended_at__isnull=True
    ).first()
    return registration or ClientRegistration.objects.create(owner=owner, practice=practice)


def _all_kinds(all_kinds: bool | None, kinds: list[str]) -> bool:
    """The web form and the API always say whether every kind is shared (all_kinds); code
    that leaves it out (the demo, imports) shares every kind only when it lists none."""
    return not kinds if all_kinds is None else all_kinds


def _scope_errors(
    *,
    owner: User,
    all_animals: bool,
    animals: list[Animal],
    all_kinds: bool,
    kinds: list[str],
    ends_on: date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not all_animals and not animals:
        errors["animals"] = "Choose at least one animal, or share all your animals."
    if any(a.owner_id != owner.pk for a in animals):
        errors["animals"] = "Choose from your own animals."
    unknown = [k for k in kinds if k not in EntryKind.values]
    # The widest share (every kind) is only ever an explicit choice: "only these" with
    # nothing ticked is a mistake to point out, never a silent "all".
    if unknown:
        errors["kinds"] = f"Unknown kind of record: {', '.join(unknown)}."
    elif all_kinds and kinds:
        errors["kinds"] = "Share all kinds of record, or only the kinds you list: not both."
    elif not all_kinds and not kinds:
        errors["kinds"] = "Choose at least one kind of record, or share all kinds."
    if ends_on is not None and ends_on < timezone.localdate():
        errors["ends_on"] = "The end date must be today or later."
    return errors


@transaction.atomic
def favorite_create(
    *,
    owner: User,
    practice: Practice,
    share_profile: bool = True,
    all_animals: bool = True,
    animals: Iterable[Animal] = (),
    all_kinds: bool | None = None,
    kinds: Iterable[str] = (),
    ends_on: date | None = None,
    already_client: bool = False,
    channel: str = "web",
) -> Favorite:
    animals = list(animals)
    kinds = sorted(set(kinds))
    all_kinds = _all_kinds(all_kinds, kinds)
    errors: dict[str, str] = {}
    if owner.is_restricted:
        errors["practice"] = (
            "Your account is restricted while a data-protection request is handled, so "
            "no new sharing can start."
        )
    elif not practice.participates:
        errors["practice"] = "This practice does not take part in VetPass yet."
    elif Favorite.objects.filter(owner=owner, practice=practice, ended_at__isnull=True).exists():
        errors["practice"] = "You already share your records with this practice."
    errors.update(
        _scope_errors(
            owner=owner,
            all_animals=all_animals,
            animals=animals,
            all_kinds=all_kinds,
            kinds=kinds,
            ends_on=ends_on,
        )
    )
    if errors:
        raise ValidationError(errors)

    wording = _favorite_wording(
        practice,
        share_profile=share_profile,
        all_animals=all_animals,
        animals=animals,
        kinds=kinds,
        ends_on=ends_on,
    )
    consent_grant(
        subject=owner,
        purpose=SHARING_PURPOSE,
        scope=sharing_scope(practice),
        channel=channel,
        wording=wording,
    )
    registration = _registration_for(owner, practice)
    favorite = Favorite.objects.create(
        owner=owner,
        practice=practice,
        registration=registration,
        share_profile=share_profile,
        all_animals=all_animals,
        kinds=kinds,
        ends_on=ends_on,
        already_client=already_client,
    )
    if not all_animals:
        favorite.animals.set(animals)
    if already_client:
        RecordRequest.objects.create(favorite=favorite, practice=practice, owner=owner)
    activity_record(user=owner, kind=ActivityKind.FAVORITE)
    return favorite


@transaction.atomic
def favorite_update(
    *,
    favorite: Favorite,
    share_profile: bool,
    all_animals: bool,
    animals: Iterable[Animal] = (),
    all_kinds: bool | None = None,
    kinds: Iterable[str] = (),
    ends_on: date | None = None,
    channel: str = "web",
) -> Favorite:
    """Change what a favorited practice may see. The ledger gets a new grant event whose
    wording states the new scope, so the ledger always says what was agreed and when."""
    favorite = (
        Favorite.objects.select_for_update().select_related("practice", "owner").get(pk=favorite.pk)
    )
    if favorite.ended_at is not None:
        raise ValidationError("You no longer share your records with this practice.")
    if favorite.owner.is_restricted:
        raise ValidationError(
            "Your account is restricted while a data-protection request is handled, so what "
            "you share cannot change now. You can still stop sharing."
        )
    animals = list(animals)
    kinds = sorted(set(kinds))
    all_kinds = _all_kinds(all_kinds, kinds)
    errors = _scope_errors(
        owner=favorite.owner,
        all_animals=all_animals,
        animals=animals,
        all_kinds=all_kinds,
        kinds=kinds,
        ends_on=ends_on,
    )
    if errors:
        raise ValidationError(errors)
    consent_grant(
        subject=favorite.owner,
        purpose=SHARING_PURPOSE,
        scope=sharing_scope(favorite.practice),
        channel=channel,
        wording=_favorite_wording(
            favorite.practice,
            share_profile=share_profile,
            all_animals=all_animals,
            animals=animals,
            kinds=kinds,
            ends_on=ends_on,
        ),
    )
    favorite.share_profile = share_profile
    favorite.all_animals = all_animals
    favorite.kinds = kinds
    favorite.ends_on = ends_on
    favorite.save(update_fields=["share_profile", "all_animals", "kinds", "ends_on"])
    favorite.animals.set([] if all_animals else animals)
    activity_record(user=favorite.owner, kind=ActivityKind.FAVORITE)
    return favorite


@transaction.atomic
def favorite_delete(*, favorite: Favorite, channel: str = "web") -> Favorite:
    """Un-favorite: the withdraw event, the end of the registration and of the access, in
    one transaction. The practice keeps its own clinical record (CLINICAL_RECORD_NOTICE)."""
    favorite = Favorite.objects.select_for_update().select_related("practice").get(pk=favorite.pk)
    if favorite.ended_at is not None:
        return favorite
    consent_withdraw(
        subject=favorite.owner,
        purpose=SHARING_PURPOSE,
        scope=sharing_scope(favorite.practice),
        channel=channel,
        wording=f"I stop sharing my records with {favorite.practice.name}.",
    )
    # The withdraw event above has already ended the favorite (favorite_end_on_withdrawal).
    favorite.refresh_from_db(fields=["ended_at"])
    activity_record(user=favorite.owner, kind=ActivityKind.FAVORITE)
    return favorite


def _favorite_end(favorite: Favorite, now: datetime) -> None:
    Favorite.objects.filter(pk=favorite.pk, ended_at__isnull=True).update(ended_at=now)
    ClientRegistration.objects.filter(pk=favorite.registration_id, ended_at__isnull=True).update(
        ended_at=now
    )
    RecordRequest.objects.filter(favorite=favorite, status=RecordRequest.Status.OPEN).update(
        status=RecordRequest.Status.CLOSED
    )


def favorite_end_on_withdrawal(*, event: ConsentEvent) -> None:
    """The ledger is the grant: when practice sharing is withdrawn or objected to, by any
    route, the favorite, the registration and the open requests end in the same
    transaction as the event (connected to consent.dispatch.consent_recorded)."""
    if (
        event.purpose is None
        or event.purpose.code != SHARING_PURPOSE
        or event.action not in (Action.WITHDRAW, Action.OBJECT)
        or event.subject_user_id is None
        or not event.scope.startswith("practice:")
    ):
        return
    practice_id = event.scope.split(":", 1)[1]
    if not practice_id.isdigit():
        return
    favorites = Favorite.objects.select_for_update().filter(
        owner_id=event.subject_user_id, practice_id=int(practice_id), ended_at__isnull=True
    )
    for favorite in favorites:
        _favorite_end(favorite, event.created_at)
