"""Who may do what over the API (DESIGN.md rule 1): someone else's animal answers 404,
never its data; anonymous callers get 401; a view-only co-owner reads but cannot change."""

from __future__ import annotations

import pytest

from records.models import Animal, AnimalAccess, Entry, Permission
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def _assert_404_without_data(response, *secrets: str) -> None:
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    for secret in secrets:
        assert secret not in response.content.decode()


def test_alice_cannot_retrieve_update_or_delete_bobs_tom(alice_api, tom):
    url = f"/api/v1/animals/{tom.pk}/"
    _assert_404_without_data(alice_api.get(url), "Tom")
    _assert_404_without_data(alice_api.patch(url, {"name": "Mine"}, format="json"), "Tom")
    _assert_404_without_data(alice_api.put(url, {"name": "Mine", "species": "cat"}), "Tom")
    _assert_404_without_data(alice_api.delete(url), "Tom")
    _assert_404_without_data(alice_api.post(f"{url}move/", {"group": None}, format="json"), "Tom")
    tom.refresh_from_db()
    assert tom.name == "Tom"


def test_alice_cannot_see_or_add_to_toms_entries(alice_api, tom):
    entry = EntryFactory(animal=tom, notes="Bob's secret note")
    entries = f"/api/v1/animals/{tom.pk}/entries/"

    _assert_404_without_data(alice_api.get(entries), "secret")
    _assert_404_without_data(
        alice_api.post(entries, {"kind": "clinical_note", "notes": "hi"}, format="json")
    )
    # An invalid body does not turn the 404 into a 400 that would confirm Tom exists.
    _assert_404_without_data(alice_api.post(entries, {"kind": "nonsense"}, format="json"))
    _assert_404_without_data(alice_api.get(f"/api/v1/entries/{entry.pk}/"), "secret")
    _assert_404_without_data(
        alice_api.patch(f"/api/v1/entries/{entry.pk}/", {"notes": "x"}, format="json")
    )
    _assert_404_without_data(alice_api.delete(f"/api/v1/entries/{entry.pk}/"))
    assert Entry.objects.filter(animal=tom).count() == 1


def test_alice_cannot_invite_to_or_list_co_owners_of_tom(alice_api, tom):
    _assert_404_without_data(
        alice_api.post(
            f"/api/v1/animals/{tom.pk}/invitations/", {"email": "x@example.com"}, format="json"
        )
    )
    _assert_404_without_data(alice_api.get(f"/api/v1/animals/{tom.pk}/invitations/"))
    _assert_404_without_data(alice_api.get(f"/api/v1/animals/{tom.pk}/co-owners/"))


def test_an_animal_that_does_not_exist_answers_the_same_404(alice_api, tom):
    missing = alice_api.get("/api/v1/animals/999999/")
    hidden = alice_api.get(f"/api/v1/animals/{tom.pk}/")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/animals/"),
        ("post", "/api/v1/animals/"),
        ("get", "/api/v1/animals/{tom}/"),
        ("get", "/api/v1/animals/{tom}/entries/"),
        ("get", "/api/v1/profile/"),
        ("get", "/api/v1/invitations/received/"),
        ("get", "/api/v1/species/"),
    ],
)
def test_anonymous_callers_get_401(anon_api, tom, method, path):
    response = getattr(anon_api, method)(path.format(tom=tom.pk))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "Tom" not in response.content.decode()


def test_a_made_up_session_token_is_401(anon_api, tom):
    response = anon_api.get("/api/v1/animals/", HTTP_X_SESSION_TOKEN="not-a-real-token")
    assert response.status_code == 401


def test_view_only_co_owner_reads_but_cannot_change(alice_api, alice, tom):
    AnimalAccess.objects.create(animal=tom, user=alice, permission=Permission.VIEW)
    entry = EntryFactory(animal=tom, notes="Vaccinated")

    assert alice_api.get(f"/api/v1/animals/{tom.pk}/").json()["name"] == "Tom"
    assert alice_api.get(f"/api/v1/animals/{tom.pk}/entries/").json()["count"] == 1
    assert alice_api.get(f"/api/v1/entries/{entry.pk}/").status_code == 200

    assert (
        alice_api.patch(f"/api/v1/animals/{tom.pk}/", {"name": "X"}, format="json").status_code
        == 404
    )
    assert alice_api.delete(f"/api/v1/animals/{tom.pk}/").status_code == 404
    assert (
        alice_api.post(
            f"/api/v1/animals/{tom.pk}/entries/",
            {"kind": "clinical_note", "notes": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        alice_api.patch(f"/api/v1/entries/{entry.pk}/", {"notes": "x"}, format="json").status_code
        == 404
    )
    assert alice_api.delete(f"/api/v1/entries/{entry.pk}/").status_code == 404
    assert (Animal.objects.get(pk=tom.pk).name, Entry.objects.get().notes) == (
        "Tom",
        "Vaccinated",
    )
