"""A practice acknowledges an erasure notice through the signed link in its email. GET
only shows the button (mail scanners open links and must not acknowledge anything)."""

from __future__ import annotations

from contextlib import suppress

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dsar.models import PracticeNotice

from .notices import notice_for_token, practice_notice_acknowledge


@require_http_methods(["GET", "POST"])
def practice_notice(request: HttpRequest, token: str) -> HttpResponse:
    try:
        notice = notice_for_token(token)
    except PracticeNotice.DoesNotExist:
        return render(request, "dsar/erasure_notice_invalid.html", status=404)
    if request.method == "POST":
        with suppress(ValidationError):  # already acknowledged: the page says so
            notice = practice_notice_acknowledge(token=token)
    return render(request, "dsar/erasure_notice.html", {"notice": notice})
