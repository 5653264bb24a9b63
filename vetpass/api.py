"""Shared API plumbing: pagination and the one error format every endpoint answers with.

{"error": {"code": "invalid", "message": "...", "fields": {"microchip": ["..."]}}}
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils import json
from rest_framework.views import exception_handler as drf_exception_handler

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


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django refused the body before any serializer saw it (too many or too large
        # non-file fields); answer in the one error format instead of a bare 400 page.
        exc = RequestTooLarge(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    body: dict[str, Any] = {"code": code}
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = "Some fields are not valid: see fields."
        if isinstance(data, dict):
            body["fields"] = data
        else:
            body["fields"] = {"non_field_errors": data}
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        body["message"] = str(detail)
        if isinstance(data, dict):
            extra = {k: v for k, v in data.items() if k != "detail"}
            body.update(extra)
    response.data = {"error": body}
    if (
        response.status_code == status.HTTP_403_FORBIDDEN
        and not context["request"].user.is_authenticated
    ):
        response.status_code = status.HTTP_401_UNAUTHORIZED
    return response


class ServiceErrorsMixin:
    """For views whose serializers call services: nothing extra today, the handler above
    turns a service's Django ValidationError into field errors."""
