"""The owner's animal page says which practices see the animal, so it never claims
"nobody else sees this" while a practice does."""

import pytest

from records.practices import services as svc


@pytest.mark.django_db
def test_animal_page_names_the_practice_that_sees_the_animal(alice_client, favorite, rex):
    page = alice_client.get(f"/animals/{rex.pk}/").content.decode()
    assert "Practices that see Rex" in page
    assert "Riverside Vets" in page
    assert "No practice sees" not in page


@pytest.mark.django_db
def test_after_unfavoriting_the_page_says_no_practice_sees_the_animal(alice_client, favorite, rex):
    svc.favorite_delete(favorite=favorite)
    page = alice_client.get(f"/animals/{rex.pk}/").content.decode()
    assert "No practice sees Rex" in page
    assert "Riverside Vets" not in page


@pytest.mark.django_db
def test_a_favorite_limited_to_other_animals_is_not_listed(
    alice, alice_client, rex, riverside, now
):
    from tests.factories import AnimalFactory

    other = AnimalFactory(owner=alice, name="Bella")
    svc.favorite_create(owner=alice, practice=riverside, all_animals=False, animals=[other])
    page = alice_client.get(f"/animals/{rex.pk}/").content.decode()
    assert "No practice sees Rex" in page
