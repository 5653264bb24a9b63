"""Everything the privacy centre does on the web, through /api/v1/privacy/ — and in the
OpenAPI schema."""

import pytest
import yaml

from consent.selectors import consent_given
from consent.services import consent_grant


def test_states_list_every_purpose(alice, alice_client):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    data = alice_client.get("/api/v1/privacy/consents/").json()
    by_code = {row["purpose"]["code"]: row for row in data if not row["scope"]}
    assert by_code["marketing_email"]["state"] == "granted"
    assert by_code["research"]["state"] == "not_asked"
    assert by_code["marketing_email"]["purpose"]["lawful_basis"] == "consent"


def test_a_change_through_the_api_is_a_ledger_event_on_the_api_channel(alice, alice_client):
    response = alice_client.post(
        "/api/v1/privacy/consents/",
        {"purpose": "research", "action": "grant"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["channel"], body["purpose"]) == ("grant", "api", "research")
    assert consent_given(alice, "research")
    again = alice_client.post(
        "/api/v1/privacy/consents/",
        {"purpose": "research", "action": "grant"},
        content_type="application/json",
    )
    assert again.status_code == 200  # already on: nothing new written
    assert again.json()["id"] == body["id"]


def test_bad_input_gets_field_errors_in_the_one_format(alice_client):
    response = alice_client.post(
        "/api/v1/privacy/consents/",
        {"purpose": "practice_sharing", "action": "grant"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "scope" in response.json()["error"]["fields"]
    response = alice_client.post(
        "/api/v1/privacy/consents/",
        {"purpose": "nope", "action": "fly"},
        content_type="application/json",
    )
    assert set(response.json()["error"]["fields"]) == {"purpose", "action"}


def test_history_and_receipt_through_the_api(alice, bob, alice_client):
    event = consent_grant(subject=alice, purpose="marketing_email", channel="web")
    other = consent_grant(subject=bob, purpose="marketing_email", channel="web")
    history = alice_client.get("/api/v1/privacy/history/").json()
    assert [row["id"] for row in history["results"]] == [event.pk]
    receipt = alice_client.get(history["results"][0]["receipt_url"]).json()
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["services"][0]["purposes"][0]["purposeCategory"] == ["Marketing"]
    assert alice_client.get(f"/api/v1/privacy/receipts/{other.pk}/").status_code == 404


def test_the_api_needs_sign_in(client, reference_data):
    assert client.get("/api/v1/privacy/consents/").status_code == 401


def test_purposes_are_listed(alice_client):
    codes = [p["code"] for p in alice_client.get("/api/v1/privacy/purposes/").json()]
    assert "marketing_email" in codes and "cookies_analytics" in codes


def test_history_query_count_does_not_grow(alice, alice_client, django_assert_max_num_queries):
    for _ in range(20):
        consent_grant(subject=alice, purpose="research", channel="web")
    with django_assert_max_num_queries(6):
        alice_client.get("/api/v1/privacy/history/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/privacy/purposes/",
        "/api/v1/privacy/consents/",
        "/api/v1/privacy/history/",
        "/api/v1/privacy/receipts/{event_id}/",
        "/api/v1/privacy/policies/",
        "/api/v1/privacy/policies/accept/",
        "/api/v1/privacy/unsubscribe/",
    ],
)
def test_every_endpoint_is_in_the_openapi_schema(alice_client, path):
    schema = yaml.safe_load(alice_client.get("/api/v1/schema/").content)
    assert path in schema["paths"]


def test_the_privacy_endpoints_generate_schema_without_warnings_or_errors(capsys):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    patterns = [path("api/v1/", include(("consent.api_urls", "api")))]
    SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, capsys.readouterr().err
