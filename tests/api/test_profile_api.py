"""The profile over the API, through accounts.services.profile_update."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_profile_shows_the_signed_in_person(alice_api):
    body = alice_api.get("/api/v1/profile/").json()
    assert (body["email"], body["full_name"], body["jurisdiction"]) == (
        "alice@example.com",
        "Alice Owner",
        "uk",
    )


def test_profile_update_derives_the_jurisdiction(alice_api, alice):
    response = alice_api.patch(
        "/api/v1/profile/",
        {"country": "US", "region": "CA", "postcode": "94103", "phone": "+1 415 555 0100"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["jurisdiction"] == "us-ca"
    alice.refresh_from_db()
    assert (alice.postcode, alice.jurisdiction) == ("94103", "us-ca")


def test_email_and_jurisdiction_cannot_be_set_directly(alice_api, alice):
    alice_api.patch(
        "/api/v1/profile/", {"email": "evil@example.com", "jurisdiction": "other"}, format="json"
    )
    alice.refresh_from_db()
    assert (alice.email, alice.jurisdiction) == ("alice@example.com", "uk")


def test_under_16_date_of_birth_is_a_field_error_and_nothing_changes(alice_api, alice):
    today = timezone.localdate()
    young = today.replace(year=today.year - 10)
    response = alice_api.patch(
        "/api/v1/profile/",
        {"date_of_birth": young.isoformat(), "town": "Bath"},
        format="json",
    )

    assert response.status_code == 400
    assert "16 or older" in response.json()["error"]["fields"]["date_of_birth"][0]
    alice.refresh_from_db()
    assert (alice.date_of_birth, alice.town) == (dt.date(1985, 5, 17), "")
