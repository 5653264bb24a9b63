"""Hostile JSON (issue 7 §3.1): a body that is not an object, or that nests 5,000 levels
deep, is a 400 in the one error format on every JSON endpoint — never a 500, and nothing
is saved. The endpoints come from the OpenAPI schema, so a new one is covered too."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from consent.models import Purpose
from consent.tokens import unsubscribe_token
from records.models import Entry
from tests.api.conftest import api_client_for, path_to_url

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
DEEP_INSIDE = '{"name": ' + DEEP + "}"
NOT_OBJECTS = {"array": "[]", "string": '"x"', "number": "1", "null": "null"}
TOO_DEEP = {"deep": DEEP, "deep inside an object": DEEP_INSIDE}


def _json_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    )


JSON_OPERATIONS = _json_operations()


def _row_counts() -> dict[str, int]:
    """Rows of every model but the access log (both its forms, and the view reading them):
    a staff member's look at the animal is logged before the body is read, and rightly so."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in ("records", "consent", "accounts")
        and m._meta.model_name not in ("accesslog", "listaccesslog", "accessread")
    }


def test_the_schema_lists_the_json_endpoints_named_in_the_issue():
    paths = {path for _method, path in JSON_OPERATIONS}
    assert "/api/v1/privacy/unsubscribe/" in paths
    assert "/api/v1/workspace/{practice_pk}/emergency-shares/redeem/" in paths
    assert "/api/v1/workspace/{practice_pk}/requests/{id}/answer/" in paths
    assert len(JSON_OPERATIONS) >= 15


@pytest.mark.parametrize(
    ("method", "path"), JSON_OPERATIONS, ids=[f"{m} {p}" for m, p in JSON_OPERATIONS]
)
def test_a_body_that_is_not_a_json_object_is_a_400_and_saves_nothing(
    method, path, world, alice, carol
):
    client = api_client_for(carol if path.startswith("/api/v1/workspace/") else alice)
    url = path_to_url(path, world)
    before = _row_counts()

    for name, body in NOT_OBJECTS.items():
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 400, (name, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid", name
        assert error["fields"]["non_field_errors"], name

    for name, body in TOO_DEEP.items():
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 400, (name, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "parse_error", name
        assert "nested deeper than 32 levels" in error["message"], name

    assert _row_counts() == before


def test_anonymous_unsubscribe_with_a_list_body_is_a_400(reference_data):
    response = Client().post("/api/v1/privacy/unsubscribe/", "[]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]


def test_json_nested_33_levels_is_refused_and_32_levels_reaches_the_view(alice_api, rex):
    def nested(levels: int) -> str:  # the object itself is level 1
        return '{"notes": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"

    url = f"/api/v1/entries/{Entry.objects.create(animal=rex, kind='clinical_note').pk}/"
    too_deep = alice_api.patch(url, nested(33), content_type="application/json")
    at_limit = alice_api.patch(url, nested(32), content_type="application/json")

    assert too_deep.status_code == 400
    assert too_deep.json()["error"]["code"] == "parse_error"
    assert at_limit.status_code == 400  # a list is no text: refused by the serializer
    assert "notes" in at_limit.json()["error"]["fields"]


def test_a_note_that_is_not_text_is_a_field_error_on_the_request_answer(world, carol, riverside):
    client = api_client_for(carol)
    url = f"/api/v1/workspace/{riverside.pk}/requests/{world['requests']}/answer/"

    response = client.post(url, {"note": {"a": 1}}, format="json")

    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]


def test_a_code_that_is_not_text_is_a_field_error_on_the_emergency_redeem(world, carol, riverside):
    client = api_client_for(carol)
    url = f"/api/v1/workspace/{riverside.pk}/emergency-shares/redeem/"

    response = client.post(url, {"code": ["ABC"]}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()["error"]["fields"]


# --- JSON outside DRF -----------------------------------------------------------------


def test_one_click_unsubscribe_ignores_a_hostile_body(alice):
    """RFC 8058's one-click POST reads no body: the signed URL is the credential."""
    token = unsubscribe_token(f"user:{alice.pk}", Purpose.objects.first().code)
    for body in (DEEP, "[]", "null"):
        response = Client().post(
            f"/privacy/unsubscribe/{token}/", body, content_type="application/json"
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/_allauth/app/v1/auth/login",
        "/_allauth/browser/v1/auth/login",
        "/_allauth/app/v1/auth/signup",
        "/_allauth/app/v1/auth/password/request",
    ],
)
@pytest.mark.parametrize("body", [DEEP, DEEP_INSIDE], ids=["deep", "deep inside an object"])
def test_allauth_headless_answers_a_deep_body_with_a_400_in_its_own_format(url, body, db):
    response = Client().post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid"


@pytest.mark.parametrize("body", list(NOT_OBJECTS.values()))
def test_allauth_headless_refuses_a_body_that_is_not_an_object_itself(body, db):
    response = Client().post("/_allauth/app/v1/auth/login", body, content_type="application/json")

    assert response.status_code == 400


def test_a_nul_character_in_a_species_is_a_field_error_not_a_500(alice_api, rex):
    response = alice_api.patch(f"/api/v1/animals/{rex.pk}/", {"species": "do\x00g"}, format="json")

    assert response.status_code == 400
    assert "species" in response.json()["error"]["fields"]


def test_a_nul_character_in_a_consent_purpose_is_a_field_error_not_a_500(alice_api):
    response = alice_api.post(
        "/api/v1/privacy/consents/", {"purpose": "mark\x00eting", "action": "grant"}, format="json"
    )

    assert response.status_code == 400
    assert "purpose" in response.json()["error"]["fields"]
