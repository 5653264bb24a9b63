"""The privacy centre (/privacy/): thin views over the ledger's services and selectors.
Every page works without JavaScript: each change is a plain form POST."""

from __future__ import annotations

import base64
import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from vetpass.accounts.models import User

from .cookies import BANNER_WORDING, cookie_choice, cookie_choice_record, cookie_choice_store
from .forms import ConsentChangeForm, CookieChoiceForm, PolicyAcceptForm
from .models import Action, Channel, Purpose
from .policy_gate import policy_gate_clear
from .receipts import receipt_for
from .scopes import scope_labels, scope_manage_urls
from .selectors import (
    consent_given,
    consent_history,
    consent_states,
    get_event_for_subject,
    get_policy_version,
    policy_versions_pending,
)
from .services import (
    consent_object,
    consent_set,
    consent_wording,
    policy_accept,
    unsubscribe_record,
)
from .tokens import BadToken, pixel_token_read, unsubscribe_token_read

logger = logging.getLogger(__name__)

# A 1×1 transparent GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _centre_context(request: HttpRequest, form: ConsentChangeForm | None = None) -> dict:
    states = consent_states(request.user)  # type: ignore[arg-type]
    labels = scope_labels(s.scope for s in states)
    manage = scope_manage_urls(s.scope for s in states)
    rows = [
        {
            "state": s,
            "scope_label": labels.get(s.scope, ""),
            "manage_url": manage.get(s.scope, ""),
            "id": f"{s.purpose.code}-{i}",
        }
        for i, s in enumerate(states)
    ]
    return {"rows": rows, "form": form}


@login_required
def privacy_centre(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/privacy_centre.html", _centre_context(request))


@login_required
@require_POST
def consent_change(request: HttpRequest) -> HttpResponse:
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "consent/privacy_centre.html", _centre_context(request, form), status=400
        )
    purpose: Purpose = form.cleaned_data["purpose"]
    scope = form.cleaned_data["scope"]
    action = form.cleaned_data["action"]
    user: User = request.user  # type: ignore[assignment]
    try:
        if action == Action.OBJECT:
            consent_object(
                subject=user,
                purpose=purpose,
                scope=scope,
                channel=Channel.WEB,
                wording=f"I object to: {purpose.name}.",
            )
            messages.success(request, f"Recorded: you object to {purpose.name.lower()}.")
        else:
            granted = action == Action.GRANT
            consent_set(
                subject=user,
                purpose=purpose,
                scope=scope,
                granted=granted,
                channel=Channel.WEB,
                wording=consent_wording(purpose, granted=granted),
            )
            state = "on" if granted else "off"
            messages.success(request, f"{purpose.name} is now {state}.")
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(
            request, "consent/privacy_centre.html", _centre_context(request, form), status=400
        )
    return redirect(reverse("consent:home") + f"#purpose-{purpose.code}")


@login_required
def history(request: HttpRequest) -> HttpResponse:
    events = consent_history(request.user)  # type: ignore[arg-type]
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    labels = scope_labels(e.scope for e in page.object_list)
    rows = [{"event": e, "scope_label": labels.get(e.scope, "")} for e in page.object_list]
    return render(request, "consent/history.html", {"page": page, "rows": rows})


@login_required
def receipt_download(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_subject(request.user, event_id)  # type: ignore[arg-type]
    body = json.dumps(receipt_for(event), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{event.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def policy_accept_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pending = policy_versions_pending(user)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")
    if not pending:
        return HttpResponseRedirect(next_url)
    form = PolicyAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy_accept(user=user, versions=pending, channel=Channel.WEB)
        policy_gate_clear(user)
        messages.success(request, "Thank you: your acceptance is recorded in your consent history.")
        return HttpResponseRedirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "consent/policy_accept.html",
        {"pending": pending, "form": form, "next": next_url},
        status=status,
    )


def policy_show(request: HttpRequest, kind: str, version: str | None = None) -> HttpResponse:
    policy = get_policy_version(kind, version)
    return render(request, "consent/policy.html", {"policy": policy})


@require_http_methods(["GET", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    form = CookieChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = form.cleaned_data["analytics"] == "yes"
        if request.user.is_authenticated:
            cookie_choice_record(user=request.user, allowed=allowed)  # type: ignore[arg-type]
        messages.success(
            request,
            "Your cookie settings are saved: "
            + ("analytics cookies on." if allowed else "essential cookies only."),
        )
        response = HttpResponseRedirect(
            _safe_next(request, form.cleaned_data.get("next"), reverse("consent:cookies"))
        )
        cookie_choice_store(request, response, allowed)
        return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "consent/cookies.html",
        {"form": form, "choice": cookie_choice(request), "wording": BANNER_WORDING},
        status=status,
    )


def _unsubscribe_target(token: str) -> tuple[User | str, Purpose] | None:
    try:
        subject_key, code = unsubscribe_token_read(token)
    except BadToken:
        return None
    purpose = Purpose.objects.filter(code=code).first()
    kind, _, ident = subject_key.partition(":")
    if purpose is None:
        return None
    if kind == "user" and ident.isdigit():
        user = User.objects.filter(pk=int(ident)).first()
        return (user, purpose) if user is not None else None
    if kind == "email" and ident:
        return ident, purpose
    return None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click: a POST from the mail client (no session, no cookies, no CSRF
    token — the signed URL is the credential) withdraws at once. A GET (someone clicking
    the link in the email body) shows a confirm page that posts to the same URL."""
    target = _unsubscribe_target(token)
    if target is None:
        return render(request, "consent/unsubscribe_invalid.html", status=400)
    subject, purpose = target
    if request.method == "POST":
        unsubscribe_record(subject=subject, purpose=purpose)
        return render(request, "consent/unsubscribe_done.html", {"purpose": purpose})
    return render(
        request,
        "consent/unsubscribe_confirm.html",
        {
            "purpose": purpose,
            "token": token,
            "subscribed": consent_given(subject, purpose.code),
        },
    )


def pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The tracking pixel: counted only when the ledger still says yes at the moment the
    email is opened; always answers with the same image so nothing leaks."""
    try:
        user_id, campaign = pixel_token_read(token)
    except BadToken:
        user_id, campaign = 0, ""
    if user_id:
        user = User.objects.filter(pk=user_id, restricted_at__isnull=True).first()
        if user is not None and consent_given(user, Purpose.TRACKING_PIXELS):
            logger.info("email opened: campaign %r by user %s", campaign, user_id)
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
