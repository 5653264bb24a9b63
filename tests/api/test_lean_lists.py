"""The animals list is built from rows, not a serializer per animal (issue 10): its answer
must be exactly AnimalSerializer's for the same animals, whatever they hold."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIRequestFactory

from records import selectors
from records.models import Animal, AnimalAccess, Breed, Permission
from records.serializers import AnimalSerializer
from tests.api.files import png
from tests.factories import AnimalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _serializer_answer(user, animals, path="/api/v1/animals/"):
    request = APIRequestFactory().get(path)
    request.user = user
    return [
        dict(row) for row in AnimalSerializer(animals, many=True, context={"request": request}).data
    ]


def test_the_animals_list_answers_exactly_what_the_serializer_would(alice_api, alice):
    nameless = UserFactory(email="nameless@example.com", full_name="")
    breed = Breed.objects.filter(species__slug="dog").first()
    herd = AnimalFactory(owner=alice, name="Flock", is_group=True, head_count=12)
    AnimalFactory(
        owner=alice,
        name="Bella",
        breed=breed,
        microchip="985141000123457",
        colour="black",
        deceased=True,
        deceased_on=dt.date(2024, 2, 3),
        group=herd,
        photo=png("b.png"),
    )
    AnimalFactory(owner=alice, name="Charlie", date_of_birth=None)
    shared = AnimalFactory(owner=nameless, name="Daisy")
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.VIEW)
    AnimalFactory(name="Not mine")

    response = alice_api.get("/api/v1/animals/")

    assert response.status_code == 200
    mine = Animal.objects.filter(pk__in=[a["id"] for a in response.json()["results"]])
    expected = _serializer_answer(alice, mine.select_related("species", "breed", "owner"))
    assert response.json()["results"] == expected
    assert response.json()["count"] == 4
    assert [a["name"] for a in expected] == ["Bella", "Charlie", "Daisy", "Flock"]
    assert expected[0]["photo_url"].startswith("http://testserver/api/v1/animals/")
    assert expected[2]["owner_name"] == "nameless@example.com"
    assert [a["is_owner"] for a in expected] == [True, True, False, True]


def test_an_own_animal_shared_with_two_people_is_listed_once(alice_api, alice, bob):
    """No DISTINCT any more: the shared animals are an IN, not a join that repeats rows."""
    own = AnimalFactory(owner=alice, name="Own")
    for person in (bob, UserFactory()):
        AnimalAccess.objects.create(animal=own, user=person, permission=Permission.VIEW)
    shared = AnimalFactory(owner=bob, name="Shared")
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.EDIT)

    response = alice_api.get("/api/v1/animals/")

    assert [a["name"] for a in response.json()["results"]] == ["Own", "Shared"]
    assert response.json()["count"] == 2
    assert "DISTINCT" not in str(selectors.animals_owned_or_shared(alice).query)
