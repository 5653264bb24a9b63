"""Bad input on the API (issue 2, "Done when"): a clear field error in the one error format,
and nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from records.models import Animal, Entry
from tests.api.files import MB, pdf

pytestmark = pytest.mark.django_db


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    return body["fields"]


def test_a_16_digit_microchip_is_a_field_error(alice_api, alice):
    response = alice_api.post(
        "/api/v1/animals/",
        {"name": "Bella", "species": "dog", "microchip": "9851410001234567"},
        format="json",
    )

    assert "15-digit" in _fields(response)["microchip"][0]
    assert not Animal.objects.filter(owner=alice).exists()


def test_a_16_digit_microchip_on_update_changes_nothing(alice_api, rex):
    response = alice_api.patch(
        f"/api/v1/animals/{rex.pk}/",
        {"microchip": "9851410001234567", "colour": "Blue"},
        format="json",
    )

    assert "microchip" in _fields(response)
    rex.refresh_from_db()
    assert (rex.microchip, rex.colour) == ("985141000123456", "")


def test_a_date_of_birth_in_the_future_is_a_field_error(alice_api, alice):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = alice_api.post(
        "/api/v1/animals/",
        {"name": "Bella", "species": "dog", "date_of_birth": tomorrow.isoformat()},
        format="json",
    )

    assert _fields(response)["date_of_birth"] == ["This date cannot be in the future."]
    assert not Animal.objects.filter(owner=alice).exists()


def test_a_weight_of_minus_3_is_a_field_error(alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "weight", "weight_value": "-3", "weight_unit": "kg"},
        format="json",
    )

    assert _fields(response)["weight_value"] == ["Enter a number greater than zero."]
    assert Entry.objects.count() == 0


def test_a_30_mb_upload_is_a_field_error_on_document(alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "document", "title": "Scan", "document": pdf(size=30 * MB)},
        format="multipart",
    )

    message = _fields(response)["document"][0]
    assert "30 MB" in message and "limit is 10 MB" in message
    assert Entry.objects.count() == 0


def test_an_upload_just_over_10_mb_is_a_field_error_on_document(alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "document", "document": pdf(size=10 * MB + 300 * 1024)},
        format="multipart",
    )

    assert _fields(response)["document"] == ["The file is 10.3 MB; the limit is 10 MB."]
    assert Entry.objects.count() == 0


def test_a_30_mb_photo_is_a_field_error_on_photo(alice_api, alice):
    big = pdf("rex.png", size=30 * MB)
    response = alice_api.post(
        "/api/v1/animals/", {"name": "Bella", "species": "dog", "photo": big}, format="multipart"
    )

    assert "limit is 10 MB" in _fields(response)["photo"][0]
    assert not Animal.objects.filter(owner=alice).exists()


def test_a_body_django_refuses_answers_in_the_error_format(alice_api, rex):
    # Non-file data beyond DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django itself.
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/entries/",
        {"kind": "clinical_note", "notes": "x" * (6 * MB)},
        format="json",
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert Entry.objects.count() == 0


def test_several_bad_fields_are_reported_together(alice_api, alice):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = alice_api.post(
        "/api/v1/animals/",
        {
            "name": "",
            "species": "unicorn",
            "microchip": "123",
            "date_of_birth": tomorrow.isoformat(),
        },
        format="json",
    )

    assert set(_fields(response)) == {"name", "species", "microchip", "date_of_birth"}
    assert not Animal.objects.filter(owner=alice).exists()
