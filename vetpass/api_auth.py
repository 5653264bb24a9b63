"""The API's authentication: allauth's X-Session-Token check, done once per request.

A module of its own, not vetpass.api: DRF imports the authentication classes while its
views module loads, and vetpass.api imports that module."""

from __future__ import annotations

from typing import Any

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import (
    SessionTokenStrategy as AllauthSessionTokenStrategy,
)
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme

from vetpass.accounts.sessions import counting_with_session
from vetpass.api_throttling import account_counters


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """The policy gate (a middleware, consent.policy_gate) and DRF both authenticate an API
    request, and each check reads the session and the account: the second asks the first.
    The answer is kept on the request for the token it was given, so nothing carries over
    to another request or another token.

    Inside DRF, the view's per-account throttles count this request in the round trip that
    reads the session (vetpass.api_throttling.account_counters)."""

    def authenticate(self, request: Any) -> Any:
        http: HttpRequest = getattr(request, "_request", request)
        token = self.get_session_token(http)
        done = getattr(http, "_vetpass_token_auth", None)
        if done is not None and done[0] == token:
            return done[1]
        view = (getattr(request, "parser_context", None) or {}).get("view")
        with counting_with_session(account_counters(view) if token else ()):
            result = super().authenticate(request)
        http._vetpass_token_auth = (token, result)  # type: ignore[attr-defined]
        return result


class SessionTokenStrategy(AllauthSessionTokenStrategy):
    """allauth's session tokens (HEADLESS_TOKEN_STRATEGY), looked up with one read instead
    of an existence check and then the read (allauth's own sessionkit.lookup_session: a
    missing or expired session answers None all the same)."""

    def lookup_session(self, session_token: str) -> SessionBase | None:
        return sessionkit.lookup_session(session_token)


class SessionTokenScheme(XSessionTokenAuthenticationScheme):
    """The same X-Session-Token scheme in the OpenAPI schema as allauth's own class."""

    target_class = "vetpass.api_auth.SessionTokenAuthentication"
