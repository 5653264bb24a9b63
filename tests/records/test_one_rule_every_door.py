"""Issue 7 §1.1 and §1.4 (owner side): each rule lives in a service or selector, and the
web views and the API both obey it with the same answer.

Answers: an object one may not know of is a 404; for one the person may see but not
change (a practice's entry, a herd move by a co-owner) the API answers 404 as the web
always did; a refused value (an owner's "examination") is a field error on `kind`."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from records import services
from records.models import (
    AccessLog,
    Animal,
    AnimalAccess,
    Entry,
    EntryKind,
    EntrySource,
    Permission,
)
from records.practices import services as practice_services
from records.selectors import get_animal_for_user
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- §1.1 an entry a practice wrote is the practice's record ----------------------------


@pytest.fixture(params=[EntrySource.PRACTICE, EntrySource.IMPORT])
def practice_entry(request, rex, riverside, carol):
    return EntryFactory(
        animal=rex,
        kind=EntryKind.CLINICAL_NOTE,
        notes="Left fore lameness; rest advised.",
        source=request.param,
        practice=riverside,
        author=carol,
    )


def _unchanged(entry):
    fresh = Entry.objects.get(pk=entry.pk)
    assert fresh.notes == "Left fore lameness; rest advised."


def test_the_service_refuses_an_owner_changing_or_deleting_a_practice_entry(practice_entry, alice):
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=practice_entry, actor=alice, notes="Nothing wrong.")
    with pytest.raises(PermissionDenied):
        services.entry_delete(entry=practice_entry, actor=alice)
    _unchanged(practice_entry)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_the_api_answers_404_like_the_web_and_changes_nothing(practice_entry, alice, method):
    url = f"/api/v1/entries/{practice_entry.pk}/"
    body = {"notes": "Nothing wrong.", "occurred_on": "2026-01-01"}
    response = getattr(api_for(alice), method)(url, body, format="json")
    assert response.status_code == 404
    _unchanged(practice_entry)
    # The web, the same answer for the same entry.
    web = client_for(alice)
    assert web.get(f"/entries/{practice_entry.pk}/edit/").status_code == 404
    assert web.post(f"/entries/{practice_entry.pk}/edit/", body).status_code == 404
    assert web.post(f"/entries/{practice_entry.pk}/delete/").status_code == 404
    _unchanged(practice_entry)
    # Reading it stays open to the owner on both doors.
    assert api_for(alice).get(url).status_code == 200


def test_an_edit_co_owner_is_refused_a_practice_entry_too(practice_entry, rex, bob):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)
    response = api_for(bob).patch(
        f"/api/v1/entries/{practice_entry.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 404
    _unchanged(practice_entry)


def test_the_owner_still_changes_and_deletes_their_own_entries(alice, rex):
    entry = EntryFactory(animal=rex, kind=EntryKind.CLINICAL_NOTE, notes="Mine", author=alice)
    response = api_for(alice).patch(f"/api/v1/entries/{entry.pk}/", {"notes": "Still mine"})
    assert response.status_code == 200 and response.json()["notes"] == "Still mine"
    assert api_for(alice).delete(f"/api/v1/entries/{entry.pk}/").status_code == 204


# --- §1.4 owners do not record clinical examinations ------------------------------------


def test_an_owner_cannot_record_an_examination_through_the_service(alice, rex):
    with pytest.raises(ValidationError) as exc:
        services.entry_create(
            animal=rex, author=alice, kind=EntryKind.EXAMINATION, notes="Heart normal"
        )
    assert "kind" in exc.value.message_dict


def test_web_and_api_refuse_an_owners_examination_on_the_kind(alice, rex):
    response = api_for(alice).post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "examination", "occurred_on": "2026-01-01", "notes": "Heart normal"},
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    page = client_for(alice).post(
        f"/animals/{rex.pk}/entries/add/?kind=examination",
        {"occurred_on": "2026-01-01", "notes": "Heart normal"},
    )
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert not Entry.objects.exists()


# --- §1.4 only the owner arranges herds -------------------------------------------------


@pytest.fixture
def herd(alice):
    return AnimalFactory(owner=alice, name="Flock", is_group=True, head_count=3)


def test_the_service_refuses_a_co_owner_moving_an_animal(herd, rex, bob):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)
    with pytest.raises(PermissionDenied):
        services.animal_move_to_group(animal=rex, group=herd, actor=bob)
    rex.refresh_from_db()
    assert rex.group_id is None


def test_a_co_owner_moving_an_animal_gets_404_in_the_api_and_nothing_on_the_web(
    herd, rex, bob, alice
):
    for animal in (rex, herd):
        AnimalAccess.objects.create(animal=animal, user=bob, permission=Permission.EDIT)
    response = api_for(bob).post(
        f"/api/v1/animals/{rex.pk}/move/", {"group": herd.pk}, format="json"
    )
    assert response.status_code == 404
    # The web form offers a co-owner no herd: a posted one is ignored.
    form = client_for(bob).get(f"/animals/{rex.pk}/edit/").content.decode()
    assert 'name="group"' not in form
    client_for(bob).post(
        f"/animals/{rex.pk}/edit/",
        {"name": "Rex", "species": rex.species_id, "sex": "female", "group": herd.pk},
    )
    rex.refresh_from_db()
    herd.refresh_from_db()
    assert rex.group_id is None and herd.head_count == 3
    # The owner still moves it, through the same service.
    response = api_for(alice).post(
        f"/api/v1/animals/{rex.pk}/move/", {"group": herd.pk}, format="json"
    )
    assert response.status_code == 200
    assert Animal.objects.get(pk=herd.pk).head_count == 4


# --- §1.4 the co-owner list is the owner's -----------------------------------------------


def test_a_co_owner_sees_no_co_owner_list_on_either_door(rex, alice, bob):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)
    assert api_for(bob).get(f"/api/v1/animals/{rex.pk}/co-owners/").status_code == 404
    assert client_for(bob).get(f"/animals/{rex.pk}/co-owners/").status_code == 404
    # The owner sees it on both.
    rows = api_for(alice).get(f"/api/v1/animals/{rex.pk}/co-owners/").json()["results"]
    assert [r["email"] for r in rows] == [bob.email]
    assert bob.email in client_for(alice).get(f"/animals/{rex.pk}/co-owners/").content.decode()


def test_staff_asking_for_the_co_owner_list_get_404_and_no_logged_read(
    rex, alice, carol, riverside
):
    practice_services.favorite_create(owner=alice, practice=riverside)
    assert get_animal_for_user(carol, rex.pk).via is not None  # carol may see Rex
    before = AccessLog.objects.count()
    assert api_for(carol).get(f"/api/v1/animals/{rex.pk}/co-owners/").status_code == 404
    assert client_for(carol).get(f"/animals/{rex.pk}/co-owners/").status_code == 404
    assert AccessLog.objects.count() == before


# --- §1.4 staff add no documents ----------------------------------------------------------


def test_the_service_refuses_a_document_from_practice_staff(rex, alice, carol, riverside):
    from django.core.files.uploadedfile import SimpleUploadedFile

    practice_services.favorite_create(owner=alice, practice=riverside)
    vis = get_animal_for_user(carol, rex.pk)
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        practice_services.clinical_entry_create(
            vis=vis, author=carol, kind=EntryKind.DOCUMENT, document=pdf, occurred_on="2026-01-01"
        )
    assert "kind" in exc.value.message_dict
    assert not Entry.objects.exists()
