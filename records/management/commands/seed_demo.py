"""Demo data for `make run`: an owner with animals, a herd and a year of records, a vet,
a practice administrator and a DPO. Idempotent (run it as often as you like: existing
people, animals and records are found, not duplicated) and refused when DEBUG is off, so
it can never put known passwords on a production site."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from records.models import (
    Animal,
    Breed,
    Entry,
    EntryKind,
    Favorite,
    Practice,
    PracticeMembership,
    Species,
    StaffRole,
)
from records.practices.demo import seed_practice_demo
from records.practices.services import availability_add, favorite_create
from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

PASSWORD = "vetpass-demo"  # noqa: S105 - demo logins, refused when DEBUG is off
OWNER = "owner@example.com"
VET = "vet@example.com"
PRACTICE_ADMIN = "practice-admin@example.com"
DPO = "dpo@example.com"


def person(email: str, full_name: str, **extra: Any) -> User:
    """A demo account with a verified, primary email address (so it can sign in at once)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            full_name=full_name,
            date_of_birth=date(1980, 6, 15),
            country="GB",
            region="Bristol",
            town="Bristol",
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_practice() -> Practice:
    """The demo practice (other demo practice data builds on the one this returns)."""
    practice, _ = Practice.objects.update_or_create(
        name="Riverside Veterinary Centre",
        defaults={
            "address_line1": "12 Welsh Back",
            "town": "Bristol",
            "postcode": "BS1 4DJ",
            "country": "GB",
            "latitude": 51.4545,
            "longitude": -2.5879,
            "phone": "0117 496 0000",
            "email": "hello@riverside-vets.example",
            "participates": True,
            "subscription_starts_on": date(2026, 1, 1),
            "subscription_ends_on": date(2027, 12, 31),
        },
    )
    return practice


def bookable_hours(practice: Practice, vet: User) -> None:
    if practice.weekly_availability.exists():
        return
    staff = PracticeMembership.objects.get(practice=practice, user=vet)
    service = practice.services.get(slug="general-practice")
    for weekday in range(5):
        availability_add(
            practice=practice,
            membership_id=staff.pk,
            service=service,
            weekday=weekday,
            starts_at=time(9, 0),
            ends_at=time(12, 0),
            slot_minutes=20,
            online=True,
        )


def membership(practice: Practice, user: User, role: str, *, admin: bool = False) -> None:
    PracticeMembership.objects.update_or_create(
        practice=practice,
        user=user,
        left_at=None,
        defaults={"role": role, "is_practice_admin": admin},
    )


def animal(owner: User, name: str, species: str, breed: str | None, **fields: Any) -> Animal:
    kind = Species.objects.get(slug=species)
    found, _ = Animal.objects.get_or_create(
        owner=owner,
        name=name,
        defaults={
            "species": kind,
            "breed": Breed.objects.filter(species=kind, name=breed).first() if breed else None,
            **fields,
        },
    )
    return found


def months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def year_of_records(pet: Animal, author: User, *, start_kg: float, monthly_kg: float) -> None:
    """Monthly weights, yearly vaccinations, a note, a medication and an allergy. Entries are
    only added when the animal has none, so a second run adds nothing."""
    if pet.entries.exists():
        return
    today = timezone.localdate()
    rows = [
        Entry(
            animal=pet,
            kind=EntryKind.WEIGHT,
            occurred_on=months_ago(today, m),
            weight_value=Decimal(str(round(start_kg + monthly_kg * (12 - m), 2))),
            weight_unit="kg",
            author=author,
        )
        for m in range(12, -1, -1)
    ]
    given = months_ago(today, 11)
    vaccines = (
        [("Nobivac DHP", "MSD Animal Health"), ("Nobivac L4", "MSD Animal Health")]
        if pet.species.slug == "dog"
        else [("Purevax RCP", "Boehringer Ingelheim")]
    )
    for product, maker in vaccines:
        rows.append(
            Entry(
                animal=pet,
                kind=EntryKind.VACCINATION,
                occurred_on=given,
                vaccine_product=product,
                manufacturer=maker,
                batch_number=f"B{given:%y%m}{len(rows):02d}",
                next_due_on=given + timedelta(days=365),
                author=author,
            )
        )
    rows += [
        Entry(
            animal=pet,
            kind=EntryKind.CLINICAL_NOTE,
            occurred_on=months_ago(today, 6),
            title="Annual check-up",
            notes="Healthy; teeth need watching. Keep to the current diet.",
            author=author,
        ),
        Entry(
            animal=pet,
            kind=EntryKind.MEDICATION,
            occurred_on=months_ago(today, 4),
            medication_name="Milbemax",
            dose="1 tablet every 3 months",
            author=author,
        ),
        Entry(
            animal=pet,
            kind=EntryKind.ALLERGY,
            occurred_on=months_ago(today, 8),
            allergen="Chicken protein",
            severity="Mild: itchy skin",
            author=author,
        ),
    ]
    for row in rows:
        row.full_clean()
    Entry.objects.bulk_create(rows)


def herd_records(herd: Animal, author: User) -> None:
    if herd.entries.exists():
        return
    today = timezone.localdate()
    rows = [
        Entry(
            animal=herd,
            kind=EntryKind.VACCINATION,
            occurred_on=months_ago(today, 10),
            vaccine_product="Bovilis BVD",
            manufacturer="MSD Animal Health",
            batch_number="BV2291",
            next_due_on=months_ago(today, 10) + timedelta(days=365),
            author=author,
        ),
        Entry(
            animal=herd,
            kind=EntryKind.CLINICAL_NOTE,
            occurred_on=months_ago(today, 5),
            title="TB test",
            notes="Routine herd TB test: all clear.",
            author=author,
        ),
    ]
    for row in rows:
        row.full_clean()
    Entry.objects.bulk_create(rows)


class Command(BaseCommand):
    help = "Create demo people, animals and a year of records (idempotent; DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run when DEBUG is off: it creates accounts with a "
                "published password."
            )
        with transaction.atomic():
            owner = person(OWNER, "Olivia Owner")
            vet = person(VET, "Dr Victor Vet")
            practice_admin = person(PRACTICE_ADMIN, "Pat Practice-Admin")
            person(DPO, "Dana DPO", is_dpo=True, is_staff=True)
            practice = seed_practice()
            membership(practice, vet, StaffRole.VET_SURGEON)
            membership(practice, practice_admin, StaffRole.ADMIN_STAFF, admin=True)

            herd = animal(
                owner,
                "Meadow Farm dairy herd",
                "cattle",
                "Holstein Friesian",
                sex="mixed",
                is_group=True,
                head_count=24,
            )
            dog = animal(
                owner,
                "Rex",
                "dog",
                "Labrador Retriever",
                sex="male",
                neutered=True,
                date_of_birth=date(2021, 4, 2),
                colour="Yellow",
                microchip="985141000123456",
            )
            cat = animal(
                owner,
                "Misty",
                "cat",
                None,
                sex="female",
                neutered=True,
                date_of_birth=date(2019, 9, 20),
                colour="Grey tabby",
            )
            year_of_records(dog, owner, start_kg=29.5, monthly_kg=0.15)
            year_of_records(cat, owner, start_kg=4.1, monthly_kg=0.02)
            herd_records(herd, owner)
            seed_practice_demo(practice, self.stdout)
            # The owner shares Rex with the demo practice, so the vet's workspace has a client;
            # the other demo practices are there to find and favorite.
            if not Favorite.objects.filter(owner=owner, practice=practice).exists():
                favorite_create(owner=owner, practice=practice, all_animals=False, animals=[dog])
            # The vet publishes bookable hours (weekday mornings, online too), so the owner can
            # book Rex in straight away.
            bookable_hours(practice, vet)
            # The owner has just "used the service", so retention jobs leave the demo alone.
            activity_record(user=owner, kind=ActivityKind.RECORD_CHANGE)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, role in (
            (OWNER, "owner with a dog, a cat and a dairy herd"),
            (VET, "vet surgeon at Riverside Veterinary Centre"),
            (PRACTICE_ADMIN, "practice administrator at Riverside Veterinary Centre"),
            (DPO, "data protection officer (Django admin; set up MFA first)"),
        ):
            self.stdout.write(f"  {email:<28} password: {PASSWORD}   ({role})")
