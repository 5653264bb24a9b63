"""Only VetPass staff set a practice's subscription dates (issue 7 §1.6): the Kontak
policy's anonymisation of the practice's client data hangs on the end date. The practice
administrator sees them on the profile page but cannot change them by any door."""

from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from records.practices import services as svc
from tests.conftest import client_for, mfa_client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STARTS, ENDS = date(2026, 1, 1), date(2027, 12, 31)


@pytest.fixture
def practice(riverside):
    riverside.subscription_starts_on, riverside.subscription_ends_on = STARTS, ENDS
    riverside.latitude, riverside.longitude = 51.45, -2.59
    riverside.save()
    return riverside


@pytest.fixture
def practice_admin(reference_data, practice):
    user = UserFactory(email="pat.admin@example.com", full_name="Pat Admin")
    MembershipFactory(practice=practice, user=user, is_practice_admin=True)
    return user


@pytest.fixture
def vetpass_staff(reference_data):
    user = UserFactory(email="ops@vetpass.example", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def _dates(practice):
    practice.refresh_from_db()
    return practice.subscription_starts_on, practice.subscription_ends_on


def test_the_service_refuses_subscription_dates_from_a_practice_administrator(
    practice, practice_admin
):
    with pytest.raises(ValidationError) as exc:
        svc.practice_update(
            practice=practice,
            actor=practice_admin,
            name="Riverside Vets (renamed)",
            subscription_ends_on=date(2099, 1, 1),
        )
    assert "subscription_ends_on" in exc.value.message_dict
    assert _dates(practice) == (STARTS, ENDS)
    assert practice.name == "Riverside Vets"  # nothing half-saved


def test_the_service_lets_vetpass_staff_set_subscription_dates(practice, vetpass_staff):
    svc.practice_update(
        practice=practice, actor=vetpass_staff, subscription_ends_on=date(2028, 6, 30)
    )
    assert _dates(practice) == (STARTS, date(2028, 6, 30))


def test_saving_the_practice_profile_leaves_the_subscription_dates_unchanged(
    practice, practice_admin
):
    client = client_for(practice_admin)
    page = client.get(f"/workspace/{practice.pk}/profile/").content.decode()
    assert 'name="subscription_ends_on"' not in page
    assert "31 December 2027" in page  # shown, read-only

    response = client.post(
        f"/workspace/{practice.pk}/profile/",
        {
            "name": "Riverside Vets",
            "town": "Bristol",
            "postcode": "BS1 4DJ",
            "latitude": "51.45",
            "longitude": "-2.59",
            "participates": "on",
            # a hand-made POST: the form has no such fields, so they are ignored
            "subscription_starts_on": "",
            "subscription_ends_on": "2099-01-01",
        },
    )
    assert response.status_code == 302
    assert _dates(practice) == (STARTS, ENDS)


def test_vetpass_staff_set_subscription_dates_in_the_django_admin(practice, vetpass_staff):
    client = mfa_client_for(vetpass_staff)
    url = f"/admin/records/practice/{practice.pk}/change/"
    form = {
        "name": "Riverside Vets",
        "country": "GB",
        "postcode": "BS1 4DJ",
        "latitude": "51.45",
        "longitude": "-2.59",
        "participates": "on",
        "subscription_starts_on": "2026-01-01",
        "subscription_ends_on": "2028-03-31",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _dates(practice) == (STARTS, date(2028, 3, 31))

    wrong_order = client.post(url, {**form, "subscription_ends_on": "2025-01-01"})
    assert wrong_order.status_code == 200
    assert "The subscription must end after it starts." in wrong_order.content.decode()
    assert _dates(practice) == (STARTS, date(2028, 3, 31))


def test_a_new_postcode_without_coordinates_is_placed_on_the_map(practice, practice_admin):
    practice.latitude = practice.longitude = None
    practice.save()
    svc.practice_update(practice=practice, actor=practice_admin, postcode="LS1 4AP")
    practice.refresh_from_db()
    assert practice.latitude is not None and practice.longitude is not None


def test_vetpass_staff_add_a_practice_with_its_subscription_in_the_django_admin(vetpass_staff):
    from records.models import Practice

    response = mfa_client_for(vetpass_staff).post(
        "/admin/records/practice/add/",
        {
            "name": "Valley Vets",
            "country": "GB",
            "postcode": "LS1 4AP",
            "participates": "on",
            "subscription_starts_on": "2026-02-01",
            "subscription_ends_on": "2027-01-31",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    valley = Practice.objects.get(name="Valley Vets")
    assert (valley.subscription_starts_on, valley.subscription_ends_on) == (
        date(2026, 2, 1),
        date(2027, 1, 31),
    )
    assert valley.latitude is not None  # placed on the map by the service, as on the web
