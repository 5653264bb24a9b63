"""A "no" to cookies is recorded like a "yes", and no choice is styled to nudge (issue 7
§2.7): refusing in the banner is in the consent history; accepting and refusing, turning on
and turning off, look the same."""

from __future__ import annotations

import re

from django.test import Client

from consent.models import ConsentEvent
from consent.services import consent_grant


def _events(user) -> list[tuple[str, str]]:
    return list(
        ConsentEvent.objects.filter(
            subject_key=f"user:{user.pk}", purpose__code="cookies_analytics"
        ).values_list("action", "wording")
    )


def test_refusing_cookies_in_the_banner_is_in_the_consent_history(alice, alice_client):
    response = alice_client.post("/privacy/cookies/", {"analytics": "no", "next": "/"})

    assert response.status_code == 302
    [(action, wording)] = _events(alice)
    assert action == "withdraw" and wording.endswith("[Essential cookies only]")
    history = alice_client.get("/privacy/history/").content.decode()
    assert "Essential cookies only" in history


def test_refusing_twice_records_one_refusal_and_accepting_later_is_recorded(alice, alice_client):
    alice_client.post("/privacy/cookies/", {"analytics": "no", "next": "/"})
    alice_client.post("/privacy/cookies/", {"analytics": "no", "next": "/"})
    alice_client.post("/privacy/cookies/", {"analytics": "yes", "next": "/"})

    assert [action for action, _ in _events(alice)] == ["withdraw", "grant"]


def test_an_anonymous_refusal_stays_in_the_cookie_only(reference_data):
    Client().post("/privacy/cookies/", {"analytics": "no", "next": "/"})

    assert not ConsentEvent.objects.exists()


def _button_class(html: str, label: str) -> str:
    match = re.search(r"<button([^>]*)>\s*" + re.escape(label), html)
    assert match, f"no button {label!r}"
    found = re.search(r'class="([^"]*)"', match.group(1))
    return found.group(1) if found else ""


def test_accepting_and_refusing_in_the_banner_look_the_same(reference_data):
    page = Client().get("/").content.decode()

    assert _button_class(page, "Accept analytics cookies") == _button_class(
        page, "Essential cookies only"
    )


def test_turn_on_and_turn_off_look_the_same_in_the_privacy_centre(alice, alice_client):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    page = alice_client.get("/privacy/").content.decode()

    assert _button_class(page, "Turn on research and statistics") == _button_class(
        page, "Turn off marketing email"
    )
