"""The vet workspace: clinical entries by staff, the VCPR date, restricted owners."""

import pytest
from django.utils import timezone

from records.models import Entry, EntryKind, EntrySource
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_examination_by_staff_is_a_practice_entry_and_sets_the_vcpr_date(
    favorite, carol, riverside, rex
):
    client = client_for(carol)
    url = f"/workspace/{riverside.pk}/animals/{rex.pk}/"
    assert "no clinical examination by this practice yet" in client.get(url).content.decode()
    response = client.post(
        url + "entries/new/",
        {"kind": "examination", "occurred_on": "2026-03-01", "notes": "Heart and lungs normal."},
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.kind, entry.source, entry.author, entry.practice) == (
        EntryKind.EXAMINATION,
        EntrySource.PRACTICE,
        carol,
        riverside,
    )
    assert "1 March 2026" in client.get(url).content.decode()
    body = client.get(f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/").json()
    assert body["vcpr_date"] == "2026-03-01"


def test_entry_errors_are_shown_and_nothing_saved(favorite, carol, riverside, rex):
    page = client_for(carol).post(
        f"/workspace/{riverside.pk}/animals/{rex.pk}/entries/new/",
        {"kind": "vaccination", "occurred_on": "2026-03-01"},
    )
    assert "There is a problem" in page.content.decode()
    assert "Enter the vaccine (product)." in page.content.decode()
    assert not Entry.objects.exists()
    response = client_for(carol).post(
        f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/entries/",
        {"kind": "vaccination", "occurred_on": "2026-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "vaccine_product" in response.json()["error"]["fields"]


def test_restricted_owner_is_shown_restricted_and_read_only(favorite, alice, carol, riverside, rex):
    alice.restricted_at = timezone.now()
    alice.save()
    client = client_for(carol)
    page = client.get(f"/workspace/{riverside.pk}/").content.decode()
    assert "Restricted: read-only" in page
    page = client.get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").content.decode()
    assert "read-only" in page and "Record a clinical examination" not in page
    client.post(
        f"/workspace/{riverside.pk}/animals/{rex.pk}/entries/new/",
        {"kind": "clinical_note", "occurred_on": "2026-03-01", "notes": "x"},
    )
    response = client.post(
        f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/entries/",
        {"kind": "clinical_note", "occurred_on": "2026-03-01", "notes": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Entry.objects.exists()
    assert client.get(f"/api/v1/workspace/{riverside.pk}/clients/").json()["results"][0]["owner"][
        "restricted"
    ]


def test_profile_details_shown_only_when_shared(alice, rex, carol, riverside):
    from records.practices import services as svc

    alice.phone = "07700 900123"
    alice.save()
    svc.favorite_create(owner=alice, practice=riverside, share_profile=False)
    page = client_for(carol).get(f"/workspace/{riverside.pk}/").content.decode()
    assert "07700 900123" not in page and alice.email not in page
    # Nor the name: the owner was told "name and contact details: not shared" (§1.7).
    assert "Alice Owner" not in page and "(name not shared)" in page
