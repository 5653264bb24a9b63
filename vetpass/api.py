"""Shared API plumbing: pagination and the one error format every endpoint answers with.

{"error": {"code": "invalid", "message": "...", "fields": {"microchip": ["..."]}}}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.db.models import Count, Window
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import SlugRelatedField
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class SlugField(SlugRelatedField):
    """A SlugRelatedField that answers a NUL character as "no such object": PostgreSQL
    refuses NUL in a text query, and DRF's field sent it there, a 500 (schemathesis)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


PAGE_TOTAL = "_page_total"


class Pagination(PageNumberPagination):
    """Pages of 50 (up to 200). A view with `page_counts_itself` gets its page and the total
    in one query (COUNT(*) OVER () beside the rows) instead of a COUNT and then the page:
    one round trip fewer on every list (issue 10). The answer is the same."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        number = request.query_params.get(self.page_query_param) or "1"
        if not getattr(view, "page_counts_itself", False) or number in self.last_page_strings:
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.request = request
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            number = int(number)
        except ValueError:
            raise self._invalid(number, "That page number is not an integer") from None
        if number < 1:
            raise self._invalid(number, "That page number is less than 1")
        start = (number - 1) * page_size
        window = Window(Count("*"))
        rows = list(queryset.annotate(**{PAGE_TOTAL: window})[start : start + page_size])
        if not rows and number > 1:
            raise self._invalid(number, "That page contains no results")
        first = rows[0] if rows else None
        total = 0
        if first is not None:
            total = first[PAGE_TOTAL] if isinstance(first, dict) else getattr(first, PAGE_TOTAL)
        paginator.__dict__["count"] = total  # the cached_property, known without a COUNT
        self.page = Page(rows, number, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows

    def paginate_json(
        self,
        request: Any,
        fetch: Callable[[int, int], tuple[int, str]],
        count: Callable[[], int],
    ) -> bytes:
        """The page's whole answer, for a list whose database writes its results as JSON:
        fetch(limit, offset) answers (total, results as a JSON array), count() the total
        alone (asked only for `page=last`). The same pages, links and 404s as above."""
        page_size = self.get_page_size(request)
        assert page_size  # PAGE_SIZE is set: every list is paginated
        self.request = request
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            total = count()
            number = max(1, -(-total // page_size))
        else:
            try:
                number = int(raw)
            except ValueError:
                raise self._invalid(raw, "That page number is not an integer") from None
            if number < 1:
                raise self._invalid(raw, "That page number is less than 1")
        total, results = fetch(page_size, (number - 1) * page_size)
        if not total and number > 1:
            raise self._invalid(raw, "That page contains no results")
        paginator = self.django_paginator_class([], page_size)
        paginator.__dict__["count"] = total
        self.page = Page([], number, paginator)
        head = json.dumps(
            {"count": total, "next": self.get_next_link(), "previous": self.get_previous_link()},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f'{head[:-1]},"results":{results}}}'.encode()

    def _invalid(self, number: object, message: str) -> exceptions.NotFound:
        return exceptions.NotFound(
            self.invalid_page_message.format(page_number=number, message=message)
        )


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
