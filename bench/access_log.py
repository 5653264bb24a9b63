"""Benchmark: what the access log costs a busy practice (issue 10), on PostgreSQL.

Not a test. Prints, for the vet's client list (50 clients a page) rendered through the
real page:

- the access-log rows and INSERT statements each page view writes, and the bytes the log
  tables (heap, TOAST and indexes) grow by per page view, over BENCH_PAGES page views;
- the owner's "who looked at my records" (the first page of lines, as the web page reads
  it: the count of lines and 50 lines) after BENCH_VIEWS list page views of 50 clients of a
  2,000-client practice, the owner shown in one view in 40: the median time of BENCH_ROUNDS
  reads, and the lines and reads it finds.

The code decides the form: before issue 10's change one AccessLog row per client shown,
after it one ListAccessLog row per page view. Run it once on each checkout:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/access_log.py

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

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

PAGES = int(os.environ.get("BENCH_PAGES", "200"))
VIEWS = int(os.environ.get("BENCH_VIEWS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
CLIENTS = 2000
SHOWN = 50
EVERY = 40  # the measured owner is on one list page in EVERY

try:
    from records.models import ListAccessLog  # noqa: F401
except ImportError:  # the code before issue 10
    LIST_FORM = False
else:
    LIST_FORM = True


def log_tables() -> list[str]:
    return ["records_accesslog"] + (["records_listaccesslog"] if LIST_FORM else [])


def log_rows() -> int:
    with connection.cursor() as cursor:
        return sum(
            cursor.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
            for t in log_tables()
        )


def log_bytes() -> int:
    with connection.cursor() as cursor:
        return sum(
            cursor.execute("SELECT pg_total_relation_size(%s)", [t]).fetchone()[0]
            for t in log_tables()
        )


def populate(practice) -> list:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from workspace_clients import populate_bulk

    from records.models import Favorite

    populate_bulk(practice, CLIENTS, 0)
    return list(
        Favorite.objects.filter(practice=practice).order_by("pk").values_list("pk", "owner_id")
    )


def page_views(client: Client, url: str) -> tuple[float, float, float]:
    """Rows, INSERTs and bytes written per page view, over PAGES page views."""
    rows, size, inserts = log_rows(), log_bytes(), 0
    for _ in range(PAGES):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        inserts += sum(1 for q in ctx.captured_queries if q["sql"].startswith("INSERT"))
    return (
        (log_rows() - rows) / PAGES,
        inserts / PAGES,
        (log_bytes() - size) / PAGES,
    )


def fill(vet_id: int, practice_id: int, favorites: list, owner_id: int) -> None:
    """VIEWS list page views of SHOWN clients each, one an hour back from now, in bulk SQL:
    view v shows the clients from position (v * 50) mod 2,000 on, and the measured owner
    on every EVERY-th view too (replacing the page's first client)."""
    ids = [f for f, _ in favorites]
    owners = [o for _, o in favorites]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_fav (pos int, fav bigint, owner bigint)")
        cursor.execute(
            "INSERT INTO bench_fav SELECT * FROM unnest(%s::int[], %s::bigint[], %s::bigint[])",
            [list(range(len(ids))), ids, owners],
        )
        shown = (
            f"SELECT v, f.fav, CASE WHEN v %% {EVERY} = 0 AND s = 0 THEN %s ELSE f.owner END "
            f"AS owner FROM generate_series(1, %s) v, generate_series(0, {SHOWN} - 1) s, "
            f"bench_fav f WHERE f.pos = (v * {SHOWN} + s) %% {len(ids)}"
        )
        at = "now() - make_interval(mins => v)"
        if LIST_FORM:
            cursor.execute(
                "INSERT INTO records_listaccesslog (viewer_id, practice_id, view, owners, animals, "
                "grant_kinds, grant_ids, created_at) "
                f"SELECT %s, %s, 'client list', array_agg(owner), array_agg(NULL::bigint), "
                f"array_agg('favorite'::varchar(20)), array_agg(fav), {at} "
                f"FROM ({shown}) x GROUP BY v",
                [vet_id, practice_id, owner_id, VIEWS],
            )
        else:
            cursor.execute(
                "INSERT INTO records_accesslog (viewer_id, practice_id, owner_id, animal_id, view, "
                "grant_kind, grant_id, created_at) "
                f"SELECT %s, %s, owner, NULL, 'client list', 'favorite', fav, {at} "
                f"FROM ({shown}) x",
                [vet_id, practice_id, owner_id, VIEWS],
            )
        cursor.execute("ANALYZE")


def owner_log(owner) -> tuple[float, int, int]:
    from records.practices.selectors import owner_access_log

    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        page = Paginator(owner_access_log(owner), 50).get_page(1)
        list(page)
        timings.append(time.perf_counter() - start)
    reads = sum(line["count"] for line in owner_access_log(owner))
    return statistics.median(timings) * 1000, page.paginator.count, reads


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from records.models import PracticeMembership, StaffRole
        from tests.factories import PracticeFactory, UserFactory

        practice = PracticeFactory(name="Bench Vets")
        vet = UserFactory(email="vet@bench.example", full_name="Vera Vet")
        PracticeMembership.objects.create(practice=practice, user=vet, role=StaffRole.VET_SURGEON)
        favorites = populate(practice)
        client = Client()
        client.force_login(vet, backend="vetpass.accounts.backends.ModelBackend")
        url = f"/workspace/{practice.pk}/"
        client.get(url)  # warm: sessions, caches
        form = (
            "ListAccessLog (one row per page view)"
            if LIST_FORM
            else "AccessLog (one row per client)"
        )
        print(f"database: postgresql; form: {form}; {CLIENTS} clients, {SHOWN} a page")
        rows, inserts, size = page_views(client, url)
        print(
            f"client-list page view, over {PAGES}: {rows:.1f} log rows, {inserts:.1f} INSERTs, "
            f"{size:,.0f} bytes of log (heap+TOAST+indexes) per page view"
        )
        from vetpass.accounts.models import User

        owner = User.objects.get(pk=favorites[0][1])
        start = time.perf_counter()
        fill(vet.pk, practice.pk, favorites, owner.pk)
        print(
            f"filled {VIEWS:,} list page views in {time.perf_counter() - start:.0f} s: "
            f"{log_rows():,} log rows, {log_bytes() / 1e6:,.0f} MB"
        )
        ms, lines, reads = owner_log(owner)
        print(
            f"owner's access log, first page (count + 50 lines), median of {ROUNDS}: "
            f"{ms:.1f} ms; {lines} lines, {reads} reads"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
