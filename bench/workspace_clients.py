"""Benchmark: the vet workspace's client list (issues 4 and 10) for practices of growing size.

Not a test. Prints, for 20, 200 and 2,000 clients (each with two animals, favorited through
the real service so the ledger, registrations and access are as in production), the
queries and the time of one render of a page of the list (50 clients a page) — the web
page's first and last pages, the API's first page and an API search by animal name — and
the access-log rows each render wrote (one per client shown on the page, none for the rest).

Then (issue 10) the side-by-side figure: two practices in the same database, one of
BENCH_SMALL (20) clients and one of BENCH_LARGE (20,000), the first page of the vet's client
list (web and API) rendered in alternating rounds, with the median time of each and the
ratio large/small (the goal: <= 1.5).

    .venv/bin/python bench/workspace_clients.py                 # SQLite, in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/workspace_clients.py
    BENCH_SIZES= .venv/bin/python bench/workspace_clients.py    # only the side-by-side figure

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

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "20,200,2000").split(",") if s]
SMALL = int(os.environ.get("BENCH_SMALL", "20"))
LARGE = int(os.environ.get("BENCH_LARGE", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


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


def populate_bulk(practice, size: int, offset: int) -> None:
    """What `populate` makes, written in bulk (the service takes ~0.1 s a client, too slow
    for 20,000): each owner's ledger grant (hash-chained as consent_record does), their
    registration and favorite; then the sharing projection, when the code has one, is
    built from the ledger by the check command's repair."""
    from django.utils import timezone

    from consent.models import Action, ActorRole, Channel, ConsentEvent, Purpose
    from records.models import Animal, ClientRegistration, Favorite, Species
    from vetpass.accounts.models import User

    dog, cat = Species.objects.get(slug="dog"), Species.objects.get(slug="cat")
    purpose = Purpose.objects.get(code="practice_sharing")
    now = timezone.now()
    for start in range(0, size, 5000):
        chunk = range(start, min(size, start + 5000))
        owners = User.objects.bulk_create(
            [
                User(
                    email=f"client{offset + i}@bench.example", full_name=f"Client {offset + i:05d}"
                )
                for i in chunk
            ]
        )
        Animal.objects.bulk_create(
            [Animal(owner=o, name=f"Rex {o.pk}", species=dog) for o in owners]
            + [Animal(owner=o, name=f"Tom {o.pk}", species=cat) for o in owners]
        )
        events = []
        for owner in owners:
            event = ConsentEvent(
                subject_key=f"user:{owner.pk}",
                subject_user=owner,
                purpose=purpose,
                scope=f"practice:{practice.pk}",
                action=Action.GRANT,
                actor=owner,
                actor_role=ActorRole.SUBJECT,
                channel=Channel.WEB,
                wording=f"I share my records with {practice.name}.",
                created_at=now,
                sequence=1,
                prev_hash="",
            )
            event.hash = event.compute_hash()
            events.append(event)
        ConsentEvent.objects.bulk_create(events)
        registrations = ClientRegistration.objects.bulk_create(
            [ClientRegistration(owner=o, practice=practice) for o in owners]
        )
        Favorite.objects.bulk_create(
            [
                Favorite(owner=o, practice=practice, registration=r)
                for o, r in zip(owners, registrations, strict=True)
            ]
        )
    try:
        from records.practices.projection import (
            sharing_projection_differences,
            sharing_projection_repair,
        )
    except ImportError:  # the code before the projection
        pass
    else:
        sharing_projection_repair(sharing_projection_differences())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client: Client, url: str) -> tuple[int, float, int]:
    """Queries, median time of three renders, and access-log reads written per render (one
    per client shown: AccessLog rows, or after issue 10 the clients a list row names)."""
    try:
        from records.models import AccessRead as AccessLog  # both forms of the log
    except ImportError:  # the code before issue 10
        from records.models import AccessLog  # type: ignore[assignment]

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


def last_cursor(client: Client, api: str) -> str:
    """The cursor of the list's last page (keyset pages have no numbers): follow the API's
    next links to the end. The web page takes the same cursor."""
    from urllib.parse import parse_qs, urlsplit

    url, cursor = api, ""
    while url:
        body = client.get(url).json()
        if body["next"]:
            cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
        url = body["next"]
    return cursor


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
            end = last_cursor(client, api)
            for label, page, url in (
                ("web", 1, web),
                ("web", last, f"{web}?cursor={end}"),
                ("api", 1, api),
                ("api", last, f"{api}?cursor={end}"),
                ("api search 'Rex 1'", 1, f"{api}?q=Rex+1"),
            ):
                queries, seconds, rows = measure(client, url)
                print(
                    f"{size:>8}  {label:<22} {page:>5} {queries:>8} {seconds * 1000:>8.1f} "
                    f"{rows:>9}"
                )
        side_by_side(vet)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def side_by_side(vet) -> None:
    """The first page of the client list at SMALL and at LARGE clients, in one database,
    rendered in alternating rounds (so both see the same machine load)."""
    from records.models import PracticeMembership, StaffRole
    from tests.factories import PracticeFactory

    small = PracticeFactory(name="Small Vets")
    large = PracticeFactory(name="Large Vets")
    for practice in (small, large):
        PracticeMembership.objects.create(practice=practice, user=vet, role=StaffRole.VET_SURGEON)
    start = time.perf_counter()
    populate_bulk(small, SMALL, 1_000_000)
    populate_bulk(large, LARGE, 2_000_000)
    print(f"\nfilled {SMALL} + {LARGE} clients in {time.perf_counter() - start:.0f} s")
    client = Client()
    client.force_login(vet, backend="vetpass.accounts.backends.ModelBackend")
    print(f"first page of the client list, median of {ROUNDS} alternating rounds")
    print(f"{'door':<5} {'clients':>8} {'queries':>8} {'ms':>8}   {'ratio':>6}")
    for door, path in (("web", "/workspace/{}/"), ("api", "/api/v1/workspace/{}/clients/")):
        timings: dict[int, list[float]] = {SMALL: [], LARGE: []}
        queries: dict[int, int] = {}
        for practice in (small, large):  # warm both
            client.get(path.format(practice.pk))
        for _ in range(ROUNDS):
            for practice, size in ((small, SMALL), (large, LARGE)):
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as ctx:
                    began = time.perf_counter()
                    response = client.get(path.format(practice.pk))
                    timings[size].append(time.perf_counter() - began)
                assert response.status_code == 200, response.status_code
                queries[size] = len(ctx.captured_queries)
        small_ms = statistics.median(timings[SMALL]) * 1000
        large_ms = statistics.median(timings[LARGE]) * 1000
        print(f"{door:<5} {SMALL:>8} {queries[SMALL]:>8} {small_ms:>8.1f}")
        ratio = large_ms / small_ms
        print(f"{door:<5} {LARGE:>8} {queries[LARGE]:>8} {large_ms:>8.1f}   {ratio:>5.2f}x")


if __name__ == "__main__":
    main()
