"""The "keep my records" link of the inactivity notice: usable without signing in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import notices


@require_http_methods(["GET", "POST"])
def keep_records(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows the button: mail scanners open links, and must not act for anyone."""
    try:
        owner = notices.keep_token_owner(token)
    except notices.BadKeepLink:
        return render(request, "dsar/keep_records_invalid.html", status=404)
    if request.method == "GET":
        return render(request, "dsar/keep_records.html", {})
    notices.keep_records(owner=owner)
    return render(request, "dsar/keep_records_done.html", {})
