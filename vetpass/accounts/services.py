"""Writes on accounts that carry a rule."""

from __future__ import annotations

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


def profile_update(*, user: User, **fields: object) -> User:
    """Change profile fields, validated as a whole; nothing is saved on error."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    validate_profile(user)
    user.save()
    return user


def validate_profile(user: User) -> None:
    from django.core.exceptions import ValidationError

    from .validators import validate_adult

    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password", "email"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if user.date_of_birth is not None:
        try:
            validate_adult(user.date_of_birth)
        except ValidationError as exc:
            errors.setdefault("date_of_birth", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


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
