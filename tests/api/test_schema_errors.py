"""The schema says what the API really answers (issue 7 §3.4): every operation documents
its error statuses in the one error format, and fields that can be null say so."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _error_schema(response) -> bool:
    body = response.get("content", {}).get("application/json", {}).get("schema", {})
    return body == ERROR or ERROR in body.get("oneOf", [])


def test_every_operation_documents_throttling_and_signed_in_ones_401_and_403(schema):
    for label, operation in _operations(schema):
        responses = operation["responses"]
        assert _error_schema(responses["429"]), label
        if label != "POST /api/v1/privacy/unsubscribe/":
            assert _error_schema(responses["401"]) and _error_schema(responses["403"]), label


def test_operations_with_a_path_object_document_404_and_with_input_400(schema):
    for label, operation in _operations(schema):
        params = operation.get("parameters", [])
        if any(p["in"] == "path" for p in params):
            assert _error_schema(operation["responses"]["404"]), label
        if operation.get("requestBody") or any(p["in"] == "query" for p in params):
            assert _error_schema(operation["responses"]["400"]), label


def test_every_4xx_a_view_documents_itself_can_carry_the_error_format(schema):
    for label, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert _error_schema(response), (label, status)


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Animal", "breed_name"),
        ("Animal", "photo_url"),
        ("RecordEntry", "document_url"),
        ("AccessLog", "practice_name"),
        ("AccessLog", "animal_name"),
        ("Entry", "author_name"),
        ("Entry", "practice_name"),
    ],
)
def test_fields_that_can_be_null_are_nullable_in_the_schema(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable")


def test_a_consent_event_without_a_policy_version_is_allowed_by_the_schema(schema):
    prop = schema["components"]["schemas"]["ConsentEvent"]["properties"]["policy_version"]
    assert prop.get("nullable")


@pytest.mark.django_db
def test_a_partial_update_still_answers_breed_name(alice_api, rex):
    response = alice_api.patch(f"/api/v1/animals/{rex.pk}/", {"colour": "Blue"}, format="json")

    assert response.status_code == 200
    assert response.json()["breed_name"] is None
