"""Practices and their staff. Favorites, sharing scopes, record requests, emergency shares
and the access log build on these (issue 4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
    participates = models.BooleanField(
        default=True, help_text="Whether the practice takes part in VetPass."
    )
    subscription_starts_on = models.DateField(null=True, blank=True)
    subscription_ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
