"""New policy versions that require acceptance (issue 3, "Purposes and policies").

When a version that requires acceptance takes effect, a signed-in web user is sent to the
accept page on their next request (so, at the latest, at their next sign-in), and an API
client gets 403 with error code `policy_acceptance_required` and the versions to show, so
the app can show them and POST the acceptance to /api/v1/privacy/policies/accept/.
Accepting writes an `accept_policy` event to the ledger.

Cost: the versions in force are cached in each process until the next announced version
takes effect, and for at most five minutes (so a version added in another process is seen
soon);
"this user has accepted them" is cached per user. A request therefore normally adds no
query at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.usercache import request_cache_forget, request_cached

from .selectors import next_policy_change, policy_versions_pending, required_policy_version_ids

USER_KEY = "consent:policies-accepted:{}"
MAX_CACHE = timedelta(minutes=5)
ERROR_CODE = "policy_acceptance_required"

# Paths a person must reach before accepting: the accept page itself and the rest of the
# privacy centre (withdrawing consent is never blocked), sign-in/out, static files, and the
# API's own privacy endpoints and schema.
EXEMPT_PREFIXES = (
    "/privacy/",
    "/accounts/",
    "/_allauth/",
    "/static/",
    "/media/",
    "/api/v1/privacy/",
    "/api/v1/schema/",
    "/api/v1/docs/",
)


@dataclass(frozen=True)
class _Required:
    ids: list[int]
    computed_at: datetime
    valid_until: datetime  # the next announced version takes effect then
    expires: float  # time.monotonic(): the five-minute bound, immune to time travel in tests

    def fresh(self, now: datetime) -> bool:
        return self.expires > time.monotonic() and self.computed_at <= now < self.valid_until


# Per process, not Django's cache: the answer is tiny and every process computes its own.
_required: list[_Required] = []


def required_version_ids() -> list[int]:
    now = timezone.now()
    if _required and _required[0].fresh(now):
        return _required[0].ids
    upcoming = next_policy_change(now)
    entry = _Required(
        ids=required_policy_version_ids(now),
        computed_at=now,
        valid_until=upcoming or datetime.max.replace(tzinfo=UTC),
        expires=time.monotonic() + MAX_CACHE.total_seconds(),
    )
    _required[:] = [entry]
    return entry.ids


def policy_cache_clear() -> None:
    _required.clear()


def accepted_key(user_id: object) -> str:
    return USER_KEY.format(user_id)


def policy_gate_clear(user: User) -> None:
    cache.delete(USER_KEY.format(user.pk))
    request_cache_forget(user, USER_KEY.format(user.pk))


def _token_user(request: HttpRequest) -> User | None:
    token = request.headers.get("X-Session-Token")
    if not token:
        return None
    try:
        # The API's own check: it remembers its answer on the request, so DRF's
        # authentication of the same request reads nothing again.
        from vetpass.api_auth import SessionTokenAuthentication

        found = SessionTokenAuthentication().authenticate(request)
    except Exception:  # noqa: BLE001 - a bad token is DRF's to answer, not ours
        return None
    return found[0] if found else None


def pending_for(user: User) -> list:
    """Pending versions for the user, using the caches; [] when nothing is pending."""
    required = required_version_ids()
    if not required:
        return []
    key = USER_KEY.format(user.pk)
    # Usually read with the account, in the same round trip (ConsentConfig.ready).
    read, accepted = request_cached(user, key)
    if (accepted if read else cache.get(key)) == required:
        return []
    pending = policy_versions_pending(user)
    if not pending:
        cache.set(key, required, timeout=24 * 60 * 60)
    return pending


def _api_error(pending: list) -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "code": ERROR_CODE,
                "message": "New policy versions need your acceptance before you continue.",
                "versions": [
                    {
                        "id": v.pk,
                        "document": v.document.kind,
                        "title": v.document.title,
                        "version": v.version,
                        "effective_from": v.effective_from.isoformat(),
                        "summary": v.summary,
                    }
                    for v in pending
                ],
                "accept_url": reverse("api:consent-policy-accept"),
            }
        },
        status=403,
    )


class PolicyAcceptanceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(EXEMPT_PREFIXES) or not required_version_ids():
            return self.get_response(request)
        is_api = path.startswith("/api/")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = _token_user(request) if is_api else None
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        pending = pending_for(user)
        if not pending:
            return self.get_response(request)
        if is_api:
            return _api_error(pending)
        accept = reverse("consent:policy_accept")
        return redirect(f"{accept}?next={quote(request.get_full_path())}")
