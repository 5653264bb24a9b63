"""Record entries over /api/v1/: an animal's timeline, adding (with document upload),
changing and deleting entries."""

from __future__ import annotations

import datetime as dt

import pytest

from records.models import AnimalAccess, Entry, EntryKind, Permission
from tests.api.files import pdf, png
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_timeline_lists_entries_newest_first_and_filters_by_kind(alice_api, rex):
    EntryFactory(animal=rex, occurred_on=dt.date(2026, 1, 5), notes="Limping")
    EntryFactory(
        animal=rex,
        kind=EntryKind.WEIGHT,
        occurred_on=dt.date(2026, 3, 1),
        notes="",
        weight_value=31.5,
        weight_unit="kg",
    )

    everything = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/").json()
    weights = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/?kind=weight").json()

    assert [e["kind"] for e in everything["results"]] == ["weight", "clinical_note"]
    assert [e["summary"] for e in weights["results"]] == ["31.5 kg"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(10, "10 kg"), ("10.00", "10 kg"), (100, "100 kg"), ("10.50", "10.5 kg"), ("0.25", "0.25 kg")],
)
def test_a_weight_summary_is_a_plain_number_without_trailing_zeros(alice_api, rex, value, shown):
    # Decimal.normalize() alone wrote a round weight as "1E+1 kg".
    EntryFactory(animal=rex, kind=EntryKind.WEIGHT, notes="", weight_value=value, weight_unit="kg")

    listed = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/?kind=weight").json()

    assert [e["summary"] for e in listed["results"]] == [shown]
    assert Entry.objects.get(kind=EntryKind.WEIGHT).summary == shown


def test_unknown_kind_filter_is_a_field_error(alice_api, rex):
    response = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/?kind=horoscope")

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_timeline_query_count_does_not_grow_with_entries(
    alice_api, rex, django_assert_max_num_queries
):
    EntryFactory.create_batch(3, animal=rex)
    with django_assert_max_num_queries(8) as few:
        assert alice_api.get(f"/api/v1/animals/{rex.pk}/entries/").status_code == 200
    EntryFactory.create_batch(40, animal=rex)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/")
    assert response.json()["count"] == 43


def test_owner_adds_a_vaccination(alice_api, alice, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {
            "kind": "vaccination",
            "occurred_on": "2026-02-01",
            "vaccine_product": "Nobivac DHP",
            "manufacturer": "MSD",
            "batch_number": "A123",
            "next_due_on": "2027-02-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    entry = Entry.objects.get(pk=response.json()["id"])
    assert (entry.animal, entry.author, entry.source) == (rex, alice, "owner")
    assert response.json()["author_name"] == "Alice Owner"


def test_an_entry_needs_the_fields_of_its_kind(alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/", {"kind": "vaccination"}, format="json"
    )

    assert response.status_code == 400
    assert "vaccine_product" in response.json()["error"]["fields"]
    assert not Entry.objects.exists()


def test_owner_uploads_a_document_and_downloads_it_through_the_api(alice_api, rex, bob_api):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "document", "title": "Blood panel", "document": pdf()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    url = response.json()["document_url"]
    entry_id = response.json()["id"]
    assert url.endswith(f"/api/v1/entries/{entry_id}/document/")

    download = alice_api.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert bob_api.get(url).status_code == 404


def test_a_document_that_is_not_a_pdf_or_image_is_refused(alice_api, rex):
    fake = png("notes.pdf")  # a PNG dressed up as a PDF
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "document", "document": fake},
        format="multipart",
    )

    assert response.status_code == 400
    assert "document" in response.json()["error"]["fields"]
    assert not Entry.objects.exists()


def test_owner_changes_and_deletes_an_entry(alice_api, rex):
    entry = EntryFactory(animal=rex)

    response = alice_api.patch(
        f"/api/v1/entries/{entry.pk}/", {"notes": "Much better", "kind": "weight"}, format="json"
    )
    assert response.status_code == 200, response.json()
    entry.refresh_from_db()
    assert (entry.notes, entry.kind) == ("Much better", "clinical_note")  # kind never changes

    assert alice_api.get(f"/api/v1/entries/{entry.pk}/").json()["notes"] == "Much better"
    assert alice_api.delete(f"/api/v1/entries/{entry.pk}/").status_code == 204
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_a_field_of_another_kind_cannot_be_set_on_update(alice_api, rex):
    entry = EntryFactory(animal=rex)

    response = alice_api.patch(
        f"/api/v1/entries/{entry.pk}/", {"vaccine_product": "Nobivac"}, format="json"
    )

    assert response.status_code == 400
    assert "vaccine_product" in response.json()["error"]["fields"]


def test_edit_co_owner_adds_entries_as_themselves(bob_api, bob, rex):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)

    response = bob_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "allergy", "allergen": "Chicken"},
        format="json",
    )

    assert response.status_code == 201
    assert Entry.objects.get().author == bob
