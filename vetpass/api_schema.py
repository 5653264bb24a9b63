"""What every operation of the schema may answer besides its own success: documented in
one place, so mobile clients generated from the schema know every status they can get.

All errors share one body (vetpass.api.exception_handler):
{"error": {"code": "invalid", "message": "...", "fields": {"microchip": ["..."]}}}
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "e.g. invalid, not_found, throttled"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Only with code invalid: the messages for each field.",
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}

DESCRIPTIONS = {
    "400": "The request is not valid: see error.fields (or a JSON body that is not an object).",
    "401": "Not signed in: send the X-Session-Token header.",
    "403": "Not allowed, or a new policy version must be accepted first "
    "(code policy_acceptance_required).",
    "404": "No such object, or one you may not know of; or a page past the end.",
    "413": "The request body is too large.",
    "429": "Too many requests: wait for the Retry-After header's seconds.",
}


def _error_response(status: str) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[status], "content": {}}


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _answers_the_error_format(response: dict[str, Any]) -> None:
    """A view that documents a 4xx itself (a 404 for an unknown token, an import's own
    400 report) can still answer the one error format: say so."""
    content = response.setdefault("content", {})
    if not content:
        content["application/json"] = {"schema": ERROR_REF}
        return
    for media in content.values():
        schema = media.get("schema")
        if schema is None:
            media["schema"] = ERROR_REF
        elif schema != ERROR_REF and ERROR_REF not in schema.get("oneOf", []):
            media["schema"] = {"oneOf": [schema, ERROR_REF]}


def _is_anonymous(operation: dict[str, Any], default_security: list[Any]) -> bool:
    security = operation.get("security", default_security)
    return not security or {} in security


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular postprocessing hook: add the error statuses each operation can
    answer, unless the view documents its own body for that status."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    default_security = result.get("security", [])
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = operation.get("parameters", [])
            statuses = ["429"]
            if operation.get("requestBody") or any(p["in"] == "query" for p in params):
                statuses.append("400")
            if operation.get("requestBody"):
                statuses.append("413")
            if not _is_anonymous(operation, default_security):
                statuses += ["401", "403"]
            if any(p["in"] in ("path",) for p in params) or any(
                p["in"] == "query" and p["name"] == "page" for p in params
            ):
                statuses.append("404")
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(status, _error_response(status))
            for status, response in responses.items():
                if status.startswith("4"):
                    _answers_the_error_format(response)
    return result
