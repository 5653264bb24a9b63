"""Rule 7 for the practice-subscription job, on PostgreSQL: two sweeps at once tell each
practice's administrators once, and anonymise each practice once (one ledger event per
owner's sharing, one end state)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from consent.models import Action, ConsentEvent
from dsar.models import PracticeSubscriptionEnd
from dsar.retention import practices as practices_module
from dsar.retention.practices import practice_subscription_sweep
from records.models import ClientRegistration, Favorite, Practice
from records.practices.services.favorites import favorite_create
from tests.dsar.concurrency import twice_at_once
from tests.factories import MembershipFactory, PracticeFactory, UserFactory
from vetpass.outbox.models import OutboxEmail

ENDS_ON = date(2027, 1, 31)
TOLD = datetime(2027, 2, 1, 6, tzinfo=UTC)
ANONYMISED = datetime(2027, 4, 1, 6, tzinfo=UTC)
PRACTICES = 4
OWNERS = 12

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once"),
]


@pytest.fixture
def ended_practices(reference_data) -> list[Practice]:
    practices = [
        PracticeFactory(subscription_starts_on=date(2026, 1, 1), subscription_ends_on=ENDS_ON)
        for _ in range(PRACTICES)
    ]
    for i, practice in enumerate(practices):
        MembershipFactory(
            practice=practice,
            user=UserFactory(email=f"admin{i}@example.com"),
            is_practice_admin=True,
        )
    owners = [UserFactory(email=f"owner{i}@example.com") for i in range(OWNERS)]
    for owner in owners:
        for practice in practices[:2]:
            favorite_create(owner=owner, practice=practice)
    return practices


def _two_at_once(now: datetime) -> list[object]:
    return twice_at_once(lambda: practice_subscription_sweep(now=now))


def test_two_sweeps_at_once_tell_and_anonymise_each_practice_once(ended_practices, monkeypatch):
    monkeypatch.setattr(practices_module, "CHUNK", 5)  # many small transactions to interleave
    OutboxEmail.objects.all().delete()
    told = _two_at_once(TOLD)
    assert sum(r.ended for r in told) == PRACTICES  # type: ignore[attr-defined]
    mailed = Counter(a for to in OutboxEmail.objects.values_list("to", flat=True) for a in to)
    assert mailed == {f"admin{i}@example.com": 1 for i in range(PRACTICES)}
    assert PracticeSubscriptionEnd.objects.count() == PRACTICES

    done = _two_at_once(ANONYMISED)
    assert sum(r.anonymised for r in done) == PRACTICES  # type: ignore[attr-defined]
    assert set(PracticeSubscriptionEnd.objects.values_list("state", flat=True)) == {
        PracticeSubscriptionEnd.State.ANONYMISED
    }
    assert not Favorite.objects.exists() and not ClientRegistration.objects.exists()
    ended = Counter(
        ConsentEvent.objects.filter(action=Action.WITHDRAW).values_list("scope", flat=True)
    )
    assert ended == {f"practice:{p.pk}": OWNERS for p in ended_practices[:2]}
