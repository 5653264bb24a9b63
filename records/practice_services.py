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
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consent.models import Action, ConsentEvent
from consent.services import consent_grant, consent_withdraw
from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from .access import SHARING_PURPOSE, sharing_scope
from .models import (
    Animal,
    ClientRegistration,
    EmergencyShare,
    Entry,
    EntryKind,
    EntrySource,
    Favorite,
    JoinRequest,
    Practice,
    PracticeMembership,
    RecordRequest,
    StaffRole,
)
from .practice_import import ImportResult, records_import
from .selectors import Visibility
from .services import entry_create

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
PRACTICE_FIELDS = (
    "name",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "email",
    "participates",
    "subscription_starts_on",
    "subscription_ends_on",
)


# --- the practice profile ------------------------------------------------------------


@transaction.atomic
def practice_update(
    *,
    practice: Practice,
    species: Iterable[Any] | None = None,
    services: Iterable[Any] | None = None,
    **data: Any,
) -> Practice:
    unknown = set(data) - set(PRACTICE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    for name, value in data.items():
        setattr(practice, name, value)
    if (
        "postcode" in data
        and practice.postcode
        and "latitude" not in data
        and (practice.latitude is None or practice.longitude is None)
    ):
        from .postcodes import coordinates_for

        coords = coordinates_for(practice.postcode)
        if coords:
            practice.latitude, practice.longitude = coords
    errors: dict[str, list[str]] = {}
    try:
        practice.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    starts, ends = practice.subscription_starts_on, practice.subscription_ends_on
    if starts and ends and ends < starts:
        errors.setdefault("subscription_ends_on", []).append(
            "The subscription must end after it starts."
        )
    if (practice.latitude is None) != (practice.longitude is None):
        errors.setdefault("longitude", []).append("Give both latitude and longitude, or neither.")
    if errors:
        raise ValidationError(errors)
    practice.save()
    if species is not None:
        practice.species_treated.set(species)
    if services is not None:
        practice.services.set(services)
    return practice


# --- staff ---------------------------------------------------------------------------


def set_password_url(user: User) -> str:
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return settings.SITE_URL + path


@transaction.atomic
def staff_create(
    *,
    practice: Practice,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    job_title: str = "",
    is_practice_admin: bool = False,
) -> PracticeMembership:
    """The practice administrator creates a staff account; the new member is emailed a
    link to set their password (allauth's password-reset key)."""
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter the staff member's email address."
    elif User.objects.filter(email=email).exists():
        errors["email"] = (
            "This person already has a VetPass account: ask them to request to join "
            "the practice from their workspace."
        )
    if not (full_name or "").strip():
        errors["full_name"] = "Enter the staff member's full name."
    if role not in StaffRole.values:
        errors["role"] = "Choose a role."
    if errors:
        raise ValidationError(errors)
    user = User(email=email, full_name=full_name.strip())
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    user.save()
    # The set-password link proves the address, so it is verified from the start.
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    membership = PracticeMembership.objects.create(
        practice=practice,
        user=user,
        role=role,
        job_title=job_title,
        is_practice_admin=is_practice_admin,
    )
    transaction.on_commit(lambda: staff_welcome_send(membership_id=membership.pk))
    return membership


def staff_welcome_send(*, membership_id: int) -> None:
    membership = PracticeMembership.objects.select_related("user", "practice").get(pk=membership_id)
    send_mail(
        subject=f"[VetPass] Your account at {membership.practice.name}",
        message=(
            f"Hello {membership.user.display_name},\n\n{membership.practice.name} has created "
            f"a VetPass account for you as {membership.get_role_display().lower()}.\n\n"
            f"Choose your password here: {set_password_url(membership.user)}\n\n"
            "If you did not expect this email you can ignore it."
        ),
        from_email=None,
        recipient_list=[membership.user.email],
    )


@transaction.atomic
def staff_update(
    *,
    membership: PracticeMembership,
    actor: User,
    full_name: str | None = None,
    role: str | None = None,
    job_title: str | None = None,
    is_practice_admin: bool | None = None,
) -> PracticeMembership:
    if role is not None:
        if role not in StaffRole.values:
            raise ValidationError({"role": "Choose a role."})
        membership.role = role
    if job_title is not None:
        membership.job_title = job_title
    if is_practice_admin is not None:
        if not is_practice_admin and membership.user_id == actor.pk:
            raise ValidationError(
                {"is_practice_admin": "You cannot remove your own administrator role."}
            )
        membership.is_practice_admin = is_practice_admin
    membership.save()
    if full_name is not None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the staff member's full name."})
        User.objects.filter(pk=membership.user_id).update(full_name=full_name.strip())
    return membership


@transaction.atomic
def membership_leave(*, membership: PracticeMembership) -> PracticeMembership:
    """Leave a practice (or be removed by its administrator): access ends at once.

    A practice keeps at least one administrator: otherwise nobody could add staff or answer
    a join request, and its clients' data would have no one to look after it."""
    membership = PracticeMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_at is None and membership.is_practice_admin:
        others = (
            PracticeMembership.objects.select_for_update()
            .filter(
                practice_id=membership.practice_id, is_practice_admin=True, left_at__isnull=True
            )
            .exclude(pk=membership.pk)
        )
        if not others.exists():
            raise ValidationError(
                "The practice needs another administrator before this one can leave: make "
                "another member an administrator first."
            )
    if membership.left_at is None:
        membership.left_at = timezone.now()
        membership.save(update_fields=["left_at"])
    return membership


@transaction.atomic
def join_request_create(
    *, user: User, practice: Practice, role: str, message: str = ""
) -> JoinRequest:
    errors: dict[str, str] = {}
    if role not in StaffRole.values:
        errors["role"] = "Choose a role."
    if PracticeMembership.objects.filter(
        user=user, practice=practice, left_at__isnull=True
    ).exists():
        errors["practice"] = "You are already on the staff of this practice."
    elif JoinRequest.objects.filter(
        user=user, practice=practice, status=JoinRequest.Status.PENDING
    ).exists():
        errors["practice"] = "You have already asked to join this practice."
    if errors:
        raise ValidationError(errors)
    return JoinRequest.objects.create(user=user, practice=practice, role=role, message=message)


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, actor: User, approve: bool) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has already been answered.")
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save()
    if (
        approve
        and not PracticeMembership.objects.filter(
            user_id=join_request.user_id, practice_id=join_request.practice_id, left_at__isnull=True
        ).exists()
    ):
        PracticeMembership.objects.create(
            practice_id=join_request.practice_id,
            user_id=join_request.user_id,
            role=join_request.role,
        )
    return join_request


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


def _scope_errors(
    *,
    owner: User,
    all_animals: bool,
    animals: list[Animal],
    kinds: list[str],
    ends_on: date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not all_animals and not animals:
        errors["animals"] = "Choose at least one animal, or share all your animals."
    if any(a.owner_id != owner.pk for a in animals):
        errors["animals"] = "Choose from your own animals."
    unknown = [k for k in kinds if k not in EntryKind.values]
    if unknown:
        errors["kinds"] = f"Unknown kind of record: {', '.join(unknown)}."
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
    kinds: Iterable[str] = (),
    ends_on: date | None = None,
    already_client: bool = False,
    channel: str = "web",
) -> Favorite:
    animals = list(animals)
    kinds = sorted(set(kinds))
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
            owner=owner, all_animals=all_animals, animals=animals, kinds=kinds, ends_on=ends_on
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
    errors = _scope_errors(
        owner=favorite.owner,
        all_animals=all_animals,
        animals=animals,
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


# --- record requests -----------------------------------------------------------------


@transaction.atomic
def record_request_answer(
    *, record_request: RecordRequest, actor: User, note: str = "", entries_added: int = 0
) -> RecordRequest:
    if record_request.status == RecordRequest.Status.CLOSED:
        raise ValidationError("This request was closed by the owner.")
    record_request.status = RecordRequest.Status.ANSWERED
    record_request.answered_at = timezone.now()
    record_request.answered_by = actor
    if note:
        record_request.note = note
    record_request.entries_added += entries_added
    record_request.save()
    return record_request


@transaction.atomic
def record_request_import(
    *,
    record_request: RecordRequest,
    membership: PracticeMembership,
    content: bytes,
    filename: str,
    dry_run: bool,
) -> ImportResult:
    """Answer a request with a file of records: checked first, imported only when clean,
    and the request marked answered in the same transaction."""
    from .practice_selectors import request_animals

    animals = request_animals(membership.user, membership, record_request)
    result = records_import(
        content=content,
        filename=filename,
        animals=animals,
        practice=membership.practice,
        author=membership.user,
        dry_run=dry_run,
    )
    if result.imported:
        record_request_answer(
            record_request=record_request,
            actor=membership.user,
            entries_added=result.imported,
        )
    return result


# --- emergency shares ----------------------------------------------------------------


@transaction.atomic
def emergency_share_create(
    *,
    owner: User,
    animals: Iterable[Animal],
    hours: int | None = None,
    practice: Practice | None = None,
) -> EmergencyShare:
    """A time-limited share for a practice the owner has not favorited: 72 hours unless
    the owner says otherwise, at most 30 days."""
    animals = list(animals)
    now = timezone.now()
    errors: dict[str, str] = {}
    if hours is None:
        expires_at = now + settings.EMERGENCY_SHARE_DEFAULT
    elif not 1 <= hours <= settings.EMERGENCY_SHARE_MAX_HOURS:
        errors["hours"] = (
            f"Choose between 1 and {settings.EMERGENCY_SHARE_MAX_HOURS} hours "
            f"({settings.EMERGENCY_SHARE_MAX_HOURS // 24} days)."
        )
        expires_at = now
    else:
        expires_at = now + timedelta(hours=hours)
    if owner.is_restricted:
        errors["animals"] = "Your account is restricted: no new sharing can start."
    if not animals:
        errors["animals"] = "Choose at least one animal."
    elif any(a.owner_id != owner.pk for a in animals):
        errors["animals"] = "Choose from your own animals."
    if errors:
        raise ValidationError(errors)
    share = EmergencyShare.objects.create(owner=owner, practice=practice, expires_at=expires_at)
    share.animals.set(animals)
    activity_record(user=owner, kind=ActivityKind.FAVORITE)
    return share


@transaction.atomic
def emergency_share_redeem(*, code: str, user: User, practice: Practice) -> EmergencyShare:
    """Staff of a practice enter the owner's code; the practice sees the animals until the
    share expires, and the owner is told."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    share = EmergencyShare.objects.select_for_update().filter(code=code).first()
    invalid = ValidationError({"code": "This code is not valid, has expired or was revoked."})
    if share is None or not share.is_live:
        raise invalid
    if share.practice_id is not None and share.practice_id != practice.pk:
        raise invalid
    if not PracticeMembership.objects.filter(
        user=user, practice=practice, left_at__isnull=True
    ).exists():
        raise invalid
    first_use = share.redeemed_at is None
    share.practice = practice
    share.redeemed_at = share.redeemed_at or timezone.now()
    share.redeemed_by = share.redeemed_by or user
    share.save(update_fields=["practice", "redeemed_at", "redeemed_by"])
    if first_use:
        transaction.on_commit(lambda: emergency_share_used_send(share_id=share.pk))
    return share


def emergency_share_used_send(*, share_id: int) -> None:
    share = EmergencyShare.objects.select_related("owner", "practice", "redeemed_by").get(
        pk=share_id
    )
    names = ", ".join(a.name for a in share.animals.all())
    url = settings.SITE_URL + reverse("practices:emergency_shares")
    until = f"{timezone.localtime(share.expires_at):%H:%M on %d %B %Y}"
    send_mail(
        subject="[VetPass] Your emergency share was used",
        message=(
            f"{share.redeemed_by} at {share.practice} used your emergency share for {names} "
            f"at {timezone.localtime(share.redeemed_at):%H:%M on %d %B %Y}.\n\n"
            f"They can see these records until {until}. "
            f"You can revoke the share at any time: {url}"
        ),
        from_email=None,
        recipient_list=[share.owner.email],
    )


@transaction.atomic
def emergency_share_revoke(*, share: EmergencyShare) -> EmergencyShare:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share


# --- the workspace: entries by staff -------------------------------------------------


def _practice_of(vis: Visibility) -> Practice:
    practice = getattr(vis.via, "practice", None)
    if practice is None:
        raise ValidationError("Only practice staff add entries here.")
    return practice


@transaction.atomic
def clinical_entry_create(*, vis: Visibility, author: User, **data: Any) -> Entry:
    """A clinical entry written by practice staff (source "practice"). An examination's
    date establishes the VCPR for the animal. A restricted owner's records are read-only."""
    if vis.animal.owner.is_restricted:
        raise ValidationError(
            "This owner's records are restricted while a data-protection request is handled: "
            "they are read-only."
        )
    return entry_create(
        animal=vis.animal,
        author=author,
        source=EntrySource.PRACTICE,
        practice=_practice_of(vis),
        **data,
    )
