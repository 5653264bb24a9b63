"""Benchmark: deleting data-subject requests kept 24 months (dsar.retention.cases), set-based
in chunks, against deleting them one case at a time with Model.delete() (the naive loop).

Not a test. Runs standalone:
    .venv/bin/python bench/case_retention.py                  # SQLite, in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/case_retention.py

It creates a throwaway test database, fills it with BENCH_CASES closed cases past their
keeping period (5 events and 1 reminder each), plus as many kept ones (recent, open, or
under a legal hold), measures, and destroys it. The one-at-a-time way is timed on a
sample (BENCH_SAMPLE cases) and extrapolated; the output says so.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "20000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "500"))
NOW = datetime(2029, 6, 1, 3, tzinfo=UTC)
OLD = datetime(2026, 1, 10, 9, tzinfo=UTC)
RECENT = datetime(2028, 1, 10, 9, tzinfo=UTC)


def populate(count: int, tag: str) -> None:
    from dsar.models import CaseEvent, DataSubjectRequest, DueReminder, LegalHold, Status
    from vetpass.accounts.models import User

    people = User.objects.bulk_create(
        [User(email=f"{tag}{n}@bench.example", password="!") for n in range(count // 10 + 1)],
        batch_size=5000,
    )
    if people[0].pk is None:
        people = list(User.objects.filter(email__startswith=tag).order_by("id"))
    held = people[: max(1, len(people) // 50)]
    LegalHold.objects.bulk_create(
        [LegalHold(subject=p, reason="bench claim", placed_by=people[-1]) for p in held]
    )

    def case(n: int, closed: datetime | None) -> DataSubjectRequest:
        person = people[n % len(people)]
        return DataSubjectRequest(
            reference=f"B{tag}{n:09d}",
            type="access",
            status=Status.COMPLETED if closed else Status.IN_PROGRESS,
            jurisdiction="uk",
            channel="web",
            subject=person,
            email=person.email,
            received_at=(closed or OLD) - timedelta(days=20),
            respond_by=date(2026, 2, 1),
            extended_respond_by=date(2026, 4, 1),
            closed_at=closed,
        )

    rows = [case(n, OLD) for n in range(count)]  # past their keeping period
    rows += [case(count + n, RECENT) for n in range(count // 2)]  # kept: recent
    rows += [case(2 * count + n, None) for n in range(count // 2)]  # kept: open
    cases = DataSubjectRequest.objects.bulk_create(rows, batch_size=5000)
    if cases[0].pk is None:
        cases = list(DataSubjectRequest.objects.filter(reference__startswith=f"B{tag}"))
    CaseEvent.objects.bulk_create(
        [CaseEvent(request=c, kind="note", text="bench", at=OLD) for c in cases for _ in range(5)],
        batch_size=10000,
    )
    DueReminder.objects.bulk_create(
        [DueReminder(request=c, days_before=7, due_on=c.respond_by) for c in cases],
        batch_size=10000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    from dsar.models import CaseEvent, DataSubjectRequest
    from dsar.retention.cases import dsar_cases_purge, purgeable_cases

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        populate(CASES, "a")
        due = purgeable_cases(now=NOW).count()
        total = DataSubjectRequest.objects.count()
        events = CaseEvent.objects.count()
        print(f"data: {total:,} cases ({due:,} past 24 months, no hold), {events:,} events")

        start = time.perf_counter()
        report = dsar_cases_purge(now=NOW)
        set_based = time.perf_counter() - start
        print(
            f"set-based, chunks of 500: {report.cases:,} cases, {report.events:,} events, "
            f"{report.reminders:,} reminders in {set_based:,.2f} s ({report.chunks} chunks)"
        )

        populate(SAMPLE * 4, "s")
        sample = list(purgeable_cases(now=NOW).order_by("pk")[:SAMPLE])
        start = time.perf_counter()
        for case in sample:
            case.delete()
        naive = time.perf_counter() - start
        per_case = naive / len(sample)
        extrapolated = per_case * report.cases
        print(
            f"one at a time (Model.delete): {len(sample):,} cases in {naive:,.2f} s "
            f"({per_case * 1000:,.2f} ms each), extrapolated to {report.cases:,}: "
            f"{extrapolated:,.1f} s"
        )
        print(f"ratio (one at a time / set-based): {extrapolated / set_based:,.1f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
