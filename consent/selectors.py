"""Reads of the consent ledger: current state is derived from the latest event per
(subject, purpose, scope), answered in one indexed query."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from vetpass.accounts.models import User

from .models import Action, ConsentEvent
from .services import subject_key_for


def _latest_action_subquery(purpose_code: str, scope: str) -> Subquery:
    return Subquery(
        ConsentEvent.objects.filter(
            subject_key=OuterRef("subject_key"), purpose__code=purpose_code, scope=scope
        )
        .order_by("-sequence")
        .values("action")[:1]
    )


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


def consenting_user_ids(
    purpose_code: str, user_ids: Iterable[int] | None = None, scope: str = ""
) -> set[int]:
    """The accounts whose latest event for purpose/scope is a grant — one query for a whole list."""
    events = ConsentEvent.objects.filter(
        purpose__code=purpose_code, scope=scope, subject_user__isnull=False
    )
    if user_ids is not None:
        events = events.filter(subject_key__in=[f"user:{uid}" for uid in user_ids])
    latest = events.order_by("subject_key", "-sequence").values_list(
        "subject_key", "action", "subject_user_id"
    )
    result: set[int] = set()
    seen: set[str] = set()
    for key, action, uid in latest.iterator(chunk_size=5000):
        if key in seen:
            continue
        seen.add(key)
        if action == Action.GRANT:
            result.add(uid)
    return result
