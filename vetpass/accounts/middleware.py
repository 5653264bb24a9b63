"""Anyone who can open the Django admin must have MFA (TOTP) set up, and have signed in
with it in this session, first (the rule: vetpass.admin.admin_mfa_missing)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from vetpass.admin import MFA_NOT_SET_UP, admin_mfa_missing


class AdminRequiresMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            missing = admin_mfa_missing(request)
            if missing == MFA_NOT_SET_UP:
                messages.warning(
                    request,
                    "The admin holds everyone's data: set up an authenticator app before "
                    "you use it. Then confirm a code from it to open the admin.",
                )
                return redirect(reverse("mfa_activate_totp"))
            if missing is not None:
                messages.warning(
                    request,
                    "The admin holds everyone's data: confirm a code from your authenticator "
                    "app to open it (this session was not signed in with it).",
                )
                next_url = request.get_full_path() if request.method == "GET" else "/admin/"
                return redirect(reverse("mfa_reauthenticate") + "?" + urlencode({"next": next_url}))
        return self.get_response(request)
