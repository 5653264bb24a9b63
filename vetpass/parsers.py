"""The API's JSON parser, and the same bound for allauth's headless JSON.

Kept apart from vetpass.api: DRF resolves DEFAULT_PARSER_CLASSES while it defines
APIView, so the parser's module must not import rest_framework.views itself.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

# No request the API documents nests deeper than a few levels; 32 leaves room for any
# honest client and keeps a hostile body far from the interpreter's recursion limit.
JSON_MAX_DEPTH = 32


def _json_depth_exceeds(data: Any, limit: int) -> bool:
    """True when containers nest deeper than limit (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONObjectParser(JSONParser):
    """The one JSON parser of the API: a body is a JSON object (every request the API
    documents is one), nested at most JSON_MAX_DEPTH levels.

    DRF's parser hands `[]`, `"x"`, `1` or `null` to views that call request.data.get(),
    and lets a RecursionError from 5,000 nested brackets escape as a 500. Both are
    refused here with a 400 in the one error format, before any view sees the body. A
    view that takes a JSON array sets `json_top_level = (dict, list)`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            data = json.load(decoded, parse_constant=parse_constant)  # type: ignore[arg-type]
        except RecursionError:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {JSON_MAX_DEPTH} levels."
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if _json_depth_exceeds(data, JSON_MAX_DEPTH):
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {JSON_MAX_DEPTH} levels."
            )
        allowed = getattr(parser_context.get("view"), "json_top_level", (dict,))
        if not isinstance(data, allowed):
            raise exceptions.ValidationError(
                {"non_field_errors": [f"Send a JSON object, not {_json_kind(data)}."]}
            )
        return data


def _json_too_deep(body: bytes) -> bool:
    try:
        data = json.loads(body)  # type: ignore[arg-type]
    except RecursionError:
        return True
    except ValueError:
        return False  # malformed JSON: the view answers that itself
    return _json_depth_exceeds(data, JSON_MAX_DEPTH)


class JSONDepthMiddleware:
    """The same depth bound for the JSON endpoints outside DRF: django-allauth's headless
    API (/_allauth/) parses bodies with json.loads and answers a RecursionError with a 500.
    Such a body gets a 400 in allauth's own error format instead. (DRF's endpoints are
    guarded by JSONObjectParser; the web views read no JSON.)"""

    PREFIXES = ("/_allauth/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(self.PREFIXES)
            and request.content_type == "application/json"
            and request.method in ("POST", "PUT", "PATCH", "DELETE")
            and _json_too_deep(request.body)
        ):
            message = f"The JSON body is nested deeper than {JSON_MAX_DEPTH} levels."
            return JsonResponse(
                {"status": 400, "errors": [{"code": "invalid", "message": message}]},
                status=400,
            )
        return self.get_response(request)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"
