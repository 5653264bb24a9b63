"""Practices and their staff, and the practice side of sharing (issue 4).

Favoriting a practice is three things at once (VETPASS policy: "favoriting registers
you with the practice, shares your details and records with it, and asks it for the
records it holds when you are already a client"): a grant in the consent ledger, a
`ClientRegistration`, and a `Favorite` that carries the owner's sharing scope. They are
written and ended together in one transaction by records.practices.services.
"""

from __future__ import annotations

import secrets
from datetime import date

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Service(models.Model):
    """A kind of care or service a practice offers (clinical, specialist, or an animal
    service provider such as walking or boarding)."""

    class Category(models.TextChoices):
        CLINICAL = "clinical", "Veterinary care"
        SPECIALIST = "specialist", "Specialist referral"
        PROVIDER = "provider", "Animal service provider"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="GB")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    species_treated = models.ManyToManyField(
        "records.Species", blank=True, related_name="practices"
    )
    services = models.ManyToManyField(Service, blank=True, related_name="practices")
    participates = models.BooleanField(
        default=True, help_text="Whether the practice takes part in VetPass."
    )
    subscription_starts_on = models.DateField(null=True, blank=True)
    subscription_ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        starts, ends = self.subscription_starts_on, self.subscription_ends_on
        if starts and ends and ends < starts:
            errors["subscription_ends_on"] = "The subscription must end after it starts."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "Give both latitude and longitude, or neither."
        if errors:
            raise ValidationError(errors)


class StaffRole(models.TextChoices):
    VET_SURGEON = "vet_surgeon", "Veterinary surgeon"
    NURSE = "nurse", "Veterinary nurse"
    TECHNICIAN = "technician", "Technician"
    ADMIN_STAFF = "admin_staff", "Administrative staff"


class PracticeMembership(models.Model):
    """A person's place on a practice's staff. Leaving sets `left_at`: access ends at once."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    is_practice_admin = models.BooleanField("practice administrator", default=False)
    job_title = models.CharField(max_length=100, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "user"],
                condition=models.Q(left_at__isnull=True),
                name="one_active_membership_per_practice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.practice} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class JoinRequest(models.Model):
    """A staff member asks to join another practice; that practice's administrator answers."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the practice"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests_decided",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]


class ClientRegistration(models.Model):
    """The owner registered as a client of the practice. Kept (with `ended_at`) after
    un-favoriting: the practice's own clinical record of its client stays the practice's."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="client_registrations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_registrations"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "owner"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_registration",
            )
        ]


class FavoriteQuerySet(models.QuerySet["Favorite"]):
    def active(self, today: date | None = None) -> FavoriteQuerySet:
        today = today or timezone.localdate()
        return self.filter(ended_at__isnull=True).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today)
        )


class Favorite(models.Model):
    """The owner's favorite practice and what it may see: the sharing scope."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="favorites")
    registration = models.ForeignKey(
        ClientRegistration, on_delete=models.PROTECT, related_name="favorites"
    )
    share_profile = models.BooleanField("share my name and contact details", default=True)
    all_animals = models.BooleanField(default=True)
    animals = models.ManyToManyField("records.Animal", blank=True, related_name="favorites")
    # Empty: every kind of record; otherwise only these EntryKind values.
    kinds = models.JSONField(default=list, blank=True)
    ends_on = models.DateField("sharing ends on", null=True, blank=True)
    already_client = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The client list's sort key (issue 10): the owner's shown name, lower-cased, where the
    # favorite shares the profile, else "". Kept by database triggers (migration
    # 0011_favorite_client_list_key) on this row and on the owner's account row, so every
    # door that renames an account or changes share_profile keeps it in step.
    list_name = models.CharField(max_length=300, default="", blank=True, editable=False)

    objects = FavoriteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "practice"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_favorite",
            )
        ]
        indexes = [
            # The client list's keyset order, walked from the cursor (issue 10).
            models.Index(
                models.F("practice"),
                models.F("share_profile").desc(),
                models.F("list_name"),
                models.F("owner"),
                name="favorite_client_list_order",
                condition=models.Q(ended_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.practice}"

    @property
    def kind_set(self) -> frozenset[str] | None:
        return frozenset(self.kinds) if self.kinds else None


class SharingState(models.Model):
    """A projection of the consent ledger: the latest practice-sharing event of one owner
    for one practice (purpose "practice_sharing", scope "practice:<id>"), so that a
    practice's client list reads one indexed row per client instead of searching the
    ledger for every favorite. Written by records.practices.projection in the same
    transaction as the ledger event (consent.dispatch.consent_recorded). The ledger stays
    the source of truth: `manage.py sharing_projection_check` compares the two and repairs
    differences."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    # The ledger's latest event for the pair: its id and sequence, and whether it grants.
    event_id = models.BigIntegerField()
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    granted = models.BooleanField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "owner"], name="one_sharing_state")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} → practice {self.practice_id}: {self.action}"


class RecordRequest(models.Model):
    """The owner, already a client, asks the practice for the records it holds."""

    class Status(models.TextChoices):
        OPEN = "open", "Sent to the practice"
        ANSWERED = "answered", "Records added by the practice"
        CLOSED = "closed", "Closed"

    favorite = models.ForeignKey(Favorite, on_delete=models.CASCADE, related_name="requests")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="requests")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="record_requests_answered",
    )
    entries_added = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]


def _share_code() -> str:
    # 10 characters from an unambiguous alphabet: easy to read out over the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class EmergencyShare(models.Model):
    """A time-limited share for a practice the owner has not favorited."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emergency_shares"
    )
    animals = models.ManyToManyField("records.Animal", related_name="emergency_shares")
    code = models.CharField(max_length=16, unique=True, default=_share_code, editable=False)
    # Set by the owner to name the clinic, or by the first practice that redeems the code.
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emergency_shares",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emergency_shares_redeemed",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AccessLogGrant(models.TextChoices):
    FAVORITE = "favorite", "Favorite (sharing consent)"
    EMERGENCY_SHARE = "emergency_share", "Emergency share"
    # A read by VetPass privacy staff (the DPO) in the Django admin, working a case: no
    # practice and no grant, so `practice` and `grant_id` are empty on these rows.
    ADMIN = "admin", "VetPass privacy staff (admin)"
    # Someone holding the owner's vaccination certificate link opened it (no account: the
    # row's viewer is the owner who made the link, `grant_id` the CertificateLink).
    CERTIFICATE_LINK = "certificate_link", "Vaccination certificate link"


@pgtrigger.register(
    pgtrigger.Protect(name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class AccessLog(models.Model):
    """One read of an owner's data by someone other than the owner or a co-owner
    (DESIGN.md rule 2). Append-only: the database refuses UPDATE and DELETE on PostgreSQL.

    References carry no database constraint and never cascade, so that deleting an animal
    or an account never has to touch the log (like the consent ledger's subject key)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    animal = models.ForeignKey(
        "records.Animal",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    view = models.CharField(max_length=60)
    grant_kind = models.CharField(max_length=20, choices=AccessLogGrant.choices)
    grant_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    @property
    def organisation(self) -> str | None:
        """Where the viewer looked from, as the owner reads it: the practice, or VetPass
        itself for its privacy staff's reads in the admin."""
        if self.grant_kind == AccessLogGrant.ADMIN:
            return "VetPass privacy staff"
        return self.practice.name if self.practice is not None else None
