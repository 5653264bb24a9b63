"""Issue 7 §1.7: what the owner is told ("Your name and contact details: Not shared") is
what the practice sees, on every page and API answer of the practice side. One selector
(records.practices.access.client_identity) decides: the name, email and phone where the
favorite shares the profile; otherwise a pseudonymous label, stable for the practice,
different at another practice. An emergency share alone never shows the name."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from records.models import EntryKind
from records.practices import services as svc
from records.practices.access import client_identity, client_label
from tests.conftest import client_for
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def practice_side_answers(staff, practice, rex, record_request=None) -> dict[str, str]:
    """Every page and API answer of the practice side that names Rex's owner."""
    web, api = client_for(staff), api_for(staff)
    urls = {
        "web client list": (web, f"/workspace/{practice.pk}/"),
        "web animal": (web, f"/workspace/{practice.pk}/animals/{rex.pk}/"),
        "web owner-side animal page": (web, f"/animals/{rex.pk}/"),
        "api client list": (api, f"/api/v1/workspace/{practice.pk}/clients/"),
        "api animal": (api, f"/api/v1/workspace/{practice.pk}/animals/{rex.pk}/"),
        "api owner-side animal": (api, f"/api/v1/animals/{rex.pk}/"),
        "api owner-side entries": (api, f"/api/v1/animals/{rex.pk}/entries/"),
    }
    if record_request is not None:
        urls["web request queue"] = (web, f"/workspace/{practice.pk}/requests/")
        urls["web request"] = (web, f"/workspace/{practice.pk}/requests/{record_request.pk}/")
        urls["api request queue"] = (api, f"/api/v1/workspace/{practice.pk}/requests/")
    answers = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        answers[name] = response.content.decode()
    return answers


@pytest.fixture
def alice_entry(alice, rex):
    # An entry Alice wrote: its author must not name her either.
    return EntryFactory(
        animal=rex, kind=EntryKind.WEIGHT, weight_value=31, weight_unit="kg", author=alice
    )


def test_not_shared_means_no_name_and_no_contact_details_anywhere(
    now, alice, rex, carol, riverside, alice_entry
):
    alice.phone = "07700 900123"
    alice.save()
    favorite = svc.favorite_create(
        owner=alice, practice=riverside, share_profile=False, already_client=True
    )
    label = client_label(riverside.pk, alice.pk)
    answers = practice_side_answers(carol, riverside, rex, favorite.requests.get())
    for name, body in answers.items():
        for secret in ("Alice Owner", alice.email, "07700 900123"):
            assert secret not in body, f"{name} shows {secret}"
    for name in (
        "web client list",
        "web animal",
        "api client list",
        "api animal",
        "web request queue",
        "web request",
        "api request queue",
    ):
        assert label in answers[name], name
    # The owner's side keeps saying what the practice sees.
    page = client_for(alice).get(f"/favorites/{favorite.pk}/").content.decode()
    assert "Not shared" in page


def test_shared_means_the_name_and_contact_details(now, alice, rex, carol, riverside):
    alice.phone = "07700 900123"
    alice.save()
    svc.favorite_create(owner=alice, practice=riverside, share_profile=True)
    answers = practice_side_answers(carol, riverside, rex)
    for name in ("web client list", "web animal", "api client list", "api animal"):
        assert "Alice Owner" in answers[name], name
    assert "07700 900123" in answers["web client list"]
    assert alice.email in answers["api client list"]


def test_the_label_is_stable_and_differs_between_practices(
    now, alice, rex, carol, dave, riverside, hilltop
):
    svc.favorite_create(owner=alice, practice=riverside, share_profile=False)
    svc.favorite_create(owner=alice, practice=hilltop, share_profile=False)
    at_riverside = client_identity(riverside.pk, alice).name
    assert at_riverside == client_identity(riverside.pk, alice).name
    assert at_riverside != client_identity(hilltop.pk, alice).name
    assert at_riverside.startswith("Client ") and at_riverside.endswith("(name not shared)")
    # Web and API give the same label.
    row = api_for(carol).get(f"/api/v1/workspace/{riverside.pk}/clients/").json()["results"][0]
    assert row["owner"]["name"] == at_riverside and "email" not in row["owner"]
    assert at_riverside in client_for(carol).get(f"/workspace/{riverside.pk}/").content.decode()


def test_a_search_does_not_find_a_client_by_a_name_they_do_not_share(
    now, alice, rex, carol, riverside
):
    svc.favorite_create(owner=alice, practice=riverside, share_profile=False)
    body = api_for(carol).get(f"/api/v1/workspace/{riverside.pk}/clients/", {"q": "alice"})
    assert body.json()["results"] == []
    page = client_for(carol).get(f"/workspace/{riverside.pk}/?q=alice").content.decode()
    assert "No client matches" in page


def test_an_emergency_share_shows_the_animals_under_a_label(emergency_share, erin, harbour, rex):
    answers = practice_side_answers(erin, harbour, rex)
    for name, body in answers.items():
        assert "Alice Owner" not in body, name
    assert "Rex" in answers["web client list"]
    assert client_label(harbour.pk, rex.owner_id) in answers["api animal"]
    # The owner is told so when making a share.
    page = client_for(rex.owner).get("/emergency-shares/").content.decode()
    assert "not your name or contact details" in page
