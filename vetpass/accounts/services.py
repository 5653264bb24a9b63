"""Writes on accounts that carry a rule."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import RestrictionAction, RestrictionEvent, User


class ActivityKind:
    """What counts as using a service (DESIGN.md, policy numbers)."""

    SIGN_IN = "sign-in"
    RECORD_CHANGE = "record-change"
    INVITATION = "invitation"
    FAVORITE = "favorite"
    BOOKING = "booking"
    MESSAGE = "message"
    DSAR = "dsar"
    KEEP_RECORDS = "keep-records"
    RECORD_EXPORT = "record-export"


def activity_record(*, user: User | int, kind: str) -> None:
    """Mark that the person used a service now.

    The one place that moves `last_activity_at`: the retention jobs read it to decide who
    gets an inactivity notice. A single UPDATE, so it is safe from any request or task.
    """
    user_id = user if isinstance(user, int) else user.pk
    now = timezone.now()
    User.objects.filter(pk=user_id).update(last_activity_at=now, last_activity_kind=kind)
    if isinstance(user, User):
        user.last_activity_at = now
        user.last_activity_kind = kind


# What a person changes about themselves (web form, API); email goes through allauth.
PROFILE_FIELDS = (
    "full_name",
    "date_of_birth",
    "country",
    "region",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "phone",
)


# A light phone check (no phone library is installed): what people type in a phone number
# (digits, spaces, +, -, parentheses) and a plausible number of digits.
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()\-]+$")
PHONE_DIGITS = (6, 20)
# A UK postcode (outward code, space, inward code), as Royal Mail writes them.
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_OTHER_POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$")


def profile_update(*, user: User, **fields: object) -> User:
    """Change profile fields, validated as a whole; nothing is saved on error. Text is
    trimmed, and a UK postcode written the usual way ("bs14dj" -> "BS1 4DJ")."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    had_date_of_birth = user.date_of_birth is not None
    for name, value in fields.items():
        if isinstance(value, str) and name != "country":
            value = value.strip()
        setattr(user, name, value)
    validate_profile(user, changed=set(fields), had_date_of_birth=had_date_of_birth)
    user.save()
    return user


def validate_profile(
    user: User, *, changed: set[str] | None = None, had_date_of_birth: bool = False
) -> None:
    """Raise a ValidationError per field. The fields the person changed are checked (a
    postcode again when the country changes), so an old value never blocks another change;
    the date of birth the 16+ rule depends on cannot be removed once given."""
    from django.core.exceptions import ValidationError

    from .validators import validate_adult

    changed = set(PROFILE_FIELDS) if changed is None else changed
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password", "email"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "full_name" in changed and not user.full_name.strip():
        errors.setdefault("full_name", []).append("Enter your full name.")
    if "date_of_birth" in changed:
        if user.date_of_birth is None and had_date_of_birth:
            errors.setdefault("date_of_birth", []).append(
                "Your date of birth cannot be removed: VetPass needs it to check you are "
                f"{settings.POLICY_MINIMUM_AGE} or older."
            )
        elif user.date_of_birth is not None:
            try:
                validate_adult(user.date_of_birth)
            except ValidationError as exc:
                errors.setdefault("date_of_birth", []).extend(exc.messages)
    if "phone" in changed and user.phone:
        message = phone_error(user.phone)
        if message:
            errors.setdefault("phone", []).append(message)
    if {"postcode", "country"} & changed and user.postcode:
        postcode, message = postcode_checked(user.postcode, str(user.country or ""))
        if message:
            errors.setdefault("postcode", []).append(message)
        else:
            user.postcode = postcode
    if errors:
        raise ValidationError(errors)


def phone_error(phone: str) -> str:
    """Why this is not a phone number, or "" when it may be one."""
    digits = sum(ch.isdigit() for ch in phone)
    low, high = PHONE_DIGITS
    if not _PHONE_CHARACTERS.match(phone) or not low <= digits <= high:
        return (
            f"Enter a phone number of {low} to {high} digits, like 0117 496 0000 or "
            "+44 117 496 0000 (digits, spaces, +, - and brackets only)."
        )
    return ""


def postcode_checked(postcode: str, country: str) -> tuple[str, str]:
    """(the postcode as stored, "") or (postcode, why it is not one) for the country."""
    if country.upper() == "GB":
        match = _UK_POSTCODE.match(postcode.upper())
        if match is None:
            return postcode, "Enter a UK postcode, like BS1 4DJ."
        return f"{match.group(1)} {match.group(2)}", ""
    if not _OTHER_POSTCODE.match(postcode):
        return postcode, "Enter a postcode or ZIP code: letters, digits, spaces and hyphens only."
    return postcode, ""


# --- Art. 18 restriction -------------------------------------------------------------
# "The data subject shall have the right to obtain from the controller restriction of
# processing" (UK GDPR / GDPR Art. 18). While `restricted_at` is set every app keeps the
# data but starts nothing new with it: no marketing or analytics, no new sharing (favorites,
# emergency shares and their redemption, co-owner invitations), no practice writes or
# imports (DESIGN.md rule 5). The DPO applies and lifts it from the admin, always with a
# reason; each change writes an append-only RestrictionEvent in the same transaction.


def _restriction_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason (for example the request it answers)."})
    return reason


@transaction.atomic
def restriction_apply(*, user: User, reason: str, actor: User | None) -> RestrictionEvent:
    """Restrict processing of the person's data from now until it is lifted."""
    reason = _restriction_reason(reason)
    # Locked, so two DPOs applying at once cannot both pass the check below.
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.restricted_at is not None:
        raise ValidationError(
            f"{locked.email} is already restricted (since "
            f"{timezone.localtime(locked.restricted_at):%d %B %Y %H:%M})."
        )
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(restricted_at=now)
    user.restricted_at = now
    return RestrictionEvent.objects.create(
        user=user, action=RestrictionAction.APPLY, reason=reason, actor=actor, at=now
    )


@transaction.atomic
def restriction_lift(*, user: User, reason: str, actor: User | None) -> RestrictionEvent:
    """End the restriction: processing may start again."""
    reason = _restriction_reason(reason)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.restricted_at is None:
        raise ValidationError(f"{locked.email} is not restricted: there is nothing to lift.")
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(restricted_at=None)
    user.restricted_at = None
    return RestrictionEvent.objects.create(
        user=user, action=RestrictionAction.LIFT, reason=reason, actor=actor, at=now
    )
