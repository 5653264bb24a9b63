"""Benchmark: anonymising the client data of a practice whose subscription ended
(dsar.retention.practices), chunk by chunk (500 owners per transaction).

Not a test. Runs standalone:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/practice_anonymise.py

It creates a throwaway test database with one ended practice of BENCH_CLIENTS clients
(each with a registration, a favorite, an animal and two entries the practice wrote) and a
second, still subscribed practice with the same clients, measures the notice run and the
anonymisation run, and destroys it. The ledger is written row by row (one withdraw event
per owner, hash-chained per subject): that step dominates and is printed apart.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "5000"))
ENDS_ON = date(2027, 1, 31)
TOLD = datetime(2027, 2, 1, 6, tzinfo=UTC)
DUE = datetime(2027, 4, 1, 6, tzinfo=UTC)


def populate() -> tuple[object, object]:
    from records.models import (
        Animal,
        ClientRegistration,
        Entry,
        EntrySource,
        Favorite,
        Practice,
        PracticeMembership,
        Species,
    )
    from vetpass.accounts.models import User

    species = Species.objects.first() or Species.objects.create(name="Dog", slug="dog")
    ended = Practice.objects.create(name="Ended Vets", subscription_ends_on=ENDS_ON)
    kept = Practice.objects.create(name="Kept Vets")
    vet = User.objects.create(email="vet@bench.example", password="!")
    PracticeMembership.objects.create(practice=ended, user=vet, role="vet_surgeon")
    admin = User.objects.create(email="admin@bench.example", password="!")
    PracticeMembership.objects.create(
        practice=ended, user=admin, role="admin_staff", is_practice_admin=True
    )
    owners = User.objects.bulk_create(
        [User(email=f"o{n}@bench.example", password="!") for n in range(CLIENTS)], batch_size=5000
    )
    animals = Animal.objects.bulk_create(
        [Animal(owner=o, name="Rex", species=species) for o in owners], batch_size=5000
    )
    for practice in (ended, kept):
        regs = ClientRegistration.objects.bulk_create(
            [ClientRegistration(practice=practice, owner=o) for o in owners], batch_size=5000
        )
        Favorite.objects.bulk_create(
            [
                Favorite(practice=practice, owner=o, registration=r)
                for o, r in zip(owners, regs, strict=True)
            ],
            batch_size=5000,
        )
        Entry.objects.bulk_create(
            [
                Entry(
                    animal=a,
                    kind="clinical_note",
                    notes="Seen",
                    author=vet,
                    practice=practice,
                    source=EntrySource.PRACTICE,
                    occurred_on=date(2026, 6, 1),
                )
                for a in animals
                for _ in range(2)
            ],
            batch_size=5000,
        )
    return ended, kept


def main() -> None:
    import time_machine

    from dsar.retention import practices
    from dsar.retention.practices import practice_subscription_sweep

    ledger = {"s": 0.0}
    real_end_sharing = practices._end_sharing

    def timed(*args: object) -> int:
        start = time.perf_counter()
        try:
            return real_end_sharing(*args)  # type: ignore[arg-type]
        finally:
            ledger["s"] += time.perf_counter() - start

    practices._end_sharing = timed  # type: ignore[assignment]

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        populate()
        print(f"data: {CLIENTS:,} clients of an ended practice, the same of a subscribed one")
        with time_machine.travel(TOLD, tick=False):
            start = time.perf_counter()
            told = practice_subscription_sweep(now=TOLD)
            print(f"notice run: {told.notices} email(s) in {time.perf_counter() - start:.2f} s")
        with time_machine.travel(DUE, tick=False):
            start = time.perf_counter()
            done = practice_subscription_sweep(now=DUE)
            took = time.perf_counter() - start
        print(f"anonymisation: {CLIENTS:,} owners in {took:.2f} s ({CLIENTS / took:,.0f} owners/s)")
        rest = took - ledger["s"]
        print(
            f"  of which the ledger (one withdraw event per owner): {ledger['s']:.2f} s; "
            f"every other table, set-based: {rest:.2f} s ({CLIENTS / rest:,.0f} owners/s)"
        )
        for label, rows in sorted(done.tables.items()):
            print(f"  {label}: {rows:,}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
