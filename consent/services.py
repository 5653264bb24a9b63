"""Writes to the consent ledger. Every consent change in VetPass goes through
`consent_record`, which appends one hash-chained event; the other functions here are
the actions people take (turn a purpose on or off, accept a policy version, choose
cookies, unsubscribe from an email) expressed as ledger events."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from vetpass.accounts.models import User

from .dispatch import consent_recorded
from .models import (
    Action,
    ActorRole,
    Channel,
    ConsentEvent,
    EmailSubject,
    PolicyVersion,
    Purpose,
)
from .scopes import scope_is_managed, scope_labels


def subject_key_for(subject: User | str) -> str:
    """The ledger's key for a person: their account, or a keyed hash (HMAC-SHA256 under
    settings.CONSENT_SUBJECT_KEY) of their address when they have none. The ledger can
    never be erased, so it holds no address (issue 8 §1)."""
    if isinstance(subject, User):
        return f"user:{subject.pk}"
    address = subject.strip().lower()
    digest = hmac.new(settings.CONSENT_SUBJECT_KEY.encode(), address.encode(), hashlib.sha256)
    return f"email:{digest.hexdigest()}"


def _lock_subject(subject_key: str) -> None:
    """Serialise appends to one subject's chain (two tabs clicking at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [subject_key])


def _purpose(purpose: Purpose | str) -> Purpose:
    if isinstance(purpose, Purpose):
        return purpose
    try:
        return Purpose.objects.get(code=purpose)
    except Purpose.DoesNotExist:
        raise ValidationError({"purpose": f"There is no purpose called {purpose!r}."}) from None


@transaction.atomic
def consent_record(
    *,
    subject: User | str,
    action: str,
    channel: str,
    purpose: Purpose | str | None = None,
    scope: str = "",
    actor: User | None = None,
    actor_role: str = ActorRole.SUBJECT,
    wording: str = "",
    policy_version: PolicyVersion | None = None,
) -> ConsentEvent:
    if action not in Action.values:
        raise ValueError(f"unknown consent action {action!r}")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if actor_role not in ActorRole.values:
        raise ValueError(f"unknown actor role {actor_role!r}")
    resolved: Purpose | None = None
    if action == Action.ACCEPT_POLICY:
        if policy_version is None:
            raise ValidationError({"policy_version": "Say which policy version was accepted."})
    else:
        if purpose is None:
            raise ValidationError({"purpose": "Say which purpose this consent is for."})
        resolved = _purpose(purpose)
        if resolved.scoped and not scope:
            raise ValidationError({"scope": f"{resolved.name} is given per scope: name one."})
        if not resolved.scoped and scope:
            raise ValidationError({"scope": f"{resolved.name} is not given per scope."})
    key = subject_key_for(subject)
    _lock_subject(key)
    if not isinstance(subject, User):
        EmailSubject.objects.get_or_create(
            subject_key=key, defaults={"email": subject.strip().lower()}
        )
    last = (
        ConsentEvent.objects.filter(subject_key=key)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
    event = ConsentEvent(
        subject_key=key,
        subject_user=subject if isinstance(subject, User) else None,
        purpose=resolved,
        scope=scope,
        action=action,
        policy_version=policy_version,
        actor=actor if actor is not None else (subject if isinstance(subject, User) else None),
        actor_role=actor_role,
        channel=channel,
        wording=wording,
        created_at=timezone.now(),
        sequence=sequence,
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    consent_recorded.send(sender=ConsentEvent, event=event)
    return event


def consent_grant(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.GRANT, **kwargs)  # type: ignore[arg-type]


def consent_withdraw(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.WITHDRAW, **kwargs)  # type: ignore[arg-type]


def consent_object(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.OBJECT, **kwargs)  # type: ignore[arg-type]


def _latest_action(key: str, purpose: Purpose, scope: str) -> str | None:
    return (
        ConsentEvent.objects.filter(subject_key=key, purpose=purpose, scope=scope)
        .order_by("-sequence")
        .values_list("action", flat=True)
        .first()
    )


def consent_wording(purpose: Purpose, *, granted: bool) -> str:
    """The words a person sees beside the switch, kept with the event as proof."""
    verb = "Yes, I agree to" if granted else "No, I do not agree to"
    return f"{verb}: {purpose.name}. {purpose.description}"


@transaction.atomic
def consent_set(
    *,
    subject: User | str,
    purpose: Purpose | str,
    granted: bool,
    channel: str,
    scope: str = "",
    wording: str = "",
    actor: User | None = None,
    actor_role: str = ActorRole.SUBJECT,
) -> ConsentEvent | None:
    """Turn a purpose on or off (the privacy centre's one click). Writes an event only when
    the state changes, so a double click does not fill the ledger; returns it, or None."""
    resolved = _purpose(purpose)
    if granted and scope_is_managed(scope):
        label = scope_labels([scope]).get(scope, scope)
        raise ValidationError(
            {
                "scope": f"Sharing with {label} starts when you favorite it, so that the "
                "registration and the access start together: favorite it again to share."
            }
        )
    key = subject_key_for(subject)
    _lock_subject(key)
    currently = _latest_action(key, resolved, scope) == Action.GRANT
    if currently == granted:
        return None
    return consent_record(
        subject=subject,
        purpose=resolved,
        scope=scope,
        action=Action.GRANT if granted else Action.WITHDRAW,
        channel=channel,
        wording=wording or consent_wording(resolved, granted=granted),
        actor=actor,
        actor_role=actor_role,
    )


@transaction.atomic
def policy_accept(
    *,
    user: User,
    versions: Iterable[PolicyVersion],
    channel: str,
    actor: User | None = None,
    actor_role: str = ActorRole.SUBJECT,
) -> list[ConsentEvent]:
    """Record that the user accepted these policy versions (one event each; a version
    already accepted is not recorded twice)."""
    versions = list(versions)
    already = set(
        ConsentEvent.objects.filter(
            subject_key=subject_key_for(user),
            action=Action.ACCEPT_POLICY,
            policy_version__in=versions,
        ).values_list("policy_version_id", flat=True)
    )
    events = []
    for version in versions:
        if version.pk in already:
            continue
        events.append(
            consent_record(
                subject=user,
                action=Action.ACCEPT_POLICY,
                policy_version=version,
                channel=channel,
                actor=actor,
                actor_role=actor_role,
                wording=f"I accept the {version.document.title}, version {version.version}.",
            )
        )
    return events


@transaction.atomic
def unsubscribe_record(*, subject: User | str, purpose: Purpose | str) -> ConsentEvent | None:
    """The one-click unsubscribe from an email: a withdraw event at once (the policy allows
    seven business days; VetPass takes effect immediately)."""
    resolved = _purpose(purpose)
    return consent_set(
        subject=subject,
        purpose=resolved,
        granted=False,
        channel=Channel.EMAIL_LINK,
        wording=f"Unsubscribe from {resolved.name.lower()} (link in an email).",
    )
