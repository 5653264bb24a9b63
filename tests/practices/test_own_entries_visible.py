"""Issue 7 §2.1: what a practice wrote is its own record. When the owner shares only
some kinds of record, the practice's staff still see the entries their practice wrote
(typed in the workspace or imported), on the web and in the API — and still nothing
else the owner did not share, nor what another practice wrote."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from records.models import AccessLog, EntryKind, EntrySource
from records.practices import services as svc
from records.selectors import entries_for, get_animal_for_user, get_entry_for_user
from tests.conftest import client_for
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

NOTE = "Left fore lameness; rest advised."


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def vaccinations_only(now, alice, rex, riverside, hilltop):
    svc.favorite_create(owner=alice, practice=riverside, kinds=[EntryKind.VACCINATION])
    owners_note = EntryFactory(animal=rex, kind=EntryKind.CLINICAL_NOTE, notes="Owner's worry")
    hilltops_note = EntryFactory(
        animal=rex,
        kind=EntryKind.CLINICAL_NOTE,
        notes="Hilltop's note",
        source=EntrySource.PRACTICE,
        practice=hilltop,
    )
    return owners_note, hilltops_note


def test_an_entry_the_vet_adds_is_in_the_list_on_web_and_api(
    vaccinations_only, carol, riverside, rex
):
    web = client_for(carol)
    url = f"/workspace/{riverside.pk}/animals/{rex.pk}/"
    response = web.post(
        url + "entries/new/",
        {"kind": "clinical_note", "occurred_on": "2026-03-01", "notes": NOTE},
        follow=True,
    )
    assert "Entry added." in response.content.decode()
    page = response.content.decode()
    assert NOTE in page
    assert "Owner&#x27;s worry" not in page and "Hilltop" not in page
    body = api_for(carol).get(f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/").json()
    assert [e["notes"] for e in body["entries"]] == [NOTE]
    # The owner-side doors the staff may use agree.
    rows = api_for(carol).get(f"/api/v1/animals/{rex.pk}/entries/").json()["results"]
    assert [e["notes"] for e in rows] == [NOTE]
    assert NOTE in web.get(f"/animals/{rex.pk}/").content.decode()


def test_imported_clinical_notes_are_seen_by_the_practice_that_imported_them(
    vaccinations_only, carol, riverside, rex, alice
):
    favorite = alice.favorites.get(practice=riverside)
    from records.models import RecordRequest

    record_request = RecordRequest.objects.create(
        favorite=favorite, practice=riverside, owner=alice
    )
    csv = f"animal,kind,date,notes\n{rex.pk},clinical_note,2025-06-01,{NOTE}\n"
    result = svc.record_request_import(
        record_request=record_request,
        membership=carol.memberships.get(),
        content=csv.encode(),
        filename="notes.csv",
        dry_run=False,
    )
    assert result.imported == 1
    vis = get_animal_for_user(carol, rex.pk)
    assert [e.notes for e in entries_for(vis)] == [NOTE]


def test_the_entry_itself_opens_and_is_access_logged(vaccinations_only, carol, riverside, rex):
    owners_note, hilltops_note = vaccinations_only
    own = EntryFactory(
        animal=rex,
        kind=EntryKind.EXAMINATION,
        notes="Heart normal",
        source=EntrySource.PRACTICE,
        practice=riverside,
        author=carol,
    )
    before = AccessLog.objects.filter(viewer=carol).count()
    entry, _vis = get_entry_for_user(carol, own.pk)
    assert entry == own
    assert AccessLog.objects.filter(viewer=carol).count() == before + 1
    assert api_for(carol).get(f"/api/v1/entries/{own.pk}/").status_code == 200
    for hidden in (owners_note, hilltops_note):
        assert api_for(carol).get(f"/api/v1/entries/{hidden.pk}/").status_code == 404
