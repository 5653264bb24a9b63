"""Benchmark: the hot paths over HTTP, against their floors (issue 10).

Not a test. Creates a throwaway PostgreSQL database (named after DATABASE_URL's, with
`_httpbench`), migrates and seeds it (an owner with 50 animals and their entries, two more
shared with them by a co-owner; a vet whose practice has 20 clients, the owner among them,
sharing), then serves

- the project with gunicorn (2 workers, DEBUG off, the real settings, the cache in Redis),
- the floors (bench/http_bench/floor.py): a bare view returning the same body, and a bare
  view running one hand-written SQL query for the same rows on a kept connection,

and runs wrk (32 connections) on each hot path and its two floors in alternating rounds.
It prints per path: requests/s, p50/p95/p99, queries per request (the test client under
CaptureQueriesContext, warm), and the ratio to each floor (the median of the rounds'
ratios: absolute figures are noisy on a shared machine, ratios from one round are not).
Then 200 connections for 60 s on the owner and vet paths, with errors and percentiles.

    make bench-http                                  # or: .venv/bin/python -m bench.http_bench
    .venv/bin/python -m bench.http_bench --quick     # short rounds and a 10 s load run

Environment: DATABASE_URL (a PostgreSQL server; its database is left alone),
CELERY_BROKER_URL or BENCH_REDIS_URL (its Redis db holds the cache and is flushed),
BENCH_PORT (the first of two ports, default 18120), BENCH_WRK (default /usr/bin/wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


@dataclass
class HotPath:
    name: str
    url: str
    header: str  # the authentication header wrk and urllib send
    floor_query: str  # the data floor's query string
    results: list[dict] = field(default_factory=list)
    static: list[dict] = field(default_factory=list)
    data: list[dict] = field(default_factory=list)
    queries: int = 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 s rounds and a 10 s load run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk round")
    parser.add_argument("--load-duration", type=int, default=None)
    parser.add_argument("--load-connections", type=int, default=200)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="", help="comma-separated hot path names")
    parser.add_argument("--no-load", action="store_true", help="skip the 200-connection run")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of wrk: pyinstrument over 200 warm requests per path, in this process",
    )
    args = parser.parse_args()
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.duration = args.duration or (2 if args.quick else 5)
    args.load_duration = args.load_duration or (10 if args.quick else 60)
    return args


def bench_environment() -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vp")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("bench.http_bench needs DATABASE_URL to name a PostgreSQL server.")
    head, _, name = base.rpartition("/")
    name = name.split("?")[0] or "vp"
    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get(
        "CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"
    )
    if not redis.startswith("redis://"):
        sys.exit("bench.http_bench needs BENCH_REDIS_URL (or CELERY_BROKER_URL) to be Redis.")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{head}/{name}_httpbench",
        DEBUG="0",
        VETPASS_TESTING="0",
        SECRET_KEY="bench-secret-key-" + "x" * 40,
        CONSENT_SUBJECT_KEY="bench-consent-subject-key",
        ERASURE_SIGNING_KEY="00" * 31 + "07",
        SECURE_SSL_REDIRECT="0",
        CACHE_URL=redis,
        # The throttle still runs (its cache round trips are part of the cost), never bites.
        API_THROTTLE_USER="100000000/min",
        API_THROTTLE_ANON="100000000/min",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="vetpass.settings",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PYTEST_VERSION", None)
    return env


def admin_sql(env: dict[str, str], statement: str) -> None:
    import psycopg

    head = env["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def db_name(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].rpartition("/")[2]


def seed() -> dict[str, object]:
    """The owner, their animals and entries, a co-owner's two animals shared with them, and
    a vet whose practice has 20 clients (the owner among them, sharing everything)."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.utils import timezone

    from consent.selectors import policy_versions_pending
    from consent.services import policy_accept
    from records.models import (
        Animal,
        AnimalAccess,
        Entry,
        EntryKind,
        Permission,
        PracticeMembership,
        Species,
        StaffRole,
    )
    from records.practices.services import favorite_create
    from tests.factories import PracticeFactory, UserFactory
    from vetpass.accounts.sessions import SessionStore

    dog, cat = Species.objects.get(slug="dog"), Species.objects.get(slug="cat")
    owner = UserFactory(email="owner@bench.example", full_name="Olive Owner")
    other = UserFactory(email="coowner@bench.example", full_name="Cora Coowner")
    vet = UserFactory(email="vet@bench.example", full_name="Victor Vet")
    animals = Animal.objects.bulk_create(
        [
            Animal(
                owner=owner,
                name=f"Animal {i:02d}",
                species=dog if i % 2 else cat,
                sex="female",
                date_of_birth=dt.date(2018, 1, 1) + dt.timedelta(days=i * 17),
                colour="brown",
            )
            for i in range(50)
        ]
    )
    shared = Animal.objects.bulk_create(
        [Animal(owner=other, name=f"Shared {i}", species=dog) for i in range(2)]
    )
    AnimalAccess.objects.bulk_create(
        [AnimalAccess(animal=a, user=owner, permission=Permission.VIEW) for a in shared]
    )
    today = timezone.localdate()
    kinds = [EntryKind.CLINICAL_NOTE, EntryKind.VACCINATION, EntryKind.WEIGHT]
    entries = []
    for index, animal in enumerate(animals):
        for n in range(60 if index == 0 else 5):
            kind = kinds[n % 3]
            entries.append(
                Entry(
                    animal=animal,
                    kind=kind,
                    occurred_on=today - dt.timedelta(days=n * 9),
                    title=f"Visit {n}",
                    notes="Bright and alert.",
                    vaccine_product="Nobivac" if kind == EntryKind.VACCINATION else "",
                    weight_value=12 + n % 5 if kind == EntryKind.WEIGHT else None,
                    weight_unit="kg" if kind == EntryKind.WEIGHT else "",
                    author=owner,
                )
            )
    Entry.objects.bulk_create(entries)

    practice = PracticeFactory(name="Bench Vets")
    PracticeMembership.objects.create(practice=practice, user=vet, role=StaffRole.VET_SURGEON)
    clients = [owner] + [
        UserFactory(email=f"client{i}@bench.example", full_name=f"Client {i:02d}")
        for i in range(19)
    ]
    for client in clients[1:]:
        Animal.objects.create(owner=client, name=f"Pet of {client.pk}", species=dog)
    for client in clients:
        favorite_create(owner=client, practice=practice)
    for user in [owner, other, vet, *clients[1:]]:
        pending = policy_versions_pending(user)
        if pending:
            policy_accept(user=user, versions=pending, channel="web")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "vetpass.accounts.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return {
        "owner_session": session_for(owner),
        "owner_token": session_for(owner),
        "vet_session": session_for(vet),
        "animal": animals[0].pk,
        "owner": owner.pk,
        "practice": practice.pk,
    }


def hot_paths(world: dict[str, object]) -> list[HotPath]:
    owner_cookie = f"Cookie: sessionid={world['owner_session']}"
    owner_token = f"X-Session-Token: {world['owner_token']}"
    vet_cookie = f"Cookie: sessionid={world['vet_session']}"
    animal, owner, practice = world["animal"], world["owner"], world["practice"]
    return [
        HotPath("animals", "/api/v1/animals/", owner_token, f"user={owner}"),
        HotPath("entries", f"/api/v1/animals/{animal}/entries/", owner_token, f"animal={animal}"),
        HotPath("dashboard", "/", owner_cookie, f"user={owner}"),
        HotPath("animal_page", f"/animals/{animal}/", owner_cookie, f"animal={animal}"),
        HotPath("vet_clients", f"/workspace/{practice}/", vet_cookie, f"practice={practice}"),
        HotPath(
            "vet_animal_page",
            f"/workspace/{practice}/animals/{animal}/",
            vet_cookie,
            f"animal={animal}",
        ),
    ]


def count_queries_and_capture(paths: list[HotPath], bodies: Path) -> None:
    """Queries per warm request (the second of two), and the body the static floor serves."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for path in paths:
        name, _, value = path.header.partition(": ")
        client = Client()
        if name == "Cookie":
            client.cookies["sessionid"] = value.partition("=")[2]
            extra = {}
        else:
            extra = {"HTTP_X_SESSION_TOKEN": value}
        client.get(path.url, **extra)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path.url, **extra)
        if response.status_code != 200:
            sys.exit(f"{path.name}: {path.url} answered {response.status_code}, not 200")
        path.queries = len(ctx.captured_queries)
        (bodies / f"{path.name}.body").write_bytes(response.content)
        (bodies / f"{path.name}.type").write_text(response["Content-Type"])


def profile(paths: list[HotPath], requests: int = 200) -> None:
    """Where a warm request's time goes, per path (pyinstrument, the test client in this
    process: the middleware, the view and the queries, without gunicorn and wrk)."""
    from django.test import Client
    from pyinstrument import Profiler

    for path in paths:
        name, _, value = path.header.partition(": ")
        client = Client()
        extra = {}
        if name == "Cookie":
            client.cookies["sessionid"] = value.partition("=")[2]
        else:
            extra = {"HTTP_X_SESSION_TOKEN": value}
        client.get(path.url, **extra)
        if os.environ.get("BENCH_CPROFILE"):
            import cProfile
            import pstats

            cprofiler = cProfile.Profile()
            start = time.perf_counter()
            cprofiler.enable()
            for _ in range(requests):
                client.get(path.url, **extra)
            cprofiler.disable()
            each = (time.perf_counter() - start) / requests * 1000
            print(f"== {path.name} {path.url}: {each:.2f} ms a request (test client, cProfile)")
            stats = pstats.Stats(cprofiler).strip_dirs()
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(80)
            continue
        profiler = Profiler(interval=0.0005)
        start = time.perf_counter()
        with profiler:
            for _ in range(requests):
                client.get(path.url, **extra)
        each = (time.perf_counter() - start) / requests * 1000
        print(f"== {path.name} {path.url}: {each:.2f} ms a request (test client)")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not listen on {port}")


def gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            app,
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--backlog=2048",
            "--timeout=60",
            "--chdir",
            str(ROOT),
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def check_200(url: str, header: str) -> None:
    name, _, value = header.partition(": ")
    request = urllib.request.Request(url, headers={name: value})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own port)
        if response.status != 200:
            sys.exit(f"{url} answered {response.status}")


def wrk(url: str, header: str, connections: int, seconds: int) -> dict:
    binary = os.environ.get("BENCH_WRK", "/usr/bin/wrk")
    out = subprocess.run(
        [
            binary,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=30s",
            "-s",
            str(HERE / "report.lua"),
            "-H",
            header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^WRKJSON (.*)$", out, re.MULTILINE)
    if not match:
        sys.exit(f"wrk printed no summary:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def ms(microseconds: float) -> str:
    return f"{microseconds / 1000:.1f}"


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def run(args: argparse.Namespace) -> None:
    env = bench_environment()
    os.environ.update(env)
    port = int(os.environ.get("BENCH_PORT", "18120"))
    work = Path(tempfile.mkdtemp(prefix="vetpass-httpbench-"))
    bodies = work / "bodies"
    bodies.mkdir()
    env.update(STATIC_ROOT=str(work / "static"), BENCH_BODIES_DIR=str(bodies))
    os.environ.update(env)
    name = db_name(env)
    admin_sql(env, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(env, f'CREATE DATABASE "{name}"')
    servers: list[subprocess.Popen] = []
    try:
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [PYTHON, "manage.py", *command, "--verbosity=0"], cwd=ROOT, env=env, check=True
            )
        import django

        django.setup()
        from django.core.cache import cache

        cache.clear()
        world = seed()
        paths = hot_paths(world)
        if args.only:
            paths = [p for p in paths if p.name in args.only.split(",")]
        count_queries_and_capture(paths, bodies)
        if args.profile:
            profile(paths)
            return
        from django.db import connections

        connections.close_all()

        product = f"http://127.0.0.1:{port}"
        floors = f"http://127.0.0.1:{port + 1}"
        servers.append(gunicorn("vetpass.wsgi:application", port, env, work / "product.log"))
        floor_env = dict(env, DJANGO_SETTINGS_MODULE="bench.http_bench.floor")
        servers.append(
            gunicorn("bench.http_bench.floor:application", port + 1, floor_env, work / "floor.log")
        )
        wait_for(port, servers[0], "gunicorn (product)")
        wait_for(port + 1, servers[1], "gunicorn (floors)")
        for path in paths:
            check_200(product + path.url, path.header)
            check_200(f"{floors}/static/{path.name}", path.header)
            check_200(f"{floors}/data/{path.name}?{path.floor_query}", path.header)
            # Warm every worker (connections, caches, templates) before measuring.
            wrk(product + path.url, path.header, 4, 1)

        c, d = args.connections, args.duration
        print(
            f"gunicorn 2 workers, wrk {c} connections, {args.rounds} rounds of {d} s per "
            "target, alternating (product, static floor, data floor)"
        )
        for round_no in range(args.rounds):
            for path in paths:
                targets = [
                    (path.results, product + path.url),
                    (path.static, f"{floors}/static/{path.name}"),
                    (path.data, f"{floors}/data/{path.name}?{path.floor_query}"),
                ]
                # Rotate who goes first so no target always runs on a warmer machine.
                shift = round_no % 3
                for rows, url in targets[shift:] + targets[:shift]:
                    rows.append(wrk(url, path.header, c, d))
        report(paths)
        if not args.no_load:
            load(args, paths, product)
    finally:
        for server in servers:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 (django may not be set up yet)
            pass
        admin_sql(env, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def report(paths: list[HotPath]) -> None:
    header = (
        f"{'path':<16} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>8} "
        f"{'static/s':>9} {'data/s':>8} {'×static':>8} {'×data':>7} {'errors':>7}"
    )
    print(header)
    for p in paths:
        to_static = statistics.median(
            r["rps"] / s["rps"] for r, s in zip(p.results, p.static, strict=True)
        )
        to_data = statistics.median(
            r["rps"] / s["rps"] for r, s in zip(p.results, p.data, strict=True)
        )
        errors = sum(r["errors"] for r in p.results + p.static + p.data)
        print(
            f"{p.name:<16} {median(p.results, 'rps'):>8.0f} {ms(median(p.results, 'p50')):>8} "
            f"{ms(median(p.results, 'p95')):>8} {ms(median(p.results, 'p99')):>8} "
            f"{p.queries:>8} {median(p.static, 'rps'):>9.0f} {median(p.data, 'rps'):>8.0f} "
            f"{to_static:>8.3f} {to_data:>7.3f} {errors:>7}"
        )
    print("rounds (req/s product / static / data):")
    for p in paths:
        rounds = "  ".join(
            f"{r['rps']:.0f}/{s['rps']:.0f}/{d['rps']:.0f}"
            for r, s, d in zip(p.results, p.static, p.data, strict=True)
        )
        print(f"  {p.name:<16} {rounds}")


def load(args: argparse.Namespace, paths: list[HotPath], product: str) -> None:
    c, d = args.load_connections, args.load_duration
    print(f"load: {c} connections for {d} s each")
    print(
        f"{'path':<16} {'requests':>9} {'req/s':>8} {'errors':>7} {'non-2xx':>8} "
        f"{'timeouts':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for path in paths:
        if path.name not in ("animals", "vet_clients"):
            continue
        r = wrk(product + path.url, path.header, c, d)
        print(
            f"{path.name:<16} {r['requests']:>9} {r['rps']:>8.0f} {r['errors']:>7} "
            f"{r['status']:>8} {r['timeout']:>9} {ms(r['p50']):>8} {ms(r['p95']):>8} "
            f"{ms(r['p99']):>8}"
        )


if __name__ == "__main__":
    run(parse_args())
