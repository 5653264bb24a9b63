"""RFC 8058 one-click unsubscribe: a POST without session, cookies or CSRF token withdraws
at once; a tampered token is refused and changes nothing."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from consent.models import ConsentEvent
from consent.selectors import consent_given
from consent.sending import marketing_send
from consent.services import consent_grant
from consent.tokens import unsubscribe_token


@pytest.fixture
def subscribed(alice):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    return alice


def _unsubscribe_path_from_email(user) -> str:
    marketing_send(subject="News", body="Hello", recipients=[user.pk])
    header = mail.outbox[-1].extra_headers["List-Unsubscribe"]
    url = header.split(",")[0].strip().strip("<>")
    return urlsplit(url).path


def test_one_click_post_without_cookies_turns_marketing_off_at_once(subscribed):
    path = _unsubscribe_path_from_email(subscribed)
    client = Client(enforce_csrf_checks=True)  # no session, no cookies, CSRF enforced
    response = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not consent_given(subscribed, "marketing_email")
    latest = ConsentEvent.objects.filter(subject_key=f"user:{subscribed.pk}").last()
    assert (latest.action, latest.channel) == ("withdraw", "email_link")
    # the next send already skips her
    mail.outbox.clear()
    marketing_send(subject="More news", body="Hello", recipients=[subscribed.pk])
    assert mail.outbox == []


def test_a_tampered_token_gets_400_and_changes_nothing(subscribed, bob):
    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    forged = unsubscribe_token(f"user:{bob.pk}", "marketing_email")
    value, signature = token.rsplit(":", 1)
    tampered = [
        f"{value}:{signature[:-2]}xx",
        forged.rsplit(":", 1)[0] + ":" + signature,  # bob's payload, alice's signature
        "not-a-token",
    ]
    before = ConsentEvent.objects.count()
    client = Client(enforce_csrf_checks=True)
    for bad in tampered:
        response = client.post(f"/privacy/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert client.get(f"/privacy/unsubscribe/{bad}/").status_code == 400
    assert ConsentEvent.objects.count() == before
    assert consent_given(subscribed, "marketing_email")


def test_a_token_for_one_purpose_cannot_withdraw_another(subscribed):
    consent_grant(subject=subscribed, purpose="research", channel="web")
    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    Client().post(f"/privacy/unsubscribe/{token}/")
    assert consent_given(subscribed, "research")
    assert not consent_given(subscribed, "marketing_email")


def test_get_shows_a_confirm_page_and_changes_nothing(subscribed):
    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    response = Client().get(f"/privacy/unsubscribe/{token}/")
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert consent_given(subscribed, "marketing_email")


def test_old_links_keep_working_years_later(subscribed):
    import time_machine

    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    with time_machine.travel("2031-01-01T00:00:00Z"):
        assert Client().post(f"/privacy/unsubscribe/{token}/").status_code == 200
    assert not consent_given(subscribed, "marketing_email")


def test_a_second_click_writes_no_second_event(subscribed):
    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    Client().post(f"/privacy/unsubscribe/{token}/")
    count = ConsentEvent.objects.count()
    assert Client().post(f"/privacy/unsubscribe/{token}/").status_code == 200
    assert ConsentEvent.objects.count() == count


def test_the_api_unsubscribe_takes_the_same_token(subscribed):
    token = unsubscribe_token(f"user:{subscribed.pk}", "marketing_email")
    bad = Client().post("/api/v1/privacy/unsubscribe/", {"token": token + "x"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["token"]
    assert consent_given(subscribed, "marketing_email")
    ok = Client().post("/api/v1/privacy/unsubscribe/", {"token": token})
    assert ok.status_code == 200
    assert ok.json() == {"purpose": "marketing_email", "subscribed": False}
    assert not consent_given(subscribed, "marketing_email")


def test_a_production_site_url_without_https_is_flagged(settings):
    from consent.checks import site_url_is_https

    settings.DEBUG = False
    settings.SITE_URL = "http://vetpass.example"
    assert [w.id for w in site_url_is_https()] == ["consent.W001"]
    settings.SITE_URL = "https://vetpass.example"
    assert site_url_is_https() == []
