"""Vaccination certificate links (issue 11): a time-limited, revocable link an owner gives
a groomer, boarder or kennel, showing only the animal's vaccination facts.

Only a hash of the link's token is stored: the owner sees the link (and its QR code) once,
when it is made, and a copy of the database cannot be turned back into working links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CertificateLink(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_links"
    )
    animal = models.ForeignKey(
        "records.Animal", on_delete=models.CASCADE, related_name="certificate_links"
    )
    # sha256 of the token in the URL, hex.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Certificate link for {self.animal_id} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "live" if self.expires_at > timezone.now() else "expired"
