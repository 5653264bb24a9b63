"""Cookie consent: essential cookies only until the visitor chooses.

The choice lives in a cookie (so it holds for visitors without an account) and, for a
signed-in person, in the ledger as the `cookies_analytics` purpose. The cookie is read first
(no query on every page); at sign-in the ledger's choice is copied into the session, so a
person on a new device gets their choice back and the banner does not ask again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from vetpass.accounts.models import User

from .models import Action, Channel, ConsentEvent, Purpose
from .selectors import latest_action_for
from .services import consent_record, consent_set

COOKIE_NAME = "vp_cookie_choice"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
BANNER_WORDING = (
    "VetPass uses essential cookies to keep you signed in and secure. With your agreement we "
    "also use analytics cookies to count visits and see which pages are used."
)


SESSION_KEY = "consent_cookie_choice"


@transaction.atomic
def cookie_choice_record(
    *, user: User, allowed: bool, channel: str = Channel.WEB
) -> ConsentEvent | None:
    """Put a signed-in person's cookie choice in the ledger, a "no" as much as a "yes".

    consent_set writes only changes of state, and "never asked" already reads as off, so a
    first "Essential cookies only" left no trace while "Accept" did: the refusal is a choice
    the person made and must show in their history and receipts as one. It is recorded as a
    withdraw event (the ledger's "no"); a repeated choice still writes nothing."""
    wording = BANNER_WORDING + (
        " [Accept analytics cookies]" if allowed else " [Essential cookies only]"
    )
    if not allowed and latest_action_for(user, Purpose.COOKIES_ANALYTICS) is None:
        return consent_record(
            subject=user,
            purpose=Purpose.COOKIES_ANALYTICS,
            action=Action.WITHDRAW,
            channel=channel,
            wording=wording,
        )
    return consent_set(
        subject=user,
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=allowed,
        channel=channel,
        wording=wording,
    )


def cookie_choice_from_ledger(request: HttpRequest, user: object) -> None:
    """At sign-in: copy the person's ledger choice into the session, so that pages read
    it without a query (called from the user_logged_in signal)."""
    action = latest_action_for(user, Purpose.COOKIES_ANALYTICS)  # type: ignore[arg-type]
    if action is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = "yes" if action == "grant" else "no"


def cookie_choice(request: HttpRequest) -> bool | None:
    """True: analytics allowed; False: essential only; None: the visitor has not chosen."""
    value = request.COOKIES.get(COOKIE_NAME)
    if value not in {"yes", "no"} and hasattr(request, "session"):
        value = request.session.get(SESSION_KEY)
    if value in {"yes", "no"}:
        return value == "yes"
    return None


def analytics_allowed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "restricted_at", None):
        return False  # Art. 18: a restricted person is left out of analytics
    return cookie_choice(request) is True


def cookie_choice_store(request: HttpRequest, response: HttpResponse, allowed: bool) -> None:
    if request.user.is_authenticated and hasattr(request, "session"):
        request.session[SESSION_KEY] = "yes" if allowed else "no"
    response.set_cookie(
        COOKIE_NAME,
        "yes" if allowed else "no",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
    )
