"""Anyone who can open the Django admin must have MFA (TOTP) set up first."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def user_has_mfa(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
            and not user_has_mfa(user)
        ):
            messages.warning(
                request,
                "The admin holds everyone's data: set up an authenticator app before you use it.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
