"""Rule 7 for the retention sweep, on PostgreSQL: two sweeps at once send each notice once,
and a sweep killed half-way and run again ends where one clean run ends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection

from dsar.models import InactivityNotice
from dsar.retention import notices as retention_notices
from dsar.retention import sweep as sweep_module
from dsar.retention.sweep import retention_sweep
from tests.dsar.concurrency import twice_at_once
from tests.factories import UserFactory
from vetpass.outbox.models import OutboxEmail

LAST_USE = datetime(2025, 3, 10, 12, tzinfo=UTC)
NOTICE_DUE = datetime(2026, 9, 10, 12, tzinfo=UTC)
OWNERS = 60

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once"),
]


@pytest.fixture
def idle_owners(reference_data):
    return [
        UserFactory(email=f"idle{i}@example.com", last_activity_at=LAST_USE) for i in range(OWNERS)
    ]


def _one_notice_and_one_email_each(owners) -> None:
    notices = Counter(InactivityNotice.objects.values_list("owner_id", flat=True))
    assert notices == {owner.pk: 1 for owner in owners}
    mailed = Counter(
        address for to in OutboxEmail.objects.values_list("to", flat=True) for address in to
    )
    assert mailed == {owner.email: 1 for owner in owners}
    linked = set(InactivityNotice.objects.values_list("email_id", flat=True))
    assert linked == set(OutboxEmail.objects.values_list("pk", flat=True))


def test_two_sweeps_at_once_send_each_notice_once(idle_owners, monkeypatch):
    monkeypatch.setattr(sweep_module, "CHUNK", 7)  # many small transactions to interleave
    results = twice_at_once(lambda: retention_sweep(now=NOTICE_DUE))
    assert sum(r.noticed for r in results) == OWNERS  # type: ignore[attr-defined]
    _one_notice_and_one_email_each(idle_owners)


def test_a_sweep_killed_half_way_and_run_again_ends_like_one_clean_run(idle_owners, monkeypatch):
    monkeypatch.setattr(sweep_module, "CHUNK", 10)
    real_insert = retention_notices.insert_notices_with_emails
    calls = {"n": 0}

    def dies_on_the_third_chunk(rows, now):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        written = real_insert(rows, now)  # the chunk's statement ran: killed before commit
        if calls["n"] == 3:
            raise SystemExit("killed")
        return written

    monkeypatch.setattr(retention_notices, "insert_notices_with_emails", dies_on_the_third_chunk)
    with pytest.raises(SystemExit):
        retention_sweep(now=NOTICE_DUE)
    # Two chunks committed whole; the third left nothing behind.
    assert InactivityNotice.objects.count() == OutboxEmail.objects.count() == 20
    monkeypatch.setattr(retention_notices, "insert_notices_with_emails", real_insert)
    assert retention_sweep(now=NOTICE_DUE).noticed == OWNERS - 20
    _one_notice_and_one_email_each(idle_owners)
