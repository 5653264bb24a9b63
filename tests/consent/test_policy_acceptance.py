"""A new policy version that requires acceptance: web users go to the accept page, API
clients get error code policy_acceptance_required; accepting is a ledger event."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from consent.models import ConsentEvent, PolicyDocument, PolicyVersion
from consent.selectors import policy_versions_pending

EFFECTIVE = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def new_terms(reference_data):
    return PolicyVersion.objects.create(
        document=PolicyDocument.objects.get(kind="terms"),
        version="2.0",
        effective_from=EFFECTIVE,
        requires_acceptance=True,
        summary="Booking appointments is now part of VetPass.",
        body="New terms.",
    )


def test_nothing_is_asked_before_the_new_version_takes_effect(new_terms, alice, alice_client):
    with time_machine.travel(EFFECTIVE - timedelta(days=1), tick=False):
        assert alice_client.get("/").status_code == 200
        assert policy_versions_pending(alice) == []


def test_a_web_user_is_sent_to_the_accept_page_once_it_takes_effect(new_terms, alice, alice_client):
    with time_machine.travel(EFFECTIVE - timedelta(days=1), tick=False):
        alice_client.get("/")  # warms the gate's cache before the change
    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        response = alice_client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/privacy/policies/accept/?next=/")
        page = alice_client.get(response["Location"])
        assert b"Booking appointments is now part of VetPass." in page.content


def test_accepting_on_the_web_writes_a_ledger_event_and_lets_the_user_through(
    new_terms, alice, alice_client
):
    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        refused = alice_client.post("/privacy/policies/accept/", {"next": "/"})
        assert refused.status_code == 400
        assert b"Tick the box to accept" in refused.content
        assert not ConsentEvent.objects.filter(action="accept_policy").exists()
        accepted = alice_client.post("/privacy/policies/accept/", {"accept": "on", "next": "/"})
        assert accepted.status_code == 302 and accepted["Location"] == "/"
        event = ConsentEvent.objects.get(action="accept_policy")
        assert (event.subject_user_id, event.policy_version_id, event.channel) == (
            alice.pk,
            new_terms.pk,
            "web",
        )
        assert alice_client.get("/").status_code == 200


def test_an_api_client_gets_a_clear_error_code_and_can_accept_through_the_api(
    new_terms, alice, alice_client
):
    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        blocked = alice_client.get("/api/v1/schema/")  # exempt: the app must read the schema
        assert blocked.status_code == 200
        blocked = alice_client.get("/api/v1/anything-else/")
        assert blocked.status_code == 403
        error = blocked.json()["error"]
        assert error["code"] == "policy_acceptance_required"
        assert [v["id"] for v in error["versions"]] == [new_terms.pk]
        assert error["accept_url"] == "/api/v1/privacy/policies/accept/"
        pending = alice_client.get("/api/v1/privacy/policies/").json()["pending"]
        assert [v["version"] for v in pending] == ["2.0"]
        accepted = alice_client.post(
            "/api/v1/privacy/policies/accept/",
            {"versions": [new_terms.pk]},
            content_type="application/json",
        )
        assert accepted.status_code == 201
        assert accepted.json()[0]["action"] == "accept_policy"
        assert ConsentEvent.objects.get(action="accept_policy").channel == "api"
        assert alice_client.get("/api/v1/anything-else/").status_code == 404


def test_accepting_a_version_not_in_force_is_refused(new_terms, alice_client):
    with time_machine.travel(EFFECTIVE - timedelta(days=1), tick=False):
        response = alice_client.post(
            "/api/v1/privacy/policies/accept/",
            {"versions": [new_terms.pk]},
            content_type="application/json",
        )
    assert response.status_code == 400
    assert "versions" in response.json()["error"]["fields"]
    assert not ConsentEvent.objects.filter(action="accept_policy").exists()


def test_a_version_that_needs_no_acceptance_asks_nothing(reference_data, alice, alice_client):
    PolicyVersion.objects.create(
        document=PolicyDocument.objects.get(kind="cookies"),
        version="1.1",
        effective_from=EFFECTIVE,
        requires_acceptance=False,
        body="Clarified wording.",
    )
    with time_machine.travel(EFFECTIVE + timedelta(days=1), tick=False):
        assert alice_client.get("/").status_code == 200


def test_the_privacy_centre_stays_open_before_accepting(new_terms, alice_client):
    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        assert alice_client.get("/privacy/").status_code == 200


def test_the_gate_adds_no_query_once_accepted(
    new_terms, alice, alice_client, django_assert_max_num_queries
):
    from consent.models import Channel
    from consent.services import policy_accept

    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        policy_accept(user=alice, versions=[new_terms], channel=Channel.WEB)
        alice_client.get("/")  # fills the caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            alice_client.get("/")
        assert not any("consent_" in q["sql"] for q in queries.captured_queries)


def test_a_mobile_app_signed_in_with_a_session_token_gets_the_error_code(new_terms, alice):
    from allauth.account.models import EmailAddress
    from django.test import Client

    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    app = Client()
    login = app.post(
        "/_allauth/app/v1/auth/login",
        {"email": alice.email, "password": "correct-horse-battery-staple"},
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]
    assert "sessionid" not in app.cookies  # only the token identifies the app
    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        blocked = app.get("/api/v1/anything/", headers={"X-Session-Token": token})
        assert blocked.status_code == 403
        assert blocked.json()["error"]["code"] == "policy_acceptance_required"
        accepted = app.post(
            "/api/v1/privacy/policies/accept/",
            {"versions": [new_terms.pk]},
            content_type="application/json",
            headers={"X-Session-Token": token},
        )
        assert accepted.status_code == 201
        through = app.get("/api/v1/privacy/consents/", headers={"X-Session-Token": token})
        assert through.status_code == 200
        assert app.get("/api/v1/anything/", headers={"X-Session-Token": token}).status_code == 404


def test_with_nothing_to_accept_the_gate_costs_no_query_even_across_time_travel(
    alice, alice_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice_client.get("/")  # fills the per-process cache
    later = time_machine.travel(EFFECTIVE + timedelta(days=400), tick=False)
    with later, CaptureQueriesContext(connection) as queries:
        alice_client.get("/")
    assert not any("consent_policyversion" in q["sql"] for q in queries.captured_queries)


def test_the_gate_reads_its_accepted_mark_with_the_account_not_on_its_own(
    new_terms, alice, alice_client, monkeypatch
):
    """Issue 10: the mark comes in the same cache round trip as the signed-in account
    (vetpass.accounts.usercache's companion keys), not in a GET of its own per request."""
    from django.core.cache import caches

    from consent.policy_gate import USER_KEY

    with time_machine.travel(EFFECTIVE + timedelta(hours=1), tick=False):
        alice_client.post("/privacy/policies/accept/", {"accept": "on", "next": "/"})
        assert alice_client.get("/").status_code == 200  # the mark is set
        backend = caches["default"]
        read_alone: list[str] = []
        in_many: list[bool] = []
        real_get, real_get_many = backend.get, backend.get_many

        def get(key, *args, **kwargs):
            if not in_many:  # the test's cache answers get_many with a get per key
                read_alone.append(key)
            return real_get(key, *args, **kwargs)

        def get_many(keys, *args, **kwargs):
            in_many.append(True)
            try:
                return real_get_many(keys, *args, **kwargs)
            finally:
                in_many.pop()

        monkeypatch.setattr(backend, "get", get)
        monkeypatch.setattr(backend, "get_many", get_many)
        assert alice_client.get("/").status_code == 200
        assert USER_KEY.format(alice.pk) not in read_alone
