"""The profile refuses what is not a name, a phone number, a postcode or a date of birth,
on the web and over the API alike, because accounts.services.profile_update decides (issue
7 §2.6). A refused change saves nothing; the date of birth the 16+ rule depends on cannot
be cleared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_client_for
from vetpass.accounts.models import User
from vetpass.accounts.services import profile_update

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 5, 17)


@pytest.fixture
def alice_api(alice):
    return api_client_for(alice)


def web_profile(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Alice Owner",
        "date_of_birth": BORN.isoformat(),
        "country": "GB",
        "region": "",
        "address_line1": "",
        "address_line2": "",
        "town": "Bristol",
        "postcode": "BS1 4DJ",
        "phone": "",
    }
    data.update(overrides)
    return data


def unchanged(alice: User) -> bool:
    saved = User.objects.get(pk=alice.pk)
    return (saved.full_name, saved.date_of_birth, saved.town, saved.phone, saved.postcode) == (
        "Alice Owner",
        BORN,
        "",
        "",
        "",
    )


BAD_INPUT = [
    ({"full_name": "   "}, "full_name", "Enter your full name."),
    ({"phone": "not a phone"}, "phone", "Enter a phone number"),
    ({"phone": "12345"}, "phone", "Enter a phone number"),
    ({"phone": "+44 1234 5678 9012 3456 789"}, "phone", "Enter a phone number"),
    ({"postcode": "!!!"}, "postcode", "Enter a UK postcode"),
    ({"postcode": "BS1 4DJX"}, "postcode", "Enter a UK postcode"),
    ({"country": "FR", "postcode": "!!!"}, "postcode", "letters, digits, spaces and hyphens"),
    ({"date_of_birth": ""}, "date_of_birth", "cannot be removed"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_web_profile_refuses_bad_input_beside_the_field(
    alice, alice_client, change, field, message
):
    response = alice_client.post(reverse("accounts:profile"), web_profile(**change))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in html
    # The form marks name and date of birth as needed, so a blank one reads "… is required."
    assert (
        message in html
        or f"{'Full name' if field == 'full_name' else 'Date of birth'} is required" in html
    )
    assert unchanged(alice)


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_api_profile_refuses_bad_input_as_a_field_error(alice, alice_api, change, field, message):
    body = {k: (None if k == "date_of_birth" and v == "" else v) for k, v in change.items()}
    response = alice_api.patch("/api/v1/profile/", {**body, "town": "Bristol"}, format="json")

    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["error"]["fields"][field])
    assert unchanged(alice)


def test_under_16_is_still_refused_by_the_service(alice):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="16 or older"):
        profile_update(user=alice, date_of_birth=today.replace(year=today.year - 10))
    assert unchanged(alice)


@pytest.mark.parametrize(
    ("change", "stored"),
    [
        ({"phone": "+44 (0)117 496-0000"}, ("phone", "+44 (0)117 496-0000")),
        ({"phone": " 0117 496 0000 "}, ("phone", "0117 496 0000")),
        ({"postcode": "bs14dj"}, ("postcode", "BS1 4DJ")),
        ({"postcode": "sw1a 1aa"}, ("postcode", "SW1A 1AA")),
        ({"country": "US", "region": "CA", "postcode": "94103-1234"}, ("postcode", "94103-1234")),
        ({"country": "NL", "postcode": "1012 AB"}, ("postcode", "1012 AB")),
        ({"full_name": "  Alice Changed "}, ("full_name", "Alice Changed")),
    ],
)
def test_real_names_numbers_and_postcodes_are_saved(alice, alice_client, alice_api, change, stored):
    response = alice_client.post(reverse("accounts:profile"), web_profile(**change))
    assert response.status_code == 302, response.content.decode()
    name, value = stored
    assert getattr(User.objects.get(pk=alice.pk), name) == value

    response = alice_api.patch("/api/v1/profile/", change, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()[name] == value


def test_an_account_without_a_date_of_birth_may_still_change_its_profile(carol):
    User.objects.filter(pk=carol.pk).update(date_of_birth=None)
    carol.refresh_from_db()

    profile_update(user=carol, full_name="Carol Vet", phone="0117 496 0000", date_of_birth=None)

    assert User.objects.get(pk=carol.pk).phone == "0117 496 0000"
