"""The app's door to data-subject requests: the same intake as the privacy centre, and
making one needs a fresh re-authentication through allauth's headless API."""

from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from dsar.models import Channel, DataSubjectRequest, Status
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_headers(alice, password):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    login = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": alice.email, "password": password},
        content_type="application/json",
    )
    assert login.status_code == 200, login.json()
    return {"HTTP_X_SESSION_TOKEN": login.json()["meta"]["session_token"]}


def test_a_request_from_the_app_needs_a_fresh_reauthentication(app_headers, alice, password):
    api = Client()
    body = {"type": "portability", "details": "All of it"}
    refused = api.post(
        "/api/v1/privacy/requests/", body, content_type="application/json", **app_headers
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "reauthentication_required"
    assert not DataSubjectRequest.objects.exists()

    again = api.post(
        "/_allauth/app/v1/auth/reauthenticate",
        {"password": password},
        content_type="application/json",
        **app_headers,
    )
    assert again.status_code == 200, again.json()
    made = api.post(
        "/api/v1/privacy/requests/", body, content_type="application/json", **app_headers
    )
    assert made.status_code == 201, made.json()
    case = DataSubjectRequest.objects.get()
    assert (case.subject, case.channel, case.status) == (alice, Channel.API, Status.VERIFIED)
    assert made.json()["reference"] == case.reference

    listed = api.get("/api/v1/privacy/requests/", **app_headers)
    assert [r["reference"] for r in listed.json()["results"]] == [case.reference]


def test_bad_input_is_a_field_error_and_others_requests_are_not_listed(app_headers, bob):

    case_for(bob, datetime(2026, 3, 2, tzinfo=UTC))
    api = Client()
    bad = api.post(
        "/api/v1/privacy/requests/",
        {"type": "nonsense"},
        content_type="application/json",
        **app_headers,
    )
    assert bad.status_code == 400 and "type" in bad.json()["error"]["fields"]
    assert api.get("/api/v1/privacy/requests/", **app_headers).json()["results"] == []
    assert Client().get("/api/v1/privacy/requests/").status_code == 401
