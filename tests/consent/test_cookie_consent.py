"""Cookie consent: essential only until the visitor chooses; analytics only after a yes;
the choice in a cookie, and in the ledger for a signed-in person; works without JS."""

from django.test import Client

from consent.cookies import COOKIE_NAME
from consent.models import ConsentEvent
from consent.selectors import consent_given
from consent.services import consent_grant
from tests.conftest import client_for

ANALYTICS = b"js/consent-analytics.js"


def test_first_visit_shows_the_banner_and_no_analytics(reference_data):
    response = Client().get("/")
    assert b'id="cookie-banner"' in response.content
    assert ANALYTICS not in response.content
    assert COOKIE_NAME not in response.cookies


def test_the_banner_is_a_plain_form_with_no_inline_script(reference_data):
    page = Client().get("/").content.decode()
    banner = page[page.index('id="cookie-banner"') : page.index("</section>")]
    assert 'action="/privacy/cookies/"' in banner and 'name="analytics"' in banner
    assert "<script>" not in page and "onclick" not in page and "style=" not in page


def test_accepting_analytics_stores_the_choice_and_loads_analytics(reference_data):
    client = Client(enforce_csrf_checks=False)
    response = client.post("/privacy/cookies/", {"analytics": "yes", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies[COOKIE_NAME].value == "yes"
    page = client.get("/").content
    assert b'id="cookie-banner"' not in page
    assert ANALYTICS in page
    assert not ConsentEvent.objects.exists()  # an anonymous visitor has no ledger entry


def test_essential_only_hides_the_banner_without_analytics(reference_data):
    client = Client()
    client.post("/privacy/cookies/", {"analytics": "no", "next": "/"})
    page = client.get("/").content
    assert b'id="cookie-banner"' not in page and ANALYTICS not in page


def test_a_signed_in_choice_is_recorded_in_the_ledger_and_changeable(alice, alice_client):
    alice_client.post("/privacy/cookies/", {"analytics": "yes", "next": "/"})
    assert consent_given(alice, "cookies_analytics")
    settings_page = alice_client.get("/privacy/cookies/")
    assert b"analytics cookies on" in settings_page.content
    alice_client.post("/privacy/cookies/", {"analytics": "no", "next": "/"})
    assert not consent_given(alice, "cookies_analytics")
    assert ANALYTICS not in alice_client.get("/").content
    actions = list(
        ConsentEvent.objects.filter(purpose__code="cookies_analytics").values_list(
            "action", flat=True
        )
    )
    assert actions == ["grant", "withdraw"]


def test_the_ledger_choice_follows_the_person_to_a_new_device(alice):
    consent_grant(subject=alice, purpose="cookies_analytics", channel="web")
    page = client_for(alice).get("/").content  # a fresh client: no cookie
    assert b'id="cookie-banner"' not in page and ANALYTICS in page


def test_the_footer_links_to_cookie_settings_on_every_page(reference_data):
    assert b'href="/privacy/cookies/">Cookie settings</a>' in Client().get("/").content


def test_no_choice_gives_a_clear_error(reference_data):
    response = Client().post("/privacy/cookies/", {"next": "/"})
    assert response.status_code == 400
    assert b"Choose whether to accept analytics cookies." in response.content


def test_an_outside_next_url_is_not_followed(reference_data):
    response = Client().post(
        "/privacy/cookies/", {"analytics": "no", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/privacy/cookies/"


def test_a_restricted_person_gets_no_analytics_even_after_saying_yes(alice, alice_client):
    from vetpass.accounts.models import User

    alice_client.post("/privacy/cookies/", {"analytics": "yes", "next": "/"})
    User.objects.filter(pk=alice.pk).update(restricted_at="2026-01-01T00:00:00Z")
    assert ANALYTICS not in alice_client.get("/").content


def test_templates_rendered_without_a_request_user_do_not_break(rf, reference_data):
    from django.template.loader import render_to_string

    request = rf.get("/")  # no session, no user: as in a unit test of a template
    html = render_to_string("home.html", request=request)
    assert 'id="cookie-banner"' in html
