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
# The Kontak policy's anonymisation of a practice's client data hangs on the end of its
# subscription (three months after it), so only VetPass staff set these dates: never the
# practice's own administrator.
SUBSCRIPTION_FIELDS = ("subscription_starts_on", "subscription_ends_on")


def is_vetpass_staff(user: User) -> bool:
    """VetPass's own staff (they open the Django admin); practice staff never are."""
    return bool(user.is_active and (user.is_staff or user.is_superuser))


# --- the practice profile ------------------------------------------------------------


@transaction.atomic
def practice_update(
    *,
    practice: Practice,
    actor: User,
    species: Iterable[Any] | None = None,
    services: Iterable[Any] | None = None,
    **data: Any,
) -> Practice:
    """Change the practice profile (also a new, unsaved practice, from the admin). The
    practice administrator changes everything but the subscription dates; VetPass staff
    change those too."""
    errors = {name: "This field cannot be set here." for name in set(data) - set(PRACTICE_FIELDS)}
    if not is_vetpass_staff(actor):
        errors.update(
            (name, "Only VetPass staff can change the subscription dates.")
            for name in set(data) & set(SUBSCRIPTION_FIELDS)
        )
    if errors:
        raise ValidationError(errors)
    for name, value in data.items():
        setattr(practice, name, value)
    # A postcode with no coordinates (none given, as from a form left blank) is placed on
    # the map from the postcode district, so the practice can be found by distance.
    if (
        "postcode" in data
        and practice.postcode
        and practice.latitude is None
        and practice.longitude is None
    ):
        from ..postcodes import coordinates_for

        coords = coordinates_for(practice.postcode)
        if coords:
            practice.latitude, practice.longitude = coords
    # The model's clean() holds the cross-field rules (dates in order, both coordinates),
    # so the admin's form shows them beside the fields as the web form does.
    practice.full_clean()
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
        if not is_practice_admin and membership.is_practice_admin:
            last_admin_check(membership)
        membership.is_practice_admin = is_practice_admin
    membership.save()
    if full_name is not None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the staff member's full name."})
        User.objects.filter(pk=membership.user_id).update(full_name=full_name.strip())
    return membership


def last_admin_check(membership: PracticeMembership) -> None:
    """Refuse to take away the practice's last administrator (by leaving or demotion).

    A practice keeps at least one administrator: otherwise nobody could add staff or
    answer a join request, and its clients' data would have no one to look after it.
    The services call this; the admin's form also asks it, to show the error early."""
    others = (
        PracticeMembership.objects.select_for_update()
        .filter(practice_id=membership.practice_id, is_practice_admin=True, left_at__isnull=True)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            "The practice needs another administrator first: make another member an "
            "administrator, then try again."
        )


def membership_create_check(*, practice: Practice, user: User, role: str) -> None:
    """Refuse an unknown role or a second active membership of the same practice."""
    errors: dict[str, str] = {}
    if role not in StaffRole.values:
        errors["role"] = "Choose a role."
    if PracticeMembership.objects.filter(
        practice=practice, user=user, left_at__isnull=True
    ).exists():
        errors["user"] = "This person is already on the staff of this practice."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_create(
    *,
    practice: Practice,
    user: User,
    role: str,
    job_title: str = "",
    is_practice_admin: bool = False,
) -> PracticeMembership:
    """VetPass staff put an existing account on a practice's staff (in the admin), e.g. the
    first administrator of a practice that has just joined."""
    membership_create_check(practice=practice, user=user, role=role)
    return PracticeMembership.objects.create(
        practice=practice,
        user=user,
        role=role,
        job_title=job_title,
        is_practice_admin=is_practice_admin,
    )


@transaction.atomic
def membership_leave(*, membership: PracticeMembership) -> PracticeMembership:
    """Leave a practice (or be removed by its administrator): access ends at once. The
    practice's last administrator cannot leave (`last_admin_check`)."""
    membership = PracticeMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_at is None and membership.is_practice_admin:
        last_admin_check(membership)
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
