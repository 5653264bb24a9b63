from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from records.validators import (
    normalise_microchip,
    validate_microchip,
    validate_not_future,
    validate_photo,
)


class Species(models.Model):
    class Group(models.TextChoices):
        COMPANION = "companion", "Companion animal"
        FARM = "farm", "Farm animal"
        EQUINE = "equine", "Horse or donkey"
        EXOTIC = "exotic", "Exotic or small pet"

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    group = models.CharField(max_length=20, choices=Group.choices)
    care_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "species"

    def __str__(self) -> str:
        return self.name


class Breed(models.Model):
    species = models.ForeignKey(Species, on_delete=models.CASCADE, related_name="breeds")
    name = models.CharField(max_length=80)
    care_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["species__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["species", "name"], name="breed_unique_per_species")
        ]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"
    MIXED = "mixed", "Mixed (group)"


class Permission(models.TextChoices):
    VIEW = "view", "View"
    EDIT = "edit", "View and edit"


class Animal(models.Model):
    """One animal, or a herd/group (`is_group`) standing for several with a head count."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="animals"
    )
    name = models.CharField(max_length=100)
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="animals")
    breed = models.ForeignKey(
        Breed, on_delete=models.SET_NULL, null=True, blank=True, related_name="animals"
    )
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    neutered = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_not_future])
    colour = models.CharField(max_length=60, blank=True)
    microchip = models.CharField(
        max_length=20,
        blank=True,
        db_index=True,
        validators=[validate_microchip],
        help_text="15 digits (ISO 11784/11785), or 9 or 10 characters for an older chip.",
    )
    photo = models.ImageField(upload_to="animals/%Y/%m/", blank=True, validators=[validate_photo])
    deceased = models.BooleanField(default=False)
    deceased_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    is_group = models.BooleanField(
        "herd or group", default=False, help_text="This record stands for a group of animals."
    )
    head_count = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    group = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"is_group": True},
        help_text="The herd or group this animal belongs to.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_group=False) | models.Q(head_count__gte=1),
                name="animal_group_has_head_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.microchip = normalise_microchip(self.microchip)
        if self.is_group and not self.head_count:
            errors["head_count"] = "A herd or group needs a head count of at least 1."
        if not self.is_group and self.head_count:
            self.head_count = None
        if self.breed is not None and self.species_id and self.breed.species_id != self.species_id:
            errors["breed"] = "Choose a breed of the animal's species."
        if self.group_id:
            group = self.group
            if group is None or not group.is_group:
                errors["group"] = "Choose a herd or group."
            elif group.owner_id != self.owner_id:
                errors["group"] = "Choose one of your own herds or groups."
            elif self.is_group:
                errors["group"] = "A group cannot be put inside another group."
            elif self.pk and group.pk == self.pk:
                errors["group"] = "An animal cannot be its own group."
        if self.deceased_on and not self.deceased:
            self.deceased = True
        if errors:
            raise ValidationError(errors)


class AnimalAccess(models.Model):
    """A co-owner or responsible person given access to an animal or herd by its owner."""

    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="animal_accesses"
    )
    permission = models.CharField(max_length=10, choices=Permission.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["animal", "user"], name="animal_access_unique")
        ]


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class CoOwnerInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Withdrawn by the owner"

    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    email = models.EmailField()
    permission = models.CharField(
        max_length=10, choices=Permission.choices, default=Permission.VIEW
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["animal", "email"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_email",
            )
        ]
        # The invitations sent to someone are found by their address (the dashboard's
        # pending ones, the API's list): without an index, every dashboard read the table.
        indexes = [models.Index(fields=["email"], name="invitation_email")]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()
