"""Animals and herds over /api/v1/animals/: the same services and selectors as the web."""

from __future__ import annotations

import pytest

from records.models import Animal, AnimalAccess, Permission
from tests.api.files import png
from tests.factories import AnimalFactory, UserFactory, species

pytestmark = pytest.mark.django_db


def test_owner_lists_own_and_shared_animals_but_not_others(alice_api, alice, rex, tom):
    shared = AnimalFactory(name="Shared Pony", species=species("horse"))
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.VIEW)

    response = alice_api.get("/api/v1/animals/")

    assert response.status_code == 200
    names = [a["name"] for a in response.json()["results"]]
    assert names == ["Rex", "Shared Pony"]
    by_name = {a["name"]: a for a in response.json()["results"]}
    assert by_name["Rex"]["is_owner"] is True
    assert by_name["Shared Pony"]["is_owner"] is False
    assert response.json()["count"] == 2


def test_animal_list_filters_by_species_group_and_deceased(alice_api, alice, rex):
    AnimalFactory(owner=alice, name="Whiskers", species=species("cat"), deceased=True)
    AnimalFactory(
        owner=alice, name="Top field", species=species("sheep"), is_group=True, head_count=40
    )

    def names(query: str) -> list[str]:
        return [a["name"] for a in alice_api.get(f"/api/v1/animals/?{query}").json()["results"]]

    assert names("species=cat") == ["Whiskers"]
    assert names("is_group=true") == ["Top field"]
    assert names("is_group=false") == ["Rex", "Whiskers"]
    assert names("deceased=true") == ["Whiskers"]
    assert names("deceased=false&species=dog") == ["Rex"]


def test_animal_list_query_count_does_not_grow_with_animals(
    alice_api, alice, django_assert_max_num_queries
):
    for _ in range(3):
        AnimalFactory(owner=alice)
    with django_assert_max_num_queries(6) as few:
        assert alice_api.get("/api/v1/animals/").status_code == 200
    for _ in range(30):
        AnimalFactory(owner=alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_api.get("/api/v1/animals/")
    assert response.json()["count"] == 33


def test_owner_creates_an_animal(alice_api, alice):
    response = alice_api.post(
        "/api/v1/animals/",
        {"name": "Bella", "species": "dog", "sex": "female", "microchip": "985 141 000 999 999"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    animal = Animal.objects.get(pk=response.json()["id"])
    assert (animal.owner, animal.name, animal.microchip) == (alice, "Bella", "985141000999999")


def test_owner_creates_an_animal_with_a_photo_as_multipart(alice_api, alice):
    response = alice_api.post(
        "/api/v1/animals/",
        {"name": "Bella", "species": "dog", "photo": png()},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert "photo" not in body  # never a public /media/ link
    assert Animal.objects.get(pk=body["id"]).photo
    photo = alice_api.get(body["photo_url"])
    assert photo.status_code == 200
    assert photo["Cache-Control"] == "private, no-store"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")


def test_another_owners_photo_is_404(alice_api, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import AnimalFactory

    tom = AnimalFactory(owner=bob, name="Tom", photo=SimpleUploadedFile("t.png", png().read()))
    assert alice_api.get(f"/api/v1/animals/{tom.pk}/photo/").status_code == 404


def test_a_herd_needs_a_head_count(alice_api):
    response = alice_api.post(
        "/api/v1/animals/", {"name": "Top field", "species": "sheep", "is_group": True}
    )

    assert response.status_code == 400
    assert "head_count" in response.json()["error"]["fields"]
    assert not Animal.objects.filter(name="Top field").exists()


def test_breed_must_belong_to_the_species(alice_api):
    cat_breed = species("cat").breeds.first()
    response = alice_api.post(
        "/api/v1/animals/", {"name": "Odd", "species": "dog", "breed": cat_breed.pk}, format="json"
    )

    assert response.status_code == 400
    assert "breed" in response.json()["error"]["fields"]


def test_owner_updates_and_deletes_an_animal(alice_api, rex):
    response = alice_api.patch(
        f"/api/v1/animals/{rex.pk}/", {"colour": "Black and tan"}, format="json"
    )
    assert response.status_code == 200
    rex.refresh_from_db()
    assert rex.colour == "Black and tan"

    assert alice_api.delete(f"/api/v1/animals/{rex.pk}/").status_code == 204
    assert not Animal.objects.filter(pk=rex.pk).exists()


def test_edit_co_owner_may_update_but_not_delete(bob_api, bob, rex):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)

    assert (
        bob_api.patch(f"/api/v1/animals/{rex.pk}/", {"colour": "Tan"}, format="json").status_code
        == 200
    )
    assert bob_api.delete(f"/api/v1/animals/{rex.pk}/").status_code == 404
    assert Animal.objects.filter(pk=rex.pk).exists()


def test_moving_an_animal_into_and_out_of_a_herd_updates_head_counts(alice_api, alice):
    herd = AnimalFactory(
        owner=alice, name="Flock", species=species("sheep"), is_group=True, head_count=10
    )
    ewe = AnimalFactory(owner=alice, name="Dolly", species=species("sheep"))

    response = alice_api.post(f"/api/v1/animals/{ewe.pk}/move/", {"group": herd.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["group"] == herd.pk
    herd.refresh_from_db()
    assert herd.head_count == 11

    response = alice_api.post(f"/api/v1/animals/{ewe.pk}/move/", {"group": None}, format="json")
    assert response.status_code == 200
    assert response.json()["group"] is None
    herd.refresh_from_db()
    assert herd.head_count == 10


def test_cannot_move_an_animal_into_someone_elses_herd(alice_api, rex, bob):
    herd = AnimalFactory(owner=bob, species=species("sheep"), is_group=True, head_count=5)

    response = alice_api.post(f"/api/v1/animals/{rex.pk}/move/", {"group": herd.pk}, format="json")

    assert response.status_code == 400
    assert "group" in response.json()["error"]["fields"]
    rex.refresh_from_db()
    assert rex.group_id is None


def test_species_reference_data_lists_breeds_and_care_summaries(alice_api):
    response = alice_api.get("/api/v1/species/")

    assert response.status_code == 200
    dog = next(s for s in response.json() if s["slug"] == "dog")
    assert dog["care_summary"]
    assert any(b["name"] == "Labrador Retriever" for b in dog["breeds"])


def test_other_people_are_invisible_even_in_bulk(alice_api, alice):
    for _ in range(5):
        AnimalFactory(owner=UserFactory())
    assert alice_api.get("/api/v1/animals/").json()["count"] == 0
