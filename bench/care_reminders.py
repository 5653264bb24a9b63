"""Benchmark: the due-reminder sweep (records.reminders.care_reminders_send), set-based in
chunks, on a day when many reminders are due, then run again (it must find nothing).

Not a test. Runs standalone:
    .venv/bin/python bench/care_reminders.py                  # SQLite, in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/care_reminders.py

It creates a throwaway test database with BENCH_OWNERS owners (half of them with care
reminders on), two animals each and three vaccinations per animal (one superseded by a
later dose of the same vaccine, due dates spread over 60 days), measures, and destroys it.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

OWNERS = int(os.environ.get("BENCH_OWNERS", "2000"))
TODAY = date(2026, 6, 1)


def populate(count: int) -> None:
    from consent.models import PolicyDocument, PolicyVersion, Purpose
    from consent.reference_data import load_purposes_and_policies
    from consent.services import consent_grant
    from records.models import Animal, Entry, EntryKind, Species
    from vetpass.accounts.models import User

    load_purposes_and_policies(Purpose, PolicyDocument, PolicyVersion)
    dog, _ = Species.objects.get_or_create(slug="dog", defaults={"name": "Dog"})
    owners = User.objects.bulk_create(
        [User(email=f"o{n}@bench.example", password="!") for n in range(count)], batch_size=5000
    )
    if owners[0].pk is None:
        owners = list(User.objects.filter(email__endswith="@bench.example").order_by("id"))
    for owner in owners[::2]:
        consent_grant(subject=owner, purpose=Purpose.CARE_REMINDERS, channel="web")
    animals = Animal.objects.bulk_create(
        [Animal(owner=o, name=f"Pet {i}", species=dog) for o in owners for i in range(2)],
        batch_size=5000,
    )
    if animals[0].pk is None:
        animals = list(Animal.objects.filter(owner__in=owners).order_by("id"))
    entries = []
    for n, animal in enumerate(animals):
        due = TODAY + timedelta(days=n % 60)
        for product in ("Rabies", "Nobivac L4"):
            entries.append(
                Entry(
                    animal=animal,
                    kind=EntryKind.VACCINATION,
                    vaccine_product=product,
                    occurred_on=due - timedelta(days=365),
                    next_due_on=due,
                )
            )
        # an earlier dose of Rabies, superseded
        entries.append(
            Entry(
                animal=animal,
                kind=EntryKind.VACCINATION,
                vaccine_product="rabies ",
                occurred_on=due - timedelta(days=730),
                next_due_on=due - timedelta(days=365),
            )
        )
    Entry.objects.bulk_create(entries, batch_size=10000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    from records.models import Entry
    from records.reminders import care_reminders_send, reminder_candidates

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        populate(OWNERS)
        due = reminder_candidates(today=TODAY).count()
        print(
            f"data: {OWNERS:,} owners ({OWNERS // 2 + OWNERS % 2:,} with reminders on), "
            f"{Entry.objects.count():,} vaccinations; {due:,} reminders due on {TODAY}"
        )
        start = time.perf_counter()
        run = care_reminders_send(today=TODAY)
        first = time.perf_counter() - start
        print(
            f"first run: {run.reminders:,} reminders, {run.emails:,} emails in {first:,.2f} s "
            f"({run.chunks} chunks)"
        )
        start = time.perf_counter()
        again = care_reminders_send(today=TODAY)
        second = time.perf_counter() - start
        print(f"second run the same day: {again.reminders:,} reminders in {second:,.2f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
