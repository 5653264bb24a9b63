"""factory_boy factories for bulk data. Named people for permission tests are fixtures in
tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from records.models import (
    Animal,
    Entry,
    EntryKind,
    Practice,
    PracticeMembership,
    Species,
    StaffRole,
)
from vetpass.accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    date_of_birth = dt.date(1985, 5, 17)
    country = "GB"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def species(slug: str = "dog") -> Species:
    return Species.objects.get(slug=slug)


class AnimalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Animal

    owner = factory.SubFactory(UserFactory)
    name = factory.Faker("first_name")
    species = factory.LazyFunction(lambda: species("dog"))
    sex = "female"
    date_of_birth = dt.date(2020, 3, 1)


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    animal = factory.SubFactory(AnimalFactory)
    kind = EntryKind.CLINICAL_NOTE
    occurred_on = factory.LazyFunction(timezone.localdate)
    notes = "Bright and alert."
    author = factory.SelfAttribute("animal.owner")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    town = "Bristol"
    postcode = "BS1 4DJ"
    latitude = 51.4545
    longitude = -2.5879


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeMembership

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.VET_SURGEON
