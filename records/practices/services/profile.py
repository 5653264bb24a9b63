"""The practice profile and its staff: the practice administrator's writes, staff
accounts (with a set-password email), leaving, and requests to join another practice.
"""

from __future__ import annotations

from collections.abc import Iterable
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

from vetpass.accounts.models import User

from ...models import (
    JoinRequest,
    Practice,
    PracticeMembership,
    StaffRole,
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
        from .practices.postcodes import coordinates_for

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
    staff_welcome_send(membership_id=membership.pk)  # an outbox row in this transaction
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
