"""The mobile flow over HTTP alone (issue 2, "Done when"): sign in through allauth's
headless app API, then use /api/v1/ with the X-Session-Token header. No force_login."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client

from records.models import Animal, Entry
from tests.api.files import pdf

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def verified_alice(alice):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    return alice


def _sign_in(client: Client, email: str, password: str):
    return client.post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": password},
        content_type="application/json",
    )


def test_app_signs_in_lists_and_creates_animals_and_entries(verified_alice, password, rex):
    app = Client()
    login = _sign_in(app, "alice@example.com", password)
    assert login.status_code == 200, login.json()
    token = login.json()["meta"]["session_token"]
    headers = {"HTTP_X_SESSION_TOKEN": token}

    # A fresh client without cookies: the token alone authenticates.
    api = Client()
    animals = api.get("/api/v1/animals/", **headers)
    assert animals.status_code == 200
    assert [a["name"] for a in animals.json()["results"]] == ["Rex"]

    created = api.post(
        "/api/v1/animals/",
        {"name": "Bella", "species": "cat", "sex": "female"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.json()
    bella = created.json()["id"]

    entry = api.post(
        f"/api/v1/animals/{bella}/entries/",
        {"kind": "weight", "weight_value": "4.2", "weight_unit": "kg"},
        content_type="application/json",
        **headers,
    )
    assert entry.status_code == 201, entry.json()

    upload = api.post(
        f"/api/v1/animals/{bella}/entries/",
        {"kind": "document", "title": "Passport", "document": pdf("passport.pdf")},
        **headers,
    )
    assert upload.status_code == 201, upload.json()

    timeline = api.get(f"/api/v1/animals/{bella}/entries/", **headers)
    assert sorted(e["kind"] for e in timeline.json()["results"]) == ["document", "weight"]
    assert Animal.objects.get(pk=bella).owner == verified_alice
    assert Entry.objects.filter(animal_id=bella, author=verified_alice).count() == 2


def test_app_sign_in_with_a_wrong_password_gives_no_token(verified_alice):
    response = _sign_in(Client(), "alice@example.com", "wrong-password")
    assert response.status_code == 400
    assert "session_token" not in response.json().get("meta", {})


def test_app_sign_in_records_activity(verified_alice, password):
    with time_machine.travel(NOW, tick=False):
        assert _sign_in(Client(), "alice@example.com", password).status_code == 200
    verified_alice.refresh_from_db()
    assert verified_alice.last_activity_at == NOW
    assert verified_alice.last_activity_kind == "sign-in"


def test_signing_out_ends_the_token(verified_alice, password):
    token = _sign_in(Client(), "alice@example.com", password).json()["meta"]["session_token"]
    out = Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert out.status_code == 401  # allauth answers 401 once the session is gone
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_app_sign_in_with_an_unconfirmed_email_does_not_open_the_api(alice, password, rex):
    response = _sign_in(Client(), "alice@example.com", password)

    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    pending = [f["id"] for f in response.json()["data"]["flows"] if f.get("is_pending")]
    assert pending == ["verify_email"]
    # allauth hands out a token for the pending flow; it must not open the API.
    token = response.json()["meta"]["session_token"]
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 401
