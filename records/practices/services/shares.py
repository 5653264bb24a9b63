"""Emergency shares: an owner gives a practice they have not favorited time-limited
access (72 hours by default, 1 to 720), the practice redeems the code, the owner is
emailed when it is used, and may revoke it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from ...models import (
    Animal,
    EmergencyShare,
    Practice,
    PracticeMembership,
)

# --- emergency shares ----------------------------------------------------------------


def _limit_failed_redeems(
    redeem: Callable[..., EmergencyShare],
) -> Callable[..., EmergencyShare]:
    """A code is 10 characters, but unlimited tries still invite guessing: after
    EMERGENCY_REDEEM_FAILURES_PER_USER wrong codes from one person, or ..._PER_PRACTICE
    from one practice, within EMERGENCY_REDEEM_WINDOW, every attempt (a right code too)
    is refused until the window ends. Counted in the shared cache, outside the redeem's
    transaction, so a rolled-back attempt still counts."""

    @functools.wraps(redeem)
    def wrapper(*, code: str, user: User, practice: Practice) -> EmergencyShare:
        window = int(settings.EMERGENCY_REDEEM_WINDOW.total_seconds())
        limits = {
            f"emergency-redeem-failures:practice:{practice.pk}": (
                settings.EMERGENCY_REDEEM_FAILURES_PER_PRACTICE
            ),
            f"emergency-redeem-failures:user:{user.pk}": (
                settings.EMERGENCY_REDEEM_FAILURES_PER_USER
            ),
        }
        counts = cache.get_many(list(limits))
        if any(counts.get(key, 0) >= limit for key, limit in limits.items()):
            raise ValidationError(
                {
                    "code": (
                        "Too many codes that did not work: try again in "
                        f"{window // 60} minutes, and check the code with the owner."
                    )
                },
                code="throttled",
            )
        try:
            return redeem(code=code, user=user, practice=practice)
        except ValidationError:
            for key in limits:
                if not cache.add(key, 1, timeout=window):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired in between
                        cache.set(key, 1, timeout=window)
            raise

    return wrapper


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


@_limit_failed_redeems
@transaction.atomic
def emergency_share_redeem(*, code: str, user: User, practice: Practice) -> EmergencyShare:
    """Staff of a practice enter the owner's code; the practice sees the animals until the
    share expires, and the owner is told."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    share = (
        EmergencyShare.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(code=code)
        .first()
    )
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
    if first_use and share.owner.is_restricted:
        # Made before the owner's restriction: using it now would start new sharing
        # (Art. 18, DESIGN.md rule 5). A practice that already redeemed it keeps the
        # read-only look it had.
        raise ValidationError(
            {
                "code": "This share cannot be used now: the owner's account is restricted "
                "while a data-protection request is handled."
            }
        )
    share.practice = practice
    share.redeemed_at = share.redeemed_at or timezone.now()
    share.redeemed_by = share.redeemed_by or user
    share.save(update_fields=["practice", "redeemed_at", "redeemed_by"])
    if first_use:
        emergency_share_used_send(share_id=share.pk)  # an outbox row in this transaction
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
