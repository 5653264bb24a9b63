"""allauth's account pages after sign-up (email change, password reset) in our pattern."""

import pytest
from django.urls import reverse

from tests.conftest import client_for


@pytest.mark.django_db
def test_email_change_shows_errors_in_our_pattern_and_then_the_pending_address(alice, mailoutbox):
    client = client_for(alice)
    bad = client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})
    html = bad.content.decode()
    assert 'class="error-summary"' in html and 'id="id_email-error"' in html
    assert 'value="not-an-email"' in html

    client.post(reverse("account_email"), {"action_add": "", "email": "alice.new@example.com"})
    page = client.get(reverse("account_email")).content.decode()
    assert "alice.new@example.com" in page
    assert " style=" not in page
    assert any("alice.new@example.com" in m.to for m in mailoutbox)


@pytest.mark.django_db
def test_password_reset_refuses_a_malformed_address_in_our_pattern(client):
    response = client.post(reverse("account_reset_password"), {"email": "nope"})
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_email"' in html
