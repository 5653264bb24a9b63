"""Public doors of the data-subject rights: the request form for people without an
account (or their agents) and the single-use confirmation link. The rules are in
dsar.intake; these views shape input and show the outcome."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from vetpass.accounts.models import jurisdiction_for

from . import intake, selectors
from .dashboard import privacy_dashboard
from .export.selectors import latest_exports
from .forms import PublicRequestForm, SignedInRequestForm
from .models import Channel
from .retention.notices import keep_records


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _errors_onto(form: Any, error: ValidationError) -> None:
    """A service's errors beside the fields they name, the rest (a limit reached, say) at
    the top of the form: never a 500 for a refusal that has no field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, said in error.message_dict.items():
        form.add_error(field if field in form.fields else None, said)


@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = intake.dsar_intake_public(
                type=d["type"],
                email=d["email"],
                name=d["name"],
                postcode=d["postcode"],
                jurisdiction=jurisdiction_for(d["country"], d["region"]),
                details=d["details"],
                declaration=d["declaration"],
                agent_authorisation=d["agent_authorisation"],
                client=_client_address(request),
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            return render(request, "dsar/public_request_sent.html", {"case": case})
    return render(request, "dsar/public_request.html", {"form": form}, status=200)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners open links, and must not confirm anything."""
    if request.method == "GET":
        return render(request, "dsar/verify.html", {"reference": reference})
    try:
        case = intake.dsar_verify_link(reference=reference, token=token)
    except ValidationError:
        return render(request, "dsar/verify_invalid.html", status=404)
    return render(request, "dsar/verify_done.html", {"case": case})


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def my_requests(request: HttpRequest) -> HttpResponse:
    """The privacy centre's requests page: the person's own requests and a form to make
    one. Sending needs a fresh sign-in (allauth re-authentication): that is what verifies
    it is them."""
    form = SignedInRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = intake.dsar_intake_signed_in(
                user=request.user,  # type: ignore[arg-type]
                type=form.cleaned_data["type"],
                details=form.cleaned_data["details"],
                channel=Channel.WEB,
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(
                request,
                f"Request {case.reference} received. We will answer by {case.respond_by:%d %B %Y}.",
            )
            return redirect("dsar:my_requests")
    rows = list(selectors.requests_of(request.user))  # type: ignore[arg-type]
    exports = latest_exports(rows)
    for row in rows:
        row.latest_export = exports.get(row.pk)  # type: ignore[attr-defined]
    return render(request, "dsar/my_requests.html", {"form": form, "rows": rows})


@login_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """What VetPass holds about me, who looked, my consents and requests, and when my
    account would be removed if I stopped using it."""
    board = privacy_dashboard(request.user)  # type: ignore[arg-type]
    return render(request, "dsar/dashboard.html", {"board": board})


@login_required
@require_http_methods(["POST"])
def dashboard_keep(request: HttpRequest) -> HttpResponse:
    keep_records(owner=request.user)  # type: ignore[arg-type]
    messages.success(request, "Your records are kept. Nothing will be removed.")
    return redirect("dsar:dashboard")
