"""Vaccination certificates (issue 11): the NASPHV Form 51 facts of an animal's
vaccinations, as a PDF and as a time-limited verification link.

Selective disclosure: a groomer, boarder or kennel needs to know the animal is vaccinated,
not who owns it. `certificate_facts` is the one place that decides what a certificate
says — the animal's description, its vaccination entries and who gave them — and it never
reads the owner, so neither the PDF nor the public page can show a name, address, email
or phone, nor any other record. Every opening of a link writes a row in the owner's
access log (DESIGN.md rule 2), with grant kind `certificate_link`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from .models import AccessLog, AccessLogGrant, Animal, CertificateLink, Entry, EntryKind

# How long a link may live: the owner picks one of these (days).
LINK_DAYS = (7, 30, 90)
LINK_DAYS_DEFAULT = 30
ACCESS_LOG_VIEW = "vaccination certificate link"


class LinkGone(Exception):
    """The link existed but has expired or was revoked: the page says so (410)."""

    def __init__(self, link: CertificateLink) -> None:
        super().__init__(link.status)
        self.link = link


# --- what a certificate says ---------------------------------------------------------


@dataclass(frozen=True)
class VaccinationRow:
    product: str
    manufacturer: str
    lot: str
    given_on: date
    duration_years: int | None
    next_due_on: date | None
    tag_number: str
    vet_name: str
    vet_licence: str
    practice_name: str


@dataclass(frozen=True)
class CertificateFacts:
    animal_name: str
    species: str
    breed: str
    colour: str
    sex: str
    date_of_birth: date | None
    microchip: str
    vaccinations: list[VaccinationRow]
    issued_at: datetime


def _sex(animal: Animal) -> str:
    label = animal.get_sex_display()
    if animal.neutered:
        return {"female": "Female (spayed)", "male": "Male (neutered)"}.get(
            animal.sex, f"{label} (neutered)"
        )
    return label


def _vet_name(entry: Entry) -> str:
    if entry.vet_name:
        return entry.vet_name
    # A practice's own entry names the staff member who wrote it.
    if entry.practice_id is not None and entry.author is not None:
        return entry.author.full_name or ""
    return ""


def certificate_facts(animal: Animal) -> CertificateFacts:
    """Everything a certificate shows, and nothing else. Vaccinations newest first."""
    entries = (
        Entry.objects.filter(animal=animal, kind=EntryKind.VACCINATION)
        .select_related("author", "practice")
        .order_by("-occurred_on", "-created_at", "-id")
    )
    rows = [
        VaccinationRow(
            product=e.vaccine_product,
            manufacturer=e.manufacturer,
            lot=e.batch_number,
            given_on=e.occurred_on,
            duration_years=e.duration_years,
            next_due_on=e.next_due_on,
            tag_number=e.tag_number,
            vet_name=_vet_name(e),
            vet_licence=e.vet_licence,
            practice_name=e.practice.name if e.practice is not None else "",
        )
        for e in entries
    ]
    return CertificateFacts(
        animal_name=animal.name,
        species=animal.species.name,
        breed=animal.breed.name if animal.breed is not None else "",
        colour=animal.colour,
        sex=_sex(animal),
        date_of_birth=animal.date_of_birth,
        microchip=animal.microchip,
        vaccinations=rows,
        issued_at=timezone.now(),
    )


# --- links ---------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("records:certificate_verify", args=[token])


def owner_certificate_links(owner: User, animal: Animal | None = None) -> QuerySet[CertificateLink]:
    qs = CertificateLink.objects.filter(owner_id=owner.pk).select_related("animal")
    if animal is not None:
        qs = qs.filter(animal=animal)
    return qs


def get_owner_certificate_link(owner: User, pk: object) -> CertificateLink:
    try:
        return owner_certificate_links(owner).get(pk=pk)  # type: ignore[misc]
    except (CertificateLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such certificate link.") from None


@transaction.atomic
def certificate_link_create(
    *, owner: User, animal: Animal, days: int = LINK_DAYS_DEFAULT
) -> tuple[CertificateLink, str]:
    """A new link to the animal's vaccination facts, live for `days`. Returns the link and
    its token: the token is never stored, so this is the only time it can be shown."""
    errors: dict[str, str] = {}
    if days not in LINK_DAYS:
        errors["days"] = "Choose " + ", ".join(str(d) for d in LINK_DAYS) + " days."
    if animal.owner_id != owner.pk:
        errors["animal"] = "Choose one of your own animals."
    if owner.is_restricted:
        # A link shows the animal's records to someone new: new sharing (rule 5).
        errors["days"] = (
            "Your account is restricted while a data-protection request is handled, so no "
            "new sharing can start."
        )
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    link = CertificateLink.objects.create(
        owner=owner,
        animal=animal,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    activity_record(user=owner, kind=ActivityKind.FAVORITE)
    return link, token


@transaction.atomic
def certificate_link_revoke(*, link: CertificateLink) -> CertificateLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def certificate_link_open(*, token: str) -> tuple[CertificateLink, CertificateFacts]:
    """Someone opened a link: its facts, with the look written to the owner's access log.
    Http404 for a token that never existed; LinkGone once expired or revoked (not logged:
    nothing was shown)."""
    link = (
        CertificateLink.objects.select_related("animal", "animal__species", "animal__breed")
        .filter(token_hash=_hash(token))
        .first()
    )
    if link is None:
        raise Http404("No such certificate.")
    if not link.is_live:
        raise LinkGone(link)
    AccessLog.objects.create(
        # No account looked: the row names the owner who gave the link out, and the link.
        viewer_id=link.owner_id,
        practice=None,
        owner_id=link.owner_id,
        animal_id=link.animal_id,
        view=ACCESS_LOG_VIEW,
        grant_kind=AccessLogGrant.CERTIFICATE_LINK,
        grant_id=link.pk,
    )
    return link, certificate_facts(link.animal)


def live_link_url(*, owner: User, animal: Animal, token: str) -> str | None:
    """The verification address for `token` when it is a live link of this owner's animal
    (to print its QR code on the PDF the owner downloads), else None."""
    link = CertificateLink.objects.filter(
        token_hash=_hash(token), owner_id=owner.pk, animal=animal
    ).first()
    if link is None or not link.is_live:
        return None
    return link_url(token)


def qr_svg_data_uri(url: str) -> str:
    """The QR code of a link, as an SVG data: URI for an <img> (the CSP allows data: images)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)
