"""Benchmark: the consent check for a 100,000-recipient marketing send, set-based (what
consent.sending does) against one recipient at a time (what a naive loop would do).

Not a test. Runs standalone:
    .venv/bin/python bench/consent_check.py                  # SQLite, in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/consent_check.py

It never touches your data: it creates a throwaway test database (Django's test-database
machinery: `test_<name>`, or SQLite in memory), fills it, measures, and destroys it.
The one-at-a-time check is timed on a sample (2,000 recipients by default) and
extrapolated to the whole list; the output says so.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "100000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "2000"))
NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


def populate() -> None:
    from consent.models import Action, ConsentEvent, Purpose, event_hash
    from vetpass.accounts.models import User

    rng = random.Random(42)
    users = User.objects.bulk_create(
        [User(email=f"r{n}@bench.example", password="!") for n in range(RECIPIENTS)],
        batch_size=5000,
    )
    if users[0].pk is None:
        users = list(User.objects.filter(email__endswith="@bench.example").order_by("id"))
    marketing = Purpose.objects.get(code="marketing_email")
    events, restricted = [], []
    for user in users:
        roll = rng.random()
        if roll < 1 / 3:
            continue
        steps = [(Action.GRANT, NOW - timedelta(days=60))]
        if roll < 0.45:
            steps.append((Action.WITHDRAW, NOW - timedelta(days=1)))
        elif roll < 0.5:
            steps.append((Action.OBJECT, NOW - timedelta(days=1)))
        elif roll < 0.55:
            restricted.append(user.pk)
        prev = ""
        for seq, (action, when) in enumerate(steps, start=1):
            event = ConsentEvent(
                subject_key=f"user:{user.pk}",
                subject_user_id=user.pk,
                purpose=marketing,
                action=action,
                actor_id=user.pk,
                channel="web",
                created_at=when,
                sequence=seq,
                prev_hash=prev,
            )
            event.hash = event_hash(event)
            prev = event.hash
            events.append(event)
    ConsentEvent.objects.bulk_create(events, batch_size=5000)
    for start in range(0, len(restricted), 5000):
        User.objects.filter(pk__in=restricted[start : start + 5000]).update(restricted_at=NOW)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"data: {len(users):,} recipients, {len(events):,} ledger events")


def set_based() -> tuple[float, int]:
    from consent.selectors import consenting_users
    from vetpass.accounts.models import User

    recipients = User.objects.filter(email__endswith="@bench.example")
    timings, count = [], 0
    for _ in range(3):
        start = time.perf_counter()
        ids = list(consenting_users("marketing_email", recipients).values_list("id", "email"))
        timings.append(time.perf_counter() - start)
        count = len(ids)
    return statistics.median(timings), count


def one_at_a_time() -> tuple[float, int]:
    from consent.selectors import consent_given
    from vetpass.accounts.models import User

    sample = list(
        User.objects.filter(email__endswith="@bench.example")
        .order_by("?")
        .only("id", "email", "restricted_at", "is_active")[:SAMPLE]
    )
    start = time.perf_counter()
    kept = 0
    for user in sample:
        if user.is_active and user.restricted_at is None and consent_given(user, "marketing_email"):
            kept += 1
    return time.perf_counter() - start, kept


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        populate()
        whole, count = set_based()
        sample_time, _ = one_at_a_time()
        per_recipient = sample_time / SAMPLE
        extrapolated = per_recipient * RECIPIENTS
        print(
            f"set-based check, {RECIPIENTS:,} recipients in one query: {whole * 1000:,.1f} ms "
            f"({count:,} may be sent to; median of 3 runs)"
        )
        print(
            f"one at a time: {SAMPLE:,} recipients timed in {sample_time * 1000:,.1f} ms "
            f"({per_recipient * 1e6:,.1f} µs each), extrapolated to {RECIPIENTS:,}: "
            f"{extrapolated:,.2f} s"
        )
        print(f"ratio (one at a time / set-based): {extrapolated / whole:,.1f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
