"""Sign-up asks for name, date of birth and where the person lives; under-16s are refused
with a clear message in our error pattern, and nothing is created."""

import datetime as dt

import pytest
from django.urls import reverse

from vetpass.accounts.models import User

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def signup_data(**overrides):
    data = {
        "email": "newbie@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "full_name": "New Person",
        "date_of_birth": "1990-01-01",
        "country": "GB",
        "region": "",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


@pytest.mark.django_db
def test_signup_page_asks_for_name_birth_date_country_and_region(client):
    html = client.get(reverse("account_signup")).content.decode()
    for name in ("email", "password1", "full_name", "date_of_birth", "country", "region"):
        assert f'name="{name}"' in html
    assert 'type="date"' in html
    assert '<label for="id_full_name">' in html


@pytest.mark.django_db
def test_under_sixteen_is_refused_with_a_clear_message(client):
    response = client.post(reverse("account_signup"), signup_data(date_of_birth="2010-03-11"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'href="#id_date_of_birth"' in html
    assert 'id="id_date_of_birth-error"' in html
    assert "You must be 16 or older to use VetPass." in html
    assert 'value="New Person"' in html and 'value="newbie@example.com"' in html
    assert not User.objects.filter(email="newbie@example.com").exists()


@pytest.mark.django_db
def test_sixteen_today_may_sign_up_and_jurisdiction_is_derived(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        signup_data(date_of_birth="2010-03-10", country="US", region="CA"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="newbie@example.com")
    assert (user.full_name, user.date_of_birth, user.jurisdiction) == (
        "New Person",
        dt.date(2010, 3, 10),
        "us-ca",
    )
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_us_signup_without_state_is_asked_for_it(client):
    response = client.post(reverse("account_signup"), signup_data(country="US"))
    html = response.content.decode()
    assert 'id="id_region-error"' in html and "Tell us your state" in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_mismatched_passwords_use_our_error_pattern(client):
    response = client.post(reverse("account_signup"), signup_data(password2="different-thing"))
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'id="id_password2-error"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_login_page_uses_our_layout_and_error_pattern(client, alice):
    response = client.post(
        reverse("account_login"), {"login": "alice@example.com", "password": "wrong"}
    )
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "css/vetpass.css" in html
    assert 'value="alice@example.com"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["account_reset_password", "account_email", "account_change_password", "account_logout"],
)
def test_allauth_pages_render_in_our_layout(client, alice, name):
    from tests.conftest import client_for

    html = client_for(alice).get(reverse(name)).content.decode()
    assert "css/vetpass.css" in html
    assert 'class="skip-link"' in html


@pytest.mark.django_db
def test_country_is_not_preselected_and_missing_answers_are_named(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert '<option value="" selected>Choose a country</option>' in html
    response = client.post(reverse("account_signup"), signup_data(country="", full_name=""))
    html = response.content.decode()
    assert '<a href="#id_country">Country you live in is required.</a>' in html
    assert '<a href="#id_full_name">Full name is required.</a>' in html
    assert not User.objects.exists()
