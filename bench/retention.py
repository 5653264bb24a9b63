"""Benchmark: the daily retention sweep (dsar.retention.sweep.retention_sweep) over 200,000
owners whose last use of a service is spread uniformly over the last 24 months, so that the
first daily run notices about a quarter of them (18 months and more without use).

Not a test. Runs standalone against DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (the
per-chunk hand-over to the outbox workers is part of what is measured; no worker needs to
run, the queued tasks are purged at the end):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp CELERY_BROKER_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python bench/retention.py            # 200,000 owners
    BENCH_OWNERS=1000000 ... bench/retention.py         # or --million

It never touches your data: it creates a throwaway database (bench_retention_<name>), fills
it with set-based SQL (one INSERT ... SELECT over generate_series per table: a million
owners in a minute or two), measures, and destroys it. Before the timed region it warms up
what a long-lived worker has already loaded (the URL conf, the email templates); the
broker connection and every query are timed. Printed:
- the first daily run (the sweep, committed, outbox rows and the hand-over included) and
  owners per second;
- the same notices done object by object with save() and one email per owner: timed on a
  random sample of owners (2,000 by default) and extrapolated; the output says so;
- ONE hand-written INSERT ... SELECT that marks the same owners (the notice rows only,
  no email: the floor), inside a transaction that is rolled back; and, because the sweep
  must also write each owner's email (rule 7), one statement that writes the notices and
  their outbox rows with the text filled in by SQL (the floor with the emails);
- the floor pays its own foreign-key checks. Django's foreign keys are checked at COMMIT
  (DEFERRABLE INITIALLY DEFERRED), which the rolled-back floor never reached while the
  sweep, which commits, paid them: until November 2026 the floor was the statement alone.
  Now `SET CONSTRAINTS ALL IMMEDIATE` runs the checks the floor's statement queued before
  it rolls back, and the ratio is against that; the statement alone is printed beside it,
  with the ratio against it (the old measure). Nothing else about the floor changed: the
  same one statement;
- a second run the next day (few new notices; the first day's emails delivered) and the
  plan of the candidate query.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

OWNERS = 1_000_000 if "--million" in sys.argv else int(os.environ.get("BENCH_OWNERS", "200000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "2000"))
# BENCH_COMPARE=0: the sweep's own figures only (no floors, no object-by-object sample).
COMPARE = os.environ.get("BENCH_COMPARE", "1") != "0"
NOW = datetime(2026, 3, 10, 3, tzinfo=UTC)
NEVER_USED = 0.1  # accounts never used count from date_joined


class Rollback(Exception):
    pass


def _insert_select(model, computed: dict[str, str], source: str, params: dict) -> int:  # type: ignore[no-untyped-def]
    """INSERT INTO model's table (every concrete column) SELECT ... FROM source: the columns
    in `computed` from SQL expressions, every other from the field's default (or NULL), as
    bulk_create would write them."""
    from django.utils import timezone

    columns, selects, values = [], [], dict(params)
    for f in model._meta.concrete_fields:
        if f.primary_key and f.name not in computed:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in computed:
            selects.append(computed[f.name])
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.has_default() or not f.null:
            value = f.get_db_prep_save(f.get_default(), connection)
        else:
            value = None
        key = f"d_{f.column}"
        selects.append(f"%({key})s::{f.db_type(connection)}")
        values[key] = value
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - bench
        f"SELECT {', '.join(selects)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount


def populate() -> None:
    """Set-based: one INSERT ... SELECT over generate_series per table (a million owners in
    a minute or two, not the half hour that model instances take). The same spread as
    before: last use uniform over 24 months, 10% never used (counted from date_joined,
    which is up to 900 days before), every owner a verified address, every other a dog."""
    from allauth.account.models import EmailAddress

    from records.models import Animal, Breed, Species
    from records.reference_data import load_species
    from vetpass.accounts.models import User

    load_species(Species, Breed)
    dog = Species.objects.get(slug="dog")
    span = (NOW - NOW.replace(year=NOW.year - 2)).total_seconds()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.9)")
    # r: the owner's last use (or sign-up, for the 10% who never used a service).
    source = """(
        SELECT n, at, never, CASE WHEN never THEN at
                                  ELSE at - random() * interval '900 days' END AS joined
        FROM (
            SELECT n, %(now)s::timestamptz - random() * %(span)s * interval '1 second' AS at,
                   random() < %(never)s AS never
            FROM generate_series(0, %(owners)s - 1) AS n
        ) g
    ) r"""
    _insert_select(
        User,
        {
            "email": "'o' || r.n || '@bench.example'",
            "full_name": "'Owner ' || r.n",
            "password": "'!'",
            "date_joined": "r.joined",
            "last_activity_at": "CASE WHEN r.never THEN NULL ELSE r.at END",
        },
        source + " ORDER BY r.n",
        {"now": NOW, "span": span, "never": NEVER_USED, "owners": OWNERS},
    )
    users = f"{User._meta.db_table} u WHERE u.email LIKE '%%@bench.example'"
    _insert_select(
        EmailAddress,
        {"user": "u.id", "email": "u.email", "verified": "true", "primary": "true"},
        users + " ORDER BY u.id",
        {},
    )
    _insert_select(
        Animal,
        {"owner": "u.id", "name": "'Dog ' || u.id", "species": "%(dog)s"},
        users + " AND u.id %% 2 = 1 ORDER BY u.id",
        {"dog": dog.pk},
    )
    # As after any bulk load (and as autovacuum keeps a live database): hint bits and the
    # visibility map set, statistics fresh. Without it the first statement to read the
    # new rows (the floor, at a million owners) paid minutes for it.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


class Timed(NamedTuple):
    statement: float  # the statement alone (median of 3): its deferred checks never run
    checked: float  # the statement and its foreign-key checks, as a commit runs them
    count: int


def _rolled_back(sql: str, params: dict) -> Timed:
    """Run `sql` three times, each in a transaction that is rolled back. The foreign keys
    are DEFERRABLE INITIALLY DEFERRED (Django's), so their checks run at COMMIT, which a
    rollback never reaches; the sweep commits and pays them. `SET CONSTRAINTS ALL
    IMMEDIATE` runs the checks the statement queued, as COMMIT would, before the rollback:
    the fair floor is the statement and its checks."""
    times, checked, count = [], [], 0
    for _ in range(3):
        try:
            with transaction.atomic():
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    count = cursor.rowcount
                    times.append(time.perf_counter() - start)
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                checked.append(time.perf_counter() - start)
                raise Rollback
        except Rollback:
            pass
    return Timed(sorted(times)[1], sorted(checked)[1], count)


def floor() -> Timed:
    """One statement: the notice rows of the same owners, straight from SQL."""
    # The owners are chosen first (a materialised CTE, sorted before the first row is
    # inserted): with the notices' table empty in the statistics, PostgreSQL probes it with
    # a sequential scan per owner, and one that interleaves with the statement's own
    # inserts rescans every row inserted so far (quadratic: minutes at a million owners).
    sql = """
        WITH due AS MATERIALIZED (
            SELECT u.id, coalesce(u.last_activity_at, u.date_joined) AS anchor
            FROM accounts_user u
            WHERE u.is_active AND NOT u.is_staff AND NOT u.is_superuser
              AND u.restricted_at IS NULL
              AND coalesce(u.last_activity_at, u.date_joined) + interval '18 months' <= %(now)s
              AND NOT EXISTS (SELECT 1 FROM dsar_inactivitynotice n WHERE n.owner_id = u.id
                              AND n.period_start = coalesce(u.last_activity_at, u.date_joined))
              AND NOT (EXISTS (SELECT 1 FROM account_emailaddress e WHERE e.user_id = u.id)
                       AND NOT EXISTS (SELECT 1 FROM account_emailaddress e
                                       WHERE e.user_id = u.id AND e.verified))
              AND NOT EXISTS (SELECT 1 FROM dsar_legalhold h WHERE h.subject_id = u.id
                              AND h.lifted_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM dsar_datasubjectrequest r WHERE r.subject_id = u.id
                              AND r.status IN ('received', 'awaiting_verification', 'verified',
                                               'in_progress', 'extended'))
        )
        INSERT INTO dsar_inactivitynotice
            (owner_id, period_start, state, created_at, stated_removal_at, held_reason)
        SELECT id, anchor, 'queued', %(now)s,
               greatest(anchor + interval '21 months',
                        %(now)s::timestamptz + interval '3 months'), ''
        FROM due ORDER BY id
    """
    return _rolled_back(sql, {"now": NOW})


def floor_with_email() -> Timed:
    """One statement that also writes each owner's email into the outbox (the text with
    the name and a link filled in, in SQL): the least a sweep that keeps rule 7 writes."""
    from django.template.loader import render_to_string

    text = render_to_string(
        "dsar/email/inactivity_notice.txt",
        {"name": "\x01", "removal_on": "10 June 2026", "animals": 1, "keep_url": "\x02"},
    )
    subject, _, body = text.partition("\n")
    sql = """
        WITH due AS MATERIALIZED (
            SELECT u.id, coalesce(u.last_activity_at, u.date_joined) AS anchor,
                   u.full_name, u.email
            FROM accounts_user u
            WHERE u.is_active AND NOT u.is_staff AND NOT u.is_superuser
              AND u.restricted_at IS NULL
              AND coalesce(u.last_activity_at, u.date_joined) + interval '18 months' <= %(now)s
              AND NOT EXISTS (SELECT 1 FROM dsar_inactivitynotice n WHERE n.owner_id = u.id
                              AND n.period_start = coalesce(u.last_activity_at, u.date_joined))
              AND NOT (EXISTS (SELECT 1 FROM account_emailaddress e WHERE e.user_id = u.id)
                       AND NOT EXISTS (SELECT 1 FROM account_emailaddress e
                                       WHERE e.user_id = u.id AND e.verified))
        ), notices AS (
            INSERT INTO dsar_inactivitynotice
                (owner_id, period_start, state, created_at, stated_removal_at, held_reason)
            SELECT id, anchor, 'queued', %(now)s,
                   greatest(anchor + interval '21 months',
                            %(now)s::timestamptz + interval '3 months'), ''
            FROM due ORDER BY id RETURNING id, owner_id
        )
        INSERT INTO outbox_outboxemail (created_at, status, from_email, "to", cc, bcc,
            reply_to, subject, body, body_subtype, html_body, headers, attachments, attempts,
            next_attempt_at, last_error)
        SELECT %(now)s, 'queued', 'VetPass <privacy@vetpass.example>',
               jsonb_build_array(due.email), '[]', '[]', '[]', %(subject)s,
               replace(replace(%(body)s, chr(1), coalesce(nullif(due.full_name, ''), 'there')),
                       chr(2), 'https://vetpass.example/privacy/keep/' || md5(due.id::text)),
               'plain', '', jsonb_build_object('Message-ID', '<' || notices.id || '@vetpass>'),
               '[]', 0, %(now)s, ''
        FROM notices JOIN due ON due.id = notices.owner_id
    """
    return _rolled_back(sql, {"now": NOW, "subject": subject, "body": body.lstrip("\n")})


def object_by_object(sample: int) -> tuple[float, int]:
    """What a naive job does: every owner loaded, checked and, when due, given a notice
    saved with save() and an email sent with send_mail (each in its own transaction).
    Timed on a random sample; the rows it made are removed afterwards."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from dsar.models import InactivityNotice, LegalHold
    from dsar.retention import notices, policy
    from vetpass.accounts.models import User

    ids = random.Random(1).sample(range(1, OWNERS + 1), sample)
    first = User.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    ids = [first - 1 + i for i in ids]
    made: list[int] = []
    start = time.perf_counter()
    for user in User.objects.filter(pk__in=ids).iterator():
        anchor = user.last_activity_at or user.date_joined
        if not user.is_active or user.is_staff or policy.notice_due_at(anchor) > NOW:
            continue
        if LegalHold.objects.filter(subject=user, lifted_at__isnull=True).exists():
            continue
        if InactivityNotice.objects.filter(owner=user, period_start=anchor).exists():
            continue
        with transaction.atomic():
            notice = InactivityNotice(
                owner=user,
                period_start=anchor,
                created_at=NOW,
                stated_removal_at=max(
                    policy.earliest_removal_at(anchor), policy.add_months(NOW, 3)
                ),
            )
            notice.save()
            text = render_to_string(
                "dsar/email/inactivity_notice.txt",
                {
                    "name": user.full_name,
                    "removal_on": f"{notice.stated_removal_at:%d %B %Y}",
                    "animals": user.animals.count(),
                    "keep_url": notices.keep_url(notice),
                },
            )
            subject, _, body = text.partition("\n")
            send_mail(subject, body, None, [user.email])
        made.append(notice.pk)
    elapsed = time.perf_counter() - start
    _forget_notices(made)
    return elapsed, len(made)


def _forget_notices(ids: list[int]) -> None:
    from dsar.models import InactivityNotice
    from vetpass.outbox.models import OutboxEmail

    owners = list(
        InactivityNotice.objects.filter(pk__in=ids).values_list("owner__email", flat=True)
    )
    InactivityNotice.objects.filter(pk__in=ids).delete()
    OutboxEmail.objects.filter(to__0__in=owners).delete()


def explain_candidates(now: datetime) -> str:
    from dsar.retention.sweep import _without_jit, notice_candidate_rows

    with _without_jit():  # as the sweep runs it
        return notice_candidate_rows(now=now).explain(analyze=True)


def warm_up() -> None:
    """What a long-lived worker process did before its first sweep: the URL conf imported
    (every app's views, for the keep link's reverse()) and the email templates compiled.
    Outside the timed region, so that a fresh process's start-up is not billed to the
    sweep; the broker connection and every query stay inside."""
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse

    get_resolver().url_patterns  # noqa: B018 - imports every urls module and view
    reverse("dsar:keep_records", args=["TOKEN"])
    for name in ("dsar/email/inactivity_notice.txt", "dsar/email/inactivity_reminder.txt"):
        get_template(name)


def deliver_all(at: datetime) -> int:
    """What the outbox workers did overnight: every queued email left."""
    from vetpass.outbox.models import OutboxEmail

    return OutboxEmail.objects.filter(status="queued").update(status="sent", sent_at=at)


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: bench/retention.py measures PostgreSQL; set DATABASE_URL to run it.")
        return
    from dsar.retention.sweep import retention_sweep
    from vetpass.celery import app

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"bench_retention_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    app.conf.task_always_eager = False
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        print(f"broker: {app.conf.broker_url}")
        start = time.perf_counter()
        populate()
        print(f"populated {OWNERS:,} owners in {time.perf_counter() - start:,.1f} s")

        if COMPARE:
            the_floor = floor()
            mail_floor = floor_with_email()
            floor_count = the_floor.count
            assert mail_floor.count == floor_count, (mail_floor.count, floor_count)
            sample_time, sample_noticed = object_by_object(SAMPLE)
            per_owner = sample_time / SAMPLE
            extrapolated = per_owner * OWNERS
            # The comparisons' rolled-back rows are the bench's own litter (dead notice and
            # outbox rows, several per owner, autovacuum may be off): cleared as autovacuum
            # would have, so that the sweep does not pay for them.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

        warm_up()
        start = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):  # where the first run's time goes
            import cProfile
            import pstats

            def slow(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                began = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    took = time.perf_counter() - began
                    if took > 0.03:
                        print(f"  {took:6.3f} s  {sql[:150]}")

            with cProfile.Profile() as profile, connection.execute_wrapper(slow):
                counts = retention_sweep(now=NOW)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        else:
            counts = retention_sweep(now=NOW)
        sweep_time = time.perf_counter() - start
        assert not COMPARE or counts.noticed == floor_count, (counts.noticed, floor_count)

        print(
            f"first daily run: {sweep_time:,.2f} s for {OWNERS:,} owners "
            f"({OWNERS / sweep_time:,.0f} owners/s), {counts.noticed:,} noticed "
            f"({counts.noticed / OWNERS:.0%}), outbox rows and hand-over included"
        )
        if COMPARE:
            print(
                f"hand-written SQL (the floor: one INSERT ... SELECT of the same {floor_count:,} "
                f"notice rows, no email), median of 3: {the_floor.checked:,.2f} s with its "
                f"foreign-key checks, as a commit runs them ({the_floor.statement:,.2f} s for "
                "the statement alone, rolled back before its checks ran)"
            )
            print(
                f"object by object with save(): {SAMPLE:,} random owners in {sample_time:,.2f} s "
                f"({per_owner * 1000:,.2f} ms each, {sample_noticed} noticed), "
                f"extrapolated to {OWNERS:,}: {extrapolated:,.1f} s"
            )
            print(f"ratio (object by object / sweep): {extrapolated / sweep_time:,.1f}x")
            print(
                f"hand-written SQL writing the emails too (one INSERT of notices and outbox rows, "
                f"text filled in by SQL): {mail_floor.checked:,.2f} s with its checks "
                f"({mail_floor.statement:,.2f} s without)"
            )
            print(
                f"ratio (sweep / floor): {sweep_time / the_floor.checked:,.2f}x  (aim <= 3x); "
                f"against the statement alone: {sweep_time / the_floor.statement:,.2f}x"
            )
            print(
                f"ratio (sweep / floor with the emails): {sweep_time / mail_floor.checked:,.2f}x; "
                f"against the statement alone: {sweep_time / mail_floor.statement:,.2f}x"
            )
        if OWNERS >= 1_000_000:
            print(f"aim: a million owners in under 60 s: {'met' if sweep_time < 60 else 'NOT met'}")

        tomorrow = NOW + timedelta(days=1)
        delivered = deliver_all(NOW + timedelta(hours=1))
        start = time.perf_counter()
        counts = retention_sweep(now=tomorrow)
        second = time.perf_counter() - start
        print(
            f"second run the next day: {second:,.2f} s ({counts.noticed:,} new notices, "
            f"{counts.sent:,} of the {delivered:,} delivered emails recorded on their notices)"
        )
        start = time.perf_counter()
        counts = retention_sweep(now=tomorrow + timedelta(hours=1))
        print(
            f"third run an hour later (nothing to do): {time.perf_counter() - start:,.2f} s "
            f"({counts.noticed} new notices)"
        )
        print("plan of the candidate query (the next day):")
        print("  " + explain_candidates(tomorrow).replace("\n", "\n  "))
    finally:
        try:
            app.control.purge()
        except Exception as exc:  # the broker is optional for the figures
            print(f"(could not purge the broker: {exc})")
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
