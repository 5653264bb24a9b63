"""Reads of the consent ledger. Current state is derived from the latest event per
(subject, purpose, scope) and answered in one indexed query — for one person, or for a
whole mailing list at once (`consenting_users`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vetpass.accounts.models import User

from .models import Action, ConsentEvent, PolicyVersion, Purpose
from .services import subject_key_for


def consent_given(subject: User | str, purpose_code: str, scope: str = "") -> bool:
    """Does the subject consent to this purpose in this scope right now?"""
    latest = (
        ConsentEvent.objects.filter(
            subject_key=subject_key_for(subject), purpose__code=purpose_code, scope=scope
        )
        .order_by("-sequence")
        .values_list("action", flat=True)
        .first()
    )
    return latest == Action.GRANT


def latest_events(purpose: Purpose | str, scope: str = "") -> QuerySet[ConsentEvent]:
    """The latest event of every subject for one purpose/scope, as a queryset (not run).

    PostgreSQL: DISTINCT ON over the (purpose, scope, subject_key, -sequence) index.
    Elsewhere: an anti-join ("no later event for the same subject"), same index.
    """
    if isinstance(purpose, Purpose):
        events = ConsentEvent.objects.filter(purpose=purpose, scope=scope)
    else:
        events = ConsentEvent.objects.filter(purpose__code=purpose, scope=scope)
    if connection.vendor == "postgresql":
        latest_ids = (
            events.order_by("subject_key", "-sequence").distinct("subject_key").values("id")
        )
        return ConsentEvent.objects.filter(id__in=latest_ids)
    later = ConsentEvent.objects.filter(
        subject_key=OuterRef("subject_key"),
        purpose_id=OuterRef("purpose_id"),
        scope=scope,
        sequence__gt=OuterRef("sequence"),
    )
    return events.filter(~Exists(later))


def consenting_user_ids_query(purpose: Purpose | str, scope: str = "") -> QuerySet:
    """A subquery of the account ids whose latest event is a grant (for `id__in=`)."""
    return (
        latest_events(purpose, scope)
        .filter(action=Action.GRANT, subject_user__isnull=False)
        .values("subject_user_id")
    )


def consenting_users(
    purpose: Purpose | str, users: QuerySet[User] | None = None, scope: str = ""
) -> QuerySet[User]:
    """The accounts among `users` (default: everyone) who consent now and may be contacted:
    not restricted (Art. 18), active. One query when evaluated, however long the list."""
    users = users if users is not None else User.objects.all()
    return users.filter(
        id__in=consenting_user_ids_query(purpose, scope),
        restricted_at__isnull=True,
        is_active=True,
    )


def consenting_user_ids(
    purpose_code: str, user_ids: Iterable[int] | None = None, scope: str = ""
) -> set[int]:
    """The accounts whose latest event for purpose/scope is a grant — one query for a whole
    list. (Ledger state only: restriction is checked by `consenting_users`.)"""
    query = consenting_user_ids_query(purpose_code, scope)
    if user_ids is not None:
        query = query.filter(subject_user_id__in=list(user_ids))
    return set(query.values_list("subject_user_id", flat=True))


@dataclass(frozen=True)
class PurposeState:
    purpose: Purpose
    scope: str
    granted: bool
    latest: ConsentEvent | None

    @property
    def state(self) -> str:
        if self.latest is None:
            return "not_asked"
        return {
            Action.GRANT: "granted",
            Action.WITHDRAW: "withdrawn",
            Action.OBJECT: "objected",
        }.get(self.latest.action, "unknown")  # type: ignore[call-overload]


def consent_states(subject: User | str) -> list[PurposeState]:
    """Every purpose with its current state for one person (scoped purposes once per scope
    the ledger knows). Two queries: the purposes and the subject's events."""
    purposes = list(Purpose.objects.all())
    latest: dict[tuple[int, str], ConsentEvent] = {}
    events = (
        ConsentEvent.objects.filter(subject_key=subject_key_for(subject), purpose__isnull=False)
        .order_by("sequence")
        .only("id", "purpose_id", "scope", "action", "created_at", "channel", "sequence")
    )
    for event in events:
        latest[(event.purpose_id, event.scope)] = event  # type: ignore[index]
    states = []
    for purpose in purposes:
        scopes = sorted(scope for pid, scope in latest if pid == purpose.pk)
        if not purpose.scoped:
            scopes = [""]
        for scope in scopes:
            found = latest.get((purpose.pk, scope))
            states.append(
                PurposeState(
                    purpose=purpose,
                    scope=scope,
                    granted=found is not None and found.action == Action.GRANT,
                    latest=found,
                )
            )
    return states


def consent_history(subject: User | str) -> QuerySet[ConsentEvent]:
    return (
        ConsentEvent.objects.filter(subject_key=subject_key_for(subject))
        .select_related("purpose", "policy_version__document")
        .order_by("-sequence")
    )


def get_event_for_subject(subject: User | str, event_id: int) -> ConsentEvent:
    """One of the subject's own events, or 404 (another person's event does not exist)."""
    event = consent_history(subject).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such consent event.")
    return event


def policy_versions_in_force(at: datetime | None = None) -> list[PolicyVersion]:
    """The version of each policy document in effect at `at` (default now)."""
    at = at or timezone.now()
    versions = (
        PolicyVersion.objects.filter(effective_from__lte=at)
        .select_related("document")
        .order_by("document_id", "-effective_from", "-id")
    )
    seen: set[int] = set()
    in_force = []
    for version in versions:
        if version.document_id not in seen:
            seen.add(version.document_id)
            in_force.append(version)
    return in_force


def required_policy_version_ids(at: datetime | None = None) -> list[int]:
    return sorted(v.pk for v in policy_versions_in_force(at) if v.requires_acceptance)


def policy_versions_pending(user: User, at: datetime | None = None) -> list[PolicyVersion]:
    """Versions in force that require acceptance and that the user has not accepted."""
    required = [v for v in policy_versions_in_force(at) if v.requires_acceptance]
    if not required:
        return []
    accepted = set(
        ConsentEvent.objects.filter(
            subject_key=subject_key_for(user),
            action=Action.ACCEPT_POLICY,
            policy_version__in=required,
        ).values_list("policy_version_id", flat=True)
    )
    return [v for v in required if v.pk not in accepted]


def next_policy_change(at: datetime | None = None) -> datetime | None:
    """When the next announced version takes effect (the middleware's cache ends then)."""
    at = at or timezone.now()
    return (
        PolicyVersion.objects.filter(effective_from__gt=at)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


def get_policy_version(kind: str, version: str | None = None) -> PolicyVersion:
    if version is None:
        for in_force in policy_versions_in_force():
            if in_force.document.kind == kind:
                return in_force
        raise Http404("No such policy.")
    found = (
        PolicyVersion.objects.select_related("document")
        .filter(Q(document__kind=kind) & Q(version=version))
        .first()
    )
    if found is None:
        raise Http404("No such policy version.")
    return found


def latest_action_for(subject: User | str, purpose_code: str, scope: str = "") -> str | None:
    """The latest action (grant/withdraw/object) or None when never asked."""
    return (
        ConsentEvent.objects.filter(
            subject_key=subject_key_for(subject), purpose__code=purpose_code, scope=scope
        )
        .order_by("-sequence")
        .values_list("action", flat=True)
        .first()
    )
