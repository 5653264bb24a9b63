"""Rule 7 for the due-reminder sweep, on PostgreSQL: two sweeps at once, each on its own
connection, send each reminder once (the claim is SKIP LOCKED, the unique row the proof)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection

from consent.models import Purpose
from consent.services import consent_grant
from records.models import CareReminder, EntryKind
from records.reminders import care_reminders_send
from tests.dsar.concurrency import twice_at_once
from tests.factories import AnimalFactory, EntryFactory, UserFactory
from vetpass.outbox.models import OutboxEmail

TODAY = dt.date(2026, 6, 1)
OWNERS = 40

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once"),
]


@pytest.fixture
def owners_with_a_dose_due(reference_data):
    owners = []
    for i in range(OWNERS):
        owner = UserFactory(email=f"owner{i}@example.com")
        consent_grant(subject=owner, purpose=Purpose.CARE_REMINDERS, channel="web")
        animal = AnimalFactory(owner=owner, name=f"Pet {i}")
        EntryFactory(
            animal=animal,
            kind=EntryKind.VACCINATION,
            vaccine_product="Rabies",
            occurred_on=dt.date(2023, 6, 8),
            next_due_on=dt.date(2026, 6, 8),
        )
        owners.append(owner)
    return owners


def test_two_sweeps_at_once_send_each_reminder_once(owners_with_a_dose_due):
    results = twice_at_once(lambda: care_reminders_send(today=TODAY, size=7))

    assert sum(r.reminders for r in results) == OWNERS
    assert CareReminder.objects.count() == OWNERS
    mailed = Counter(a for to in OutboxEmail.objects.values_list("to", flat=True) for a in to)
    assert mailed == {owner.email: 1 for owner in owners_with_a_dose_due}


def test_a_sweep_run_twice_sends_nothing_the_second_time(owners_with_a_dose_due):
    assert care_reminders_send(today=TODAY).reminders == OWNERS
    assert care_reminders_send(today=TODAY).reminders == 0
    assert OutboxEmail.objects.count() == OWNERS
