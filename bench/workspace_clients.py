"""Benchmark: the vet workspace's client list (issue 4) for practices of growing size.

Not a test. Prints, for 20, 200 and 2,000 clients (each with two animals, favorited through
the real service so the ledger, registrations and access are as in production), the
queries and the time of one render of a page of the list (50 clients a page) — the web
page's first and last pages, the API's first page and an API search by animal name — and
the access-log rows each render wrote (one per client shown on the page, none for the rest).

    .venv/bin/python bench/workspace_clients.py                 # SQLite, in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/workspace_clients.py

It creates a throwaway test database, fills it, measures and destroys it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")
os.environ.setdefault("API_THROTTLE_USER", "100000/min")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "20,200,2000").split(",")]


def populate(practice, size: int, offset: int) -> None:
    from records.models import Animal, Species
    from records.practices.services import favorite_create
    from vetpass.accounts.models import User

    dog, cat = Species.objects.get(slug="dog"), Species.objects.get(slug="cat")
    owners = User.objects.bulk_create(
        [
            User(email=f"client{offset + i}@bench.example", full_name=f"Client {offset + i:05d}")
            for i in range(size)
        ]
    )
    Animal.objects.bulk_create(
        [Animal(owner=o, name=f"Rex {o.pk}", species=dog) for o in owners]
        + [Animal(owner=o, name=f"Tom {o.pk}", species=cat) for o in owners]
    )
    for owner in owners:
        favorite_create(owner=owner, practice=practice)
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: without statistics the planner guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client: Client, url: str) -> tuple[int, float, int]:
    """Queries, median time of three renders, and access-log rows written per render."""
    from records.models import AccessLog

    timings, queries = [], 0
    connection.queries_log.clear()  # the fill ran thousands of queries
    logged = AccessLog.objects.count()
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    rows = (AccessLog.objects.count() - logged) // 3
    return queries, statistics.median(timings), rows


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from records.models import PracticeMembership, StaffRole
        from tests.factories import PracticeFactory, UserFactory

        practice = PracticeFactory(name="Bench Vets")
        vet = UserFactory(email="vet@bench.example")
        PracticeMembership.objects.create(practice=practice, user=vet, role=StaffRole.VET_SURGEON)
        client = Client()
        client.force_login(vet, backend="vetpass.accounts.backends.ModelBackend")
        print(f"database: {connection.vendor}; 50 clients a page")
        header = ("clients", "list", "page", "queries", "ms", "log rows")
        print(
            f"{header[0]:>8}  {header[1]:<22} {header[2]:>5} {header[3]:>8} {header[4]:>8} "
            f"{header[5]:>9}"
        )
        done = 0
        for size in SIZES:
            populate(practice, size - done, done)
            done = size
            last = (size + 49) // 50
            web = f"/workspace/{practice.pk}/"
            api = f"/api/v1/workspace/{practice.pk}/clients/"
            for label, page, url in (
                ("web", 1, f"{web}?page=1"),
                ("web", last, f"{web}?page={last}"),
                ("api", 1, f"{api}?page=1"),
                ("api", last, f"{api}?page={last}"),
                ("api search 'Rex 1'", 1, f"{api}?q=Rex+1"),
            ):
                queries, seconds, rows = measure(client, url)
                print(
                    f"{size:>8}  {label:<22} {page:>5} {queries:>8} {seconds * 1000:>8.1f} "
                    f"{rows:>9}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
