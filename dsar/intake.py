"""Intake and verification of data-subject requests (issue 8 §2).

- A signed-in owner files from the privacy centre or the app; the door checks a fresh
  re-authentication (allauth's) and says so, and the request is verified at once by it.
- Anyone else (no account, or an authorised agent with a signed authority) files on the
  public form. The address is proved by a single-use link (its sha256 stored, compared in
  constant time, valid 7 days), then the details are matched against the account, if any:
  two data points (name and postcode) for most requests, and for specific pieces of
  information three (the proved address too) plus a signed declaration (CCPA §7062).
- No path skips verification unless the DPO records why (dsar.services.dsar_verify and
  its one rule, verification_refusal). A request entered by staff gets the same link on
  the DPO's button; an agent's request, once its link is used, waits for the DPO to check
  the signed authority; a duplicate is verified on its own.
- A request whose link expired unused closes itself as "unverified".
Every request gets its reference and an acknowledgement email at once; the emails are
written to the case's timeline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User

from .models import CaseEventKind, Channel, DataSubjectRequest, RequestType, Status
from .services import (
    EMAIL_LINK,
    REAUTHENTICATION,
    case_email_send,
    case_event_record,
    dsar_create,
    dsar_transition,
    dsar_verify,
)

VERIFICATION_VALID = timedelta(days=7)
# The public form must not become a way to flood someone's inbox: a few requests per
# address a day, and per client an hour, counted in the shared cache.
PER_ADDRESS_PER_DAY = 3
PER_CLIENT_PER_HOUR = 10
# Requests that disclose specific pieces of personal information (CCPA §7062(c)).
SPECIFIC_PIECES = frozenset(
    {RequestType.ACCESS, RequestType.PORTABILITY, RequestType.CCPA_KNOW_SPECIFIC}
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalise_name(value: str) -> str:
    return " ".join(value.split()).casefold()


def _normalise_postcode(value: str) -> str:
    return "".join(value.split()).upper()


def _over_limit(key: str, limit: int, seconds: int) -> bool:
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, timeout=seconds)
        return False


def _throttled(email: str, client: str) -> bool:
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _over_limit(f"dsar:intake:address:{address}", PER_ADDRESS_PER_DAY, 86400)
    by_client = bool(client) and _over_limit(
        f"dsar:intake:client:{client}", PER_CLIENT_PER_HOUR, 3600
    )
    return by_address or by_client


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _acknowledge(request: DataSubjectRequest) -> None:
    case_email_send(
        request,
        subject=f"We received your request {request.reference}",
        body=f"We received your request ({request.get_type_display()}) on "
        f"{request.received_at:%d %B %Y}. Its reference is {request.reference}.\n\n"
        f"We will answer by {request.respond_by:%d %B %Y}.",
        actor=None,
    )


@transaction.atomic
def dsar_intake_signed_in(
    *,
    user: User,
    type: str,
    details: str = "",
    channel: str = Channel.WEB,  # noqa: A002
) -> DataSubjectRequest:
    """A request by a signed-in person. The door must have checked a fresh
    re-authentication before calling this: it is what verifies the request."""
    request = dsar_create(
        type=type,
        email=user.email,
        name=user.full_name,
        postcode=user.postcode,
        jurisdiction=user.jurisdiction,
        channel=channel,
        subject=user,
        details=details,
    )
    _acknowledge(request)
    return dsar_verify(request=request, actor=user, method=REAUTHENTICATION)


@transaction.atomic
def dsar_intake_public(
    *,
    type: str,  # noqa: A002
    email: str,
    name: str,
    postcode: str,
    jurisdiction: str,
    details: str = "",
    declaration: bool = False,
    agent_authorisation: UploadedFile | None = None,
    client: str = "",
) -> DataSubjectRequest:
    """A request from the public form: acknowledged at once, then awaiting the proof of
    the address by the emailed link. `client` is the caller's network address, for the
    per-client limit."""
    if _throttled(email, client):
        raise ValidationError(
            "We have received several requests for this address or from your connection "
            "recently. Please try again tomorrow, or write to our data protection officer."
        )
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter your full name."
    if not postcode.strip():
        errors["postcode"] = "Enter your postcode or ZIP code."
    if type in SPECIFIC_PIECES and not declaration:
        errors["declaration"] = (
            "To receive the data itself, declare that you are the person it is about."
        )
    if errors:
        raise ValidationError(errors)
    request = dsar_create(
        type=type,
        email=email.strip(),
        name=name.strip(),
        postcode=postcode.strip(),
        jurisdiction=jurisdiction,
        channel=Channel.AGENT if agent_authorisation else Channel.PUBLIC_FORM,
        details=details,
        subject=User.objects.filter(email__iexact=email.strip()).first(),
    )
    if agent_authorisation is not None:
        request.agent_authorisation = agent_authorisation
    if declaration:
        request.declaration_signed_at = timezone.now()
    request.save()
    _acknowledge(request)
    return _send_link(request, actor=None)


def _send_link(request: DataSubjectRequest, *, actor: User | None) -> DataSubjectRequest:
    """Await the proof of the address: a single-use link, its sha256 stored, 7 days."""
    token = secrets.token_urlsafe(32)
    request.verification_token_hash = _hash(token)
    request.verification_expires_at = timezone.now() + VERIFICATION_VALID
    request.save(update_fields=["verification_token_hash", "verification_expires_at"])
    request = dsar_transition(request=request, to=Status.AWAITING_VERIFICATION, actor=actor)
    link = _site_url(reverse("dsar:verify", args=[request.reference, token]))
    case_email_send(
        request,
        subject=f"Confirm your request {request.reference}",
        body="To confirm that this request is yours, open this link within 7 days:\n\n"
        f"{link}\n\nIf you did not make this request, ignore this email: it will close by "
        "itself.",
        actor=actor,
    )
    return request


@transaction.atomic
def dsar_verification_link_send(*, request: DataSubjectRequest, actor: User) -> DataSubjectRequest:
    """A request entered by staff (a letter, a call) is verified like a public one: the
    link goes to the address it gives, and its details are matched against the account.
    The DPO's other way is to verify it without the checks, saying why."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.channel != Channel.STAFF or request.status != Status.RECEIVED:
        raise ValidationError(
            "The link is sent once, for a request entered by staff that is not yet verified "
            "(public requests get theirs when they are made)."
        )
    return _send_link(request, actor=actor)


def _points_matched(request: DataSubjectRequest) -> tuple[int, int]:
    """(matched, needed) data points against the account."""
    account = request.subject
    assert account is not None
    matched = 1  # the address, proved by the link
    matched += _normalise_name(request.name) == _normalise_name(account.full_name)
    matched += _normalise_postcode(request.postcode) == _normalise_postcode(account.postcode)
    needed = 3 if request.type in SPECIFIC_PIECES else 2
    return matched, needed


@transaction.atomic
def dsar_verify_link(*, reference: str, token: str) -> DataSubjectRequest:
    """Prove the address with the emailed link, then match the account's details. The
    link works once; a wrong, used or expired one is refused with the same message."""
    refused = ValidationError({"token": "This link is not valid. It may have expired."})
    request = (
        DataSubjectRequest.objects.select_for_update()
        .filter(reference=reference, status=Status.AWAITING_VERIFICATION)
        .first()
    )
    if request is None or not request.verification_token_hash:
        raise refused
    if not hmac.compare_digest(request.verification_token_hash, _hash(token)):
        raise refused
    if request.verification_expires_at is None or request.verification_expires_at <= timezone.now():
        raise refused
    request.verification_token_hash = ""  # single use
    request.save(update_fields=["verification_token_hash"])
    if request.channel == Channel.AGENT:
        # The link proves the agent's address, not the agent's authority: the DPO checks
        # the signed authority and verifies with that reason (CCPA §7063).
        case_event_record(
            request,
            CaseEventKind.NOTE,
            actor=None,
            text="Address proved. An authorised agent's request: check the signed authority "
            "(and, where needed, the person's identity), then verify saying so.",
        )
        return request
    if request.subject is None:
        # No account: whatever we hold is keyed by the address the link proved.
        return dsar_verify(request=request, actor=None, method=f"{EMAIL_LINK} (no account)")
    matched, needed = _points_matched(request)
    if request.type in SPECIFIC_PIECES and request.declaration_signed_at is None:
        matched = min(matched, needed - 1)
    if matched < needed:
        case_event_record(
            request,
            CaseEventKind.NOTE,
            actor=None,
            text=f"Address proved; {matched} of {needed} data points matched the account.",
        )
        # Kept for the DPO to follow up (ask for more, or refuse with a reason).
        return request
    return dsar_verify(
        request=request, actor=None, method=f"{EMAIL_LINK} and {matched} matching data points"
    )


def dsar_close_unverified(*, now: datetime | None = None) -> int:
    """Close the requests whose link expired unused (a scheduled job; safe to run twice
    or in parallel: each request is claimed with a row lock and skipped when taken)."""
    now = now or timezone.now()
    closed = 0
    # Only links never used: a used one proved the address, and the request waits for
    # the DPO (details that did not match, an agent's authority), on the queue with its
    # deadline.
    expired = (
        DataSubjectRequest.objects.filter(
            status=Status.AWAITING_VERIFICATION, verification_expires_at__lte=now
        )
        .exclude(verification_token_hash="")
        .values_list("pk", flat=True)
    )
    for pk in list(expired[:1000]):
        with transaction.atomic():
            request = (
                DataSubjectRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.AWAITING_VERIFICATION)
                .exclude(verification_token_hash="")
                .first()
            )
            if request is None:
                continue
            request.verification_token_hash = ""
            request.save(update_fields=["verification_token_hash"])
            dsar_transition(
                request=request,
                to=Status.CLOSED_UNVERIFIED,
                actor=None,
                text="The confirmation link expired unused.",
            )
            closed += 1
    return closed
