"""The owner's privacy dashboard (issue 9): in one place, what is held about them (counted
from the personal-data map), who looked at it lately, their consents, their open requests
with due dates, and when their account would be removed if they stopped using VetPass
today. The web page and the API read this one selector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Func, IntegerField, Model, Q, Subquery
from django.utils import timezone

from consent.selectors import PurposeState, consent_states
from records.practices.selectors import owner_access_log
from vetpass.accounts.models import User
from vetpass.privacy import Role

from .models import OPEN_STATUSES, DataSubjectRequest, InactivityNotice
from .personal_data_map import Person, subject_q, subjects_map
from .retention import policy

RECENT_READS = 5
# The person's own data; their reads of others' records and their work as staff are not
# "what is held about me" in the owner's sense (they are in the export).
OWN_ROLES = (Role.ACCOUNT, Role.OWNER, Role.EMAIL, Role.LEDGER_KEY)


@dataclass(frozen=True)
class HeldKind:
    label: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    held: list[HeldKind]
    recent_reads: list[dict[str, Any]]
    consents: list[PurposeState]
    open_requests: list[DataSubjectRequest]
    # When the account would be removed if unused from now on; a notice already sent for
    # the current period says its own date.
    removal_at: datetime
    notice: InactivityNotice | None


def held_counts(user: User) -> list[HeldKind]:
    """Rows held about the person per kind of record, from the map's subject paths: one
    query of scalar subqueries, however many tables the map has."""
    person = Person.of(user=user)
    filters: dict[type[Model], Q] = {}
    for label, subjects in subjects_map().items():
        model = apps.get_model(label)
        for subject in subjects:
            q = subject_q(model, subject, person) if subject.role in OWN_ROLES else None
            if q is not None:
                filters[model] = filters[model] | q if model in filters else q
    count = Func(template="COUNT(*)", output_field=IntegerField())
    annotations = {
        f"n{i}": Subquery(model._default_manager.filter(q).order_by().annotate(n=count).values("n"))
        for i, (model, q) in enumerate(filters.items())
    }
    row = User.objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).get()
    kinds = [
        HeldKind(str(model._meta.verbose_name_plural).capitalize(), row[f"n{i}"] or 0)
        for i, model in enumerate(filters)
    ]
    return [kind for kind in kinds if kind.count]


def current_notice(user: User) -> InactivityNotice | None:
    anchor = user.last_activity_at or user.date_joined
    return (
        InactivityNotice.objects.filter(owner=user, period_start=anchor)
        .exclude(state__in=(InactivityNotice.State.CANCELLED, InactivityNotice.State.REMOVED))
        .first()
    )


def removal_if_unused(user: User, *, now: datetime | None = None) -> tuple[datetime, Any]:
    """(removal time, the notice) for the account if it is not used again: the pending
    notice's date when one was sent for the current period, else 21 months from now."""
    now = now or timezone.now()
    notice = current_notice(user)
    if notice is not None:
        return notice.removal_at or notice.stated_removal_at, notice
    return policy.removal_if_unused_from(now), None


def privacy_dashboard(user: User, *, now: datetime | None = None) -> Dashboard:
    removal, notice = removal_if_unused(user, now=now)
    return Dashboard(
        held=held_counts(user),
        recent_reads=list(owner_access_log(user)[:RECENT_READS]),
        consents=consent_states(user),
        open_requests=list(
            DataSubjectRequest.objects.filter(subject=user, status__in=OPEN_STATUSES).order_by(
                "respond_by"
            )
        ),
        removal_at=removal,
        notice=notice,
    )
