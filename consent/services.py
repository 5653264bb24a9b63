"""Writes to the consent ledger. Every consent change in VetPass goes through
`consent_record`, which appends one hash-chained event."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from vetpass.accounts.models import User

from .models import Action, ActorRole, Channel, ConsentEvent, PolicyVersion, Purpose


def subject_key_for(subject: User | str) -> str:
    if isinstance(subject, User):
        return f"user:{subject.pk}"
    return f"email:{subject.strip().lower()}"


def _lock_subject(subject_key: str) -> None:
    """Serialise appends to one subject's chain (two tabs clicking at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [subject_key])


@transaction.atomic
def consent_record(
    *,
    subject: User | str,
    purpose: Purpose | str,
    action: str,
    channel: str,
    scope: str = "",
    actor: User | None = None,
    actor_role: str = ActorRole.SUBJECT,
    wording: str = "",
    policy_version: PolicyVersion | None = None,
) -> ConsentEvent:
    if isinstance(purpose, str):
        purpose = Purpose.objects.get(code=purpose)
    if action not in Action.values:
        raise ValueError(f"unknown consent action {action!r}")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    key = subject_key_for(subject)
    _lock_subject(key)
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
        purpose=purpose,
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
    return event


def consent_grant(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.GRANT, **kwargs)  # type: ignore[arg-type]


def consent_withdraw(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.WITHDRAW, **kwargs)  # type: ignore[arg-type]


def consent_object(**kwargs: object) -> ConsentEvent:
    return consent_record(action=Action.OBJECT, **kwargs)  # type: ignore[arg-type]
