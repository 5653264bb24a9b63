"""The daily retention sweep (issue 9; DESIGN.md rules 6 and 7).

Each step is set-based and batched, one transaction per chunk, and safe to run twice or in
parallel: a notice or reminder is an INSERT ... ON CONFLICT DO NOTHING RETURNING against a
unique constraint, so only the sweep whose insert won sends the email, and the email is an
outbox row in the same transaction (it leaves after commit, through a worker with retries).
A sweep killed at any point leaves every chunk either done or untouched; the rerun picks up
what is left.

Steps, in order:
1. delivery: copy the outbox's real sending time onto queued notices (the removal date is
   three months after it at the earliest), or mark them undeliverable for the DPO;
2. cancel: a notice whose owner used a service since is closed (a new period began);
3. notice: owners 18 months without use get a notice stating the removal date;
4. remind: 30 and 7 days before the removal;
5. remove: at the removal date, unless a legal hold, an open request or a restriction
   stops it (then the notice is held and reported);
6. sign-ups never confirmed go after 30 days;
7. purge: what erasure kept for a legal period goes when the period ends (purge.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from vetpass.accounts.models import User

from ..models import (
    OPEN_STATUSES,
    DataSubjectRequest,
    InactivityNotice,
    InactivityReminder,
    LegalHold,
    RetentionRun,
)
from . import notices, policy, removal
from .purge import retention_purge

logger = logging.getLogger(__name__)

# Big enough that the per-chunk costs (a statement, a commit and its foreign-key checks,
# one hand-over to the outbox workers) vanish; small enough that a chunk's transaction
# stays short (well under a second of writing at 10,000 notices and their emails).
CHUNK = 10_000
T = TypeVar("T")
State = InactivityNotice.State
OPEN_NOTICE_STATES = (State.QUEUED, State.SENT, State.HELD, State.UNDELIVERABLE)
# A day of slack on the index-friendly pre-filter; the exact calendar-month test follows.
_SLACK = timedelta(days=4)
# A policy time on its way from the candidates' query to the notices' INSERT: a datetime, or
# on PostgreSQL the exact text of the timestamptz (never parsed in Python).
Moment = datetime | str

Progress = Callable[[str, int], None]


@dataclass
class SweepCounts:
    noticed: int = 0
    reminded: int = 0
    removed: int = 0
    held: int = 0
    skipped: int = 0  # notices that could not be delivered: the DPO decides
    cancelled: int = 0
    sent: int = 0  # queued notices the outbox has now delivered
    unconfirmed_removed: int = 0  # sign-ups never confirmed, removed after 30 days
    purged: dict[str, int] = field(default_factory=dict)  # kept rows past their legal period
    held_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _anchor() -> Coalesce:
    return Coalesce(F("last_activity_at"), F("date_joined"))


def _current(notices):  # type: ignore[no-untyped-def]
    """Notices of the owner's current inactivity period (no use of a service since)."""
    return notices.filter(
        period_start=Coalesce(F("owner__last_activity_at"), F("owner__date_joined"))
    )


def _chunks(ids: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- Who is exempt ------------------------------------------------------------------------


def exemption(*, today: date) -> Case:
    """Why an account's notice or removal must not happen now, or None: a legal hold, an
    open data-subject request, or a restriction (kept, among other things, for legal
    claims). One expression on User, for the candidates' query and for `exemptions`."""
    held = LegalHold.objects.active(today).filter(subject=OuterRef("pk"))
    open_request = DataSubjectRequest.objects.filter(
        subject=OuterRef("pk"), status__in=OPEN_STATUSES
    )
    return Case(
        When(Exists(held), then=Value("legal hold")),
        When(Exists(open_request), then=Value("open data-subject request")),
        When(restricted_at__isnull=False, then=Value("restriction")),
        default=None,
        output_field=CharField(null=True),
    )


def exemptions(user_ids: Sequence[int], *, now: datetime) -> dict[int, str]:
    """The exempt ones among these accounts, with the reason reported. One query."""
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(exempt=exemption(today=timezone.localdate(now)))
        .exclude(exempt=None)
        .order_by()
        .values_list("pk", "exempt")
    )
    return dict(rows)


# --- 1. Delivery --------------------------------------------------------------------------


def _deliveries(*, now: datetime, apply: bool, counts: SweepCounts) -> None:
    queued = InactivityNotice.objects.filter(state=State.QUEUED)
    delivered = queued.filter(email__status="sent", email__sent_at__isnull=False)
    lost = queued.filter(Q(email__status="failed") | Q(email__isnull=True))
    if not apply:
        counts.sent += delivered.count()
        counts.skipped += lost.count()
        return
    if connection.vendor == "postgresql":
        # In id order, each chunk's UPDATE a run of neighbouring notices (as in `_notices`).
        counts.sent += _record_deliveries(sorted(delivered.values_list("pk", flat=True)))
    else:  # the embedded SQLite default: the dates in Python
        rows = list(
            delivered.values_list("pk", "period_start", "stated_removal_at", "email__sent_at")
        )
        counts.sent += len(rows)
        for chunk in _chunks(rows, CHUNK):
            updated = [
                InactivityNotice(
                    pk=pk,
                    state=State.SENT,
                    sent_at=sent_at,
                    removal_at=max(stated, policy.removal_at(start, sent_at)),  # type: ignore[arg-type]
                )
                for pk, start, stated, sent_at in chunk
            ]
            with transaction.atomic():
                InactivityNotice.objects.bulk_update(updated, ["state", "sent_at", "removal_at"])
    counts.skipped += lost.update(state=State.UNDELIVERABLE)


def _record_deliveries(notice_ids: Sequence[int]) -> int:
    """PostgreSQL: copy each delivered notice's sending time from its outbox row and fix
    its removal time (`policy.removal_at`, and never before the stated time), one
    statement per chunk with the dates computed in SQL (`policy.add_months_sql`, equal to
    `policy.add_months`): no datetime read into Python and sent back."""
    from vetpass.outbox.models import OutboxEmail

    table, outbox = InactivityNotice._meta.db_table, OutboxEmail._meta.db_table
    removal = (
        f"greatest(n.stated_removal_at, "
        f"{policy.add_months_sql('n.period_start', settings.POLICY_REMOVAL_MONTHS)}, "
        f"{policy.add_months_sql('e.sent_at', settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS)})"
    )
    recorded = 0
    for chunk in _chunks(notice_ids, CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS n SET state = %s, sent_at = e.sent_at, "  # noqa: S608 - model metadata and placeholders only
                f"removal_at = {removal} FROM {outbox} AS e "
                "WHERE n.id = ANY(%s::bigint[]) AND n.state = %s AND e.id = n.email_id "
                "AND e.status = 'sent' AND e.sent_at IS NOT NULL",
                [State.SENT.value, list(chunk), State.QUEUED.value],
            )
            recorded += cursor.rowcount
    return recorded


# --- 2. Cancel ----------------------------------------------------------------------------


def _cancellations(*, now: datetime, apply: bool, counts: SweepCounts) -> None:
    stale = InactivityNotice.objects.filter(state__in=OPEN_NOTICE_STATES).exclude(
        period_start=Coalesce(F("owner__last_activity_at"), F("owner__date_joined"))
    )
    if apply:
        counts.cancelled += stale.update(state=State.CANCELLED, closed_at=now)
    else:
        counts.cancelled += stale.count()


# --- 3. Notices ---------------------------------------------------------------------------


def notice_candidate_rows(*, now: datetime):  # type: ignore[no-untyped-def]
    """The candidates' query, one scan of the `user_inactivity_anchor` index: (owner id,
    period start, why the owner is exempt or None) of the accounts roughly 18 months
    without use and not yet told for this period, before the exact calendar-month test and
    the test for sign-ups never confirmed (`unconfirmed_among`). The exemptions ride along
    (semi-joins evaluated only for the rows that pass), so a chunk costs no query of its
    own; the already-told owners cost one probe each of the notices' unique index.

    On PostgreSQL the calendar-month dates are computed in the query (`policy.AddMonths`,
    equal to `policy.add_months`): only the accounts exactly 18 months without use, each
    row with two more columns: whether the account has a verified address (None: no
    address; 0: none verified, a sign-up never confirmed; 1: one is) and the removal time
    its notice states. The times come as PostgreSQL's text of the timestamptz (exact, and
    read back by the notices' INSERT as it is): parsing tens of thousands of them into
    Python datetimes, only to send them back, was a good part of the sweep's time."""
    today = timezone.localdate(now)
    loose = policy.add_months(now, -settings.POLICY_INACTIVITY_NOTICE_MONTHS) + _SLACK
    told = InactivityNotice.objects.filter(owner=OuterRef("pk"), period_start=OuterRef("anchor"))
    rows = (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .annotate(anchor=_anchor())
        .filter(anchor__lte=loose)
        .exclude(Exists(told))
        .annotate(exempt=exemption(today=today))
        .order_by()  # User's default ordering (email) would make it a scan of that index
    )
    if connection.vendor != "postgresql":  # the embedded SQLite default: dates in Python
        return rows.values_list("pk", "anchor", "exempt")
    from allauth.account.models import EmailAddress

    after_notice = policy.add_months(now, settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS)
    # One probe of the account's own addresses, evaluated (in the select list) only for
    # the rows that pass: as a filter, PostgreSQL hashed the whole email table every run.
    verified = (
        EmailAddress.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(any=Max(Cast("verified", IntegerField())))
        .values("any")
    )
    return (
        rows.alias(due=policy.AddMonths(_anchor(), settings.POLICY_INACTIVITY_NOTICE_MONTHS))
        .filter(due__lte=now)
        .annotate(
            anchor_text=Cast(_anchor(), TextField()),
            verified=Subquery(verified, output_field=IntegerField()),
            stated_text=Cast(
                Greatest(
                    policy.AddMonths(_anchor(), settings.POLICY_REMOVAL_MONTHS),
                    Value(after_notice, output_field=DateTimeField()),
                ),
                TextField(),
            ),
        )
        .values_list("pk", "anchor_text", "exempt", "verified", "stated_text")
    )


def unconfirmed_among(user_ids: Sequence[int]) -> set[int]:
    """The sign-ups never confirmed (addresses, none verified) among these accounts, in one
    query over their own email rows (grouped by account). Asked of the candidates only: as
    part of the candidates' query, PostgreSQL hashed the whole email table on every run."""
    from allauth.account.models import EmailAddress

    if not user_ids:
        return set()
    rows = (
        EmailAddress.objects.filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(verified=Max(Cast("verified", IntegerField())))
        .filter(verified=0)
        .values_list("user_id", flat=True)
    )
    return set(rows)


def notice_candidates(*, now: datetime) -> list[tuple[int, Moment, str | None, Moment]]:
    """(owner id, period start, exemption, stated removal time) of every account 18 months
    without use and not yet told for this period. Staff accounts, and sign-ups never
    confirmed (removed after 30 days instead), are not noticed; exempt owners are reported,
    not noticed. The stated removal: 21 months of inactivity, and three months after now
    (when the notice goes) at the earliest. On PostgreSQL the times are the timestamptz's
    text (see `notice_candidate_rows`)."""
    if connection.vendor == "postgresql":
        return [
            (pk, start, exempt, stated)
            for pk, start, exempt, verified, stated in notice_candidate_rows(now=now)
            if verified != 0
        ]
    after_notice = policy.add_months(now, settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS)
    rows = [row for row in notice_candidate_rows(now=now) if policy.notice_due_at(row[1]) <= now]
    unconfirmed = unconfirmed_among([pk for pk, *_ in rows])
    return [
        (pk, start, exempt, max(policy.earliest_removal_at(start), after_notice))
        for pk, start, exempt in rows
        if pk not in unconfirmed
    ]


def _insert_notices(rows: Sequence[tuple[int, Moment, Moment]], now: datetime) -> list[int]:
    """The embedded SQLite default's notices (PostgreSQL writes them with their emails in
    one statement, `notices.insert_notices_with_emails`): INSERT ... ON CONFLICT DO NOTHING
    RETURNING, the ids of the notices this sweep created (SQLite 3.35+)."""
    table = InactivityNotice._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    values = ", ".join(["(%s, %s, %s, %s, %s, '')"] * len(rows))
    params: list[Any] = []
    for owner_id, start, stated in rows:  # datetimes here: only PostgreSQL's are text
        params += [
            owner_id,
            adapt(cast(datetime, start)),
            State.QUEUED.value,
            adapt(now),
            adapt(cast(datetime, stated)),
        ]
    sql = (
        f"INSERT INTO {table} (owner_id, period_start, state, created_at, stated_removal_at, "  # noqa: S608 - model metadata and placeholders only
        f"held_reason) VALUES {values} ON CONFLICT (owner_id, period_start) DO NOTHING "
        f"RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _notices(*, now: datetime, apply: bool, counts: SweepCounts, progress: Progress | None) -> None:
    # In owner order, every chunk a run of neighbouring accounts: each chunk's notices go
    # at the right edge of the notices' owner indexes and its probes (the account, its
    # animals, the foreign-key checks) touch neighbouring pages. In the order the
    # candidates' index scan gives (by date of last use), each chunk's owners were spread
    # over the whole table, and each chunk wrote into every page of the indexes grown so
    # far: the chunk's cost grew with the table (at 1M owners the last chunks cost twice
    # the first).
    candidates = sorted(notice_candidates(now=now), key=itemgetter(0))
    for chunk in _chunks(candidates, CHUNK):
        rows = []
        for pk, start, reason, stated in chunk:
            if reason:
                counts.held_reasons[reason] = counts.held_reasons.get(reason, 0) + 1
                counts.held += 1
            else:
                rows.append((pk, start, stated))
        if not apply:
            counts.noticed += len(rows)
            continue
        if rows and connection.vendor == "postgresql":
            counts.noticed += _insert_chunk(rows, now)
        elif rows:  # the embedded SQLite default
            with transaction.atomic():
                created = _insert_notices(rows, now)
                if created:
                    notices.send_notices(created)
            counts.noticed += len(created)
        if progress:
            progress("notices", len(chunk))


def _insert_chunk(rows: Sequence[tuple[int, Moment, Moment]], now: datetime) -> int:
    """One chunk's notices and emails in one transaction (PostgreSQL). The candidates were
    not yet told when the query ran; if another sweep told some of them since (two sweeps
    at once), the one-per-period constraint refuses the chunk, which rolls back whole and
    is written again skipping those (a notice is still sent at most once per period)."""
    try:
        with transaction.atomic():
            return notices.insert_notices_with_emails(rows, now)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "23505":  # not a unique violation
            raise
    with transaction.atomic():
        return notices.insert_notices_with_emails(rows, now, skip_told=True)


# --- 4. Reminders -------------------------------------------------------------------------


def _reminders(*, now: datetime, apply: bool, counts: SweepCounts) -> None:
    sent = _current(InactivityNotice.objects.filter(state=State.SENT, removal_at__gt=now))
    longest, *rest = policy.REMINDER_DAYS
    windows = [(longest, rest[0] if rest else 0), *((d, 0) for d in rest)]
    for days, next_days in windows:
        due = sent.filter(
            removal_at__lte=now + timedelta(days=days),
            removal_at__gt=now + timedelta(days=next_days),
        ).exclude(
            Exists(InactivityReminder.objects.filter(notice=OuterRef("pk"), days_before=days))
        )
        ids = list(due.values_list("pk", flat=True))
        if not apply:
            counts.reminded += len(ids)
            continue
        for chunk in _chunks(ids, CHUNK):
            with transaction.atomic():
                created = _insert_reminders(chunk, days, now)
                if created:
                    notices.send_reminders(created, days)
            counts.reminded += len(created)


def _insert_reminders(notice_ids: Sequence[int], days: int, now: datetime) -> list[int]:
    adapt = connection.ops.adapt_datetimefield_value
    table = InactivityReminder._meta.db_table
    values = ", ".join(["(%s, %s, %s)"] * len(notice_ids))
    params: list[Any] = []
    for notice_id in notice_ids:
        params += [notice_id, days, adapt(now)]
    sql = (
        f"INSERT INTO {table} (notice_id, days_before, created_at) VALUES {values} "  # noqa: S608 - model metadata and placeholders only
        f"ON CONFLICT (notice_id, days_before) DO NOTHING RETURNING notice_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# --- 5. Removal ---------------------------------------------------------------------------


def _removals(*, now: datetime, apply: bool, counts: SweepCounts) -> None:
    due = list(
        _current(
            InactivityNotice.objects.filter(state__in=(State.SENT, State.HELD), removal_at__lte=now)
        ).values_list("pk", "owner_id")
    )
    exempt = exemptions([owner for _, owner in due], now=now)
    for reason in exempt.values():
        counts.held_reasons[reason] = counts.held_reasons.get(reason, 0) + 1
    counts.held += len(exempt)
    held = [pk for pk, owner in due if owner in exempt]
    free = [(pk, owner) for pk, owner in due if owner not in exempt]
    if not apply:
        counts.removed += len(free)
        return
    for chunk in _chunks(held, CHUNK):
        InactivityNotice.objects.filter(pk__in=chunk).exclude(state=State.HELD).update(
            state=State.HELD
        )
    for chunk in _chunks(free, CHUNK):
        counts.removed += remove_accounts(chunk, now=now)


def remove_accounts(notices_and_owners: Sequence[tuple[int, int]], *, now: datetime) -> int:
    """Remove the owners of these notices through the erasure engine, claiming each
    notice so that two sweeps never remove the same owner."""
    return removal.remove_inactive(notices_and_owners, now=now)


# --- 6. Sign-ups never confirmed ----------------------------------------------------------


def _unconfirmed(*, now: datetime, apply: bool, counts: SweepCounts) -> None:
    ids = list(removal.unconfirmed_signups(now=now).values_list("pk", flat=True))
    exempt = exemptions(ids, now=now)
    free = [pk for pk in ids if pk not in exempt]
    counts.held += len(exempt)
    for reason in exempt.values():
        counts.held_reasons[reason] = counts.held_reasons.get(reason, 0) + 1
    if not apply:
        counts.unconfirmed_removed += len(free)
        return
    for chunk in _chunks(free, CHUNK):
        counts.unconfirmed_removed += removal.remove_unconfirmed(chunk, now=now)


# --- The sweep ----------------------------------------------------------------------------


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiler, for the sweep's session: its queries are index scans over
    a day's worth of rows, for which compiling costs more than it saves (about two seconds
    of the candidates' query at 200,000 owners, most of a quiet day's run)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        (before,) = cursor.fetchone()
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        if connection.is_usable():
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('jit', %s, false)", [before])
            except DatabaseError:  # the caller's transaction was aborted: it rolls back the SET
                pass


def retention_sweep(
    *, now: datetime | None = None, dry_run: bool = False, progress: Progress | None = None
) -> SweepCounts:
    """Run every step now (what beat runs daily), or with `dry_run` count what it would
    do without changing anything."""
    now = now or timezone.now()
    apply = not dry_run
    counts = SweepCounts()
    run = RetentionRun.objects.create(started_at=now, dry_run=dry_run) if apply else None
    with _without_jit():
        _deliveries(now=now, apply=apply, counts=counts)
        _cancellations(now=now, apply=apply, counts=counts)
        _notices(now=now, apply=apply, counts=counts, progress=progress)
        _reminders(now=now, apply=apply, counts=counts)
        _removals(now=now, apply=apply, counts=counts)
        _unconfirmed(now=now, apply=apply, counts=counts)
        counts.purged = asdict(retention_purge(now=now, dry_run=dry_run))
    if run is not None:
        RetentionRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), counts=counts.as_dict()
        )
    logger.info("retention sweep%s: %s", " (dry run)" if dry_run else "", counts.as_dict())
    return counts
