"""Writes on animals, herds, entries and co-owner invitations. The web views, the API and
the admin call these; each validates the whole object first, so bad input is refused with
field errors and nothing is half-saved."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, ProtectedError
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from .models import Animal, AnimalAccess, CoOwnerInvitation, Entry, EntryKind, EntrySource
from .models.entries import KIND_FIELDS

ANIMAL_FIELDS = (
    "name",
    "species",
    "breed",
    "sex",
    "neutered",
    "date_of_birth",
    "colour",
    "microchip",
    "photo",
    "deceased",
    "deceased_on",
    "is_group",
    "head_count",
    "group",
)
ENTRY_COMMON_FIELDS = ("kind", "occurred_on", "title", "notes")
# A clinical examination establishes the veterinary-client-patient relationship: only a
# practice records one (the workspace, or a practice's import).
PRACTICE_ONLY_KINDS = frozenset({EntryKind.EXAMINATION})
RESTRICTED_NO_NEW_SHARING = (
    "Your account is restricted while a data-protection request is handled, so no new "
    "sharing can start."
)


def _apply(obj: Any, allowed: tuple[str, ...], data: dict[str, Any]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    for name, value in data.items():
        setattr(obj, name, value)


@transaction.atomic
def animal_create(*, owner: User, **data: Any) -> Animal:
    animal = Animal(owner=owner)
    _apply(animal, ANIMAL_FIELDS, data)
    animal.full_clean()
    animal.save()
    activity_record(user=owner, kind=ActivityKind.RECORD_CHANGE)
    return animal


@transaction.atomic
def animal_update(*, animal: Animal, actor: User, **data: Any) -> Animal:
    _apply(animal, ANIMAL_FIELDS, data)
    animal.full_clean()
    animal.save()
    activity_record(user=actor, kind=ActivityKind.RECORD_CHANGE)
    return animal


@transaction.atomic
def animal_move_to_group(*, animal: Animal, group: Animal | None, actor: User) -> Animal:
    """Move an animal into a herd/group, or out of one (group=None); head counts follow.
    Only the owner arranges their herds: a co-owner, even with edit rights, is refused
    (the web form never offers them the choice; the API answers 404 like the web)."""
    if actor.pk != animal.owner_id:
        raise PermissionDenied("Only the owner moves an animal into or out of a herd.")
    old = animal.group
    animal.group = group
    animal.full_clean()
    animal.save(update_fields=["group", "updated_at"])
    if old is not None and old != group and old.head_count and old.head_count > 1:
        Animal.objects.filter(pk=old.pk).update(head_count=old.head_count - 1)
    if group is not None and old != group:
        Animal.objects.filter(pk=group.pk).update(head_count=(group.head_count or 0) + 1)
    activity_record(user=actor, kind=ActivityKind.RECORD_CHANGE)
    return animal


@transaction.atomic
def animal_delete(*, animal: Animal, actor: User) -> None:
    """The owner deletes an animal (or herd) with its records; files go after commit.

    The access log keeps its rows (it never cascades): the owner can still see who looked."""
    files = [e.document for e in animal.entries.exclude(document="")]
    if animal.photo:
        files.append(animal.photo)
    if animal.group_id:
        Animal.objects.filter(pk=animal.group_id, head_count__gt=1).update(
            head_count=F("head_count") - 1
        )
    try:
        with transaction.atomic():
            animal.delete()
    except ProtectedError:
        # A legal hold on this animal (placed by VetPass's privacy team for a claim or an
        # investigation) keeps it and its records until the hold is lifted.
        raise ValidationError(
            {
                "animal": f"{animal.name}'s records are kept for a legal reason for now, so they "
                "cannot be deleted. Ask VetPass's privacy team (the privacy centre) for details."
            }
        ) from None
    for file in files:
        transaction.on_commit(partial(file.storage.delete, file.name))
    activity_record(user=actor, kind=ActivityKind.RECORD_CHANGE)


def _clear_other_kind_fields(entry: Entry) -> None:
    keep = set(KIND_FIELDS.get(entry.kind, ()))
    for fields in KIND_FIELDS.values():
        for name in fields:
            if name not in keep:
                field = entry._meta.get_field(name)
                setattr(entry, name, None if getattr(field, "null", False) else "")


@transaction.atomic
def entry_create(
    *,
    animal: Animal,
    author: User,
    source: str = EntrySource.OWNER,
    practice: Any = None,
    **data: Any,
) -> Entry:
    entry = Entry(animal=animal, author=author, source=source, practice=practice)
    if data.get("kind") in PRACTICE_ONLY_KINDS and source == EntrySource.OWNER:
        raise ValidationError({"kind": "Only a practice records a clinical examination."})
    allowed = ENTRY_COMMON_FIELDS + tuple(f for fs in KIND_FIELDS.values() for f in fs)
    _apply(entry, allowed, data)
    _clear_other_kind_fields(entry)
    entry.full_clean()
    entry.save()
    activity_record(user=author, kind=ActivityKind.RECORD_CHANGE)
    return entry


def entry_check_change(*, entry: Entry, actor: User) -> None:
    """An entry a practice wrote (or imported) is the practice's clinical record: the
    owner's side reads it and never changes or deletes it. Raises PermissionDenied; the
    doors answer 404, as the web always did (records.selectors.get_entry_for_user)."""
    if entry.source != EntrySource.OWNER:
        raise PermissionDenied("An entry a practice wrote can be read, not changed.")


@transaction.atomic
def entry_update(*, entry: Entry, actor: User, **data: Any) -> Entry:
    entry_check_change(entry=entry, actor=actor)
    data.pop("kind", None)  # the kind of an entry never changes; add a new entry instead
    allowed = ENTRY_COMMON_FIELDS + tuple(KIND_FIELDS.get(entry.kind, ()))
    _apply(entry, allowed, data)
    entry.full_clean()
    entry.save()
    activity_record(user=actor, kind=ActivityKind.RECORD_CHANGE)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry, actor: User) -> None:
    entry_check_change(entry=entry, actor=actor)
    if entry.document:
        name, storage = entry.document.name, entry.document.storage
        transaction.on_commit(lambda: storage.delete(name))
    entry.delete()
    activity_record(user=actor, kind=ActivityKind.RECORD_CHANGE)


@transaction.atomic
def invitation_create(
    *, animal: Animal, invited_by: User, email: str, permission: str
) -> CoOwnerInvitation:
    if invited_by.is_restricted or animal.owner.is_restricted:
        raise ValidationError(RESTRICTED_NO_NEW_SHARING)
    email = (email or "").strip().lower()
    if email == invited_by.email:
        raise ValidationError({"email": "You already own this animal."})
    if AnimalAccess.objects.filter(animal=animal, user__email=email).exists():
        raise ValidationError({"email": "This person already has access to this animal."})
    if CoOwnerInvitation.objects.filter(
        animal=animal, email=email, status=CoOwnerInvitation.Status.PENDING
    ).exists():
        raise ValidationError({"email": "This person has already been invited."})
    invitation = CoOwnerInvitation(
        animal=animal,
        invited_by=invited_by,
        email=email,
        permission=permission,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    activity_record(user=invited_by, kind=ActivityKind.INVITATION)
    # The email is an outbox row in this transaction: it leaves if and only if this commits.
    invitation_send(invitation_id=invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int) -> None:
    invitation = CoOwnerInvitation.objects.select_related("animal", "invited_by").get(
        pk=invitation_id
    )
    url = settings.SITE_URL + reverse("records:invitation_answer", args=[invitation.token])
    send_mail(
        subject=(
            f"[VetPass] {invitation.invited_by.display_name} shared "
            f"{invitation.animal.name} with you"
        ),
        message=(
            f"{invitation.invited_by.display_name} invited you to "
            f"{invitation.get_permission_display().lower()} the records of "
            f"{invitation.animal.name} on VetPass.\n\nAnswer the invitation: {url}\n\n"
            f"The invitation expires on {invitation.expires_at:%d %B %Y}."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _open_invitation(token: str, user: User) -> CoOwnerInvitation:
    invitation = (
        CoOwnerInvitation.objects.select_for_update(of=("self",))
        .select_related("animal", "animal__owner")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.email != user.email.lower():
        from django.http import Http404

        raise Http404("No such invitation.")
    if not invitation.is_open:
        raise ValidationError("This invitation has already been answered or has expired.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> AnimalAccess:
    invitation = _open_invitation(token, user)
    if invitation.animal.owner.is_restricted:
        # Sent before the owner's restriction: accepting it would start new sharing.
        raise ValidationError(
            "The owner's account is restricted while a data-protection request is handled: "
            "this invitation cannot be accepted now."
        )
    access, _ = AnimalAccess.objects.update_or_create(
        animal=invitation.animal, user=user, defaults={"permission": invitation.permission}
    )
    invitation.status = CoOwnerInvitation.Status.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "answered_at", "accepted_by"])
    activity_record(user=user, kind=ActivityKind.INVITATION)
    return access


@transaction.atomic
def invitation_decline(*, token: str, user: User) -> CoOwnerInvitation:
    invitation = _open_invitation(token, user)
    invitation.status = CoOwnerInvitation.Status.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: CoOwnerInvitation) -> CoOwnerInvitation:
    if invitation.status == CoOwnerInvitation.Status.PENDING:
        invitation.status = CoOwnerInvitation.Status.REVOKED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def access_remove(*, access: AnimalAccess) -> None:
    """The owner takes a co-owner's access away (or the co-owner gives it up)."""
    access.delete()
