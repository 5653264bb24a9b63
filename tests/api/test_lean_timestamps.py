"""The lists PostgreSQL writes (records.api_lean) write a timestamp as DRF's DateTimeField
does: microseconds only when there are some, "Z" for UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework import serializers

from records.models import Animal, Entry
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 4, 5, 6, 7, 120000, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 4, 5, 6, 7, 5, tzinfo=dt.UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
]


def drf(moment: dt.datetime) -> str:
    return serializers.DateTimeField().to_representation(moment)


def test_the_lists_write_timestamps_as_drf(alice_api, alice, rex):
    for n, moment in enumerate(MOMENTS):
        animal = AnimalFactory(owner=alice, name=f"Pet {n}")
        Animal.objects.filter(pk=animal.pk).update(created_at=moment, updated_at=moment)
        entry = EntryFactory(animal=rex)
        Entry.objects.filter(pk=entry.pk).update(created_at=moment, updated_at=moment)

    animals = alice_api.get("/api/v1/animals/").json()["results"]
    entries = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/").json()["results"]

    expected = sorted(drf(m) for m in MOMENTS)
    assert sorted(a["created_at"] for a in animals if a["name"].startswith("Pet")) == expected
    assert sorted(e["updated_at"] for e in entries) == expected
    assert "2026-03-04T05:06:07Z" in expected
