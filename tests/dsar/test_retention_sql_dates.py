"""The retention sweep computes the policy's calendar-month dates in SQL on PostgreSQL
(`policy.AddMonths`); they must be exactly what `policy.add_months` gives in Python, which
the owner's dashboard and the property tests use: at month ends (31 August + 18 months =
28 or 29 February), across leap days, at the last microsecond of a day, and whatever the
database session's time zone (summer time must not move the hour)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsar.retention import policy
from dsar.retention.sweep import _anchor, notice_candidates
from tests.factories import UserFactory
from vetpass.accounts.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL dates are PostgreSQL's"),
]

# Session time zones with summer time on either side of the equator, and a :45 offset.
ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Chatham"]
MONTHS = [18, 21, 3, 1, -1, -18]
MONTH_ENDS = [
    datetime(2023, 8, 31, 12, tzinfo=UTC),  # + 18 months: 28 February 2025
    datetime(2022, 8, 31, 12, tzinfo=UTC),  # + 18 months: 29 February 2024 (leap)
    datetime(2024, 2, 29, 9, tzinfo=UTC),  # a leap day, forwards and back
    datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=UTC),  # a local "next day" east of UTC
    datetime(2024, 5, 31, 0, 0, tzinfo=UTC),  # a local "previous day" west of UTC
    datetime(2024, 10, 27, 1, 30, tzinfo=UTC),  # the hour Europe's clocks go back
    datetime(2025, 3, 30, 1, 30, tzinfo=UTC),  # the hour Europe's clocks go forward
    datetime(2024, 12, 31, 18, tzinfo=UTC),  # the year turns
]


@pytest.fixture
def owner(reference_data):
    return UserFactory(email="dates@example.com")


def _in_sql(owner: User, moment: datetime, months: int, zone: str) -> datetime:
    """AddMonths of the owner's inactivity anchor (the sweep's own expression) set to
    `moment`, in a session whose time zone is `zone`. Read as PostgreSQL's text of the
    timestamptz, with its offset: Django's reader assumes the session is in UTC."""
    User.objects.filter(pk=owner.pk).update(last_activity_at=moment)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [zone])
    try:
        moved = (
            User.objects.filter(pk=owner.pk)
            .annotate(moved=Cast(policy.AddMonths(_anchor(), months), TextField()))
            .values_list("moved", flat=True)
            .get()
        )
        return datetime.fromisoformat(moved)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TIME ZONE 'UTC'")


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("months", MONTHS)
@pytest.mark.parametrize("moment", MONTH_ENDS, ids=lambda m: m.isoformat())
def test_sql_months_are_the_python_months_at_month_ends(owner, moment, months, zone):
    assert _in_sql(owner, moment, months, zone) == policy.add_months(moment, months)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - the strategy's bounds are naive
        max_value=datetime(2040, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    months=st.integers(min_value=-30, max_value=30),
    zone=st.sampled_from(ZONES),
)
def test_sql_months_are_the_python_months_for_any_moment(owner, moment, months, zone):
    assert _in_sql(owner, moment, months, zone) == policy.add_months(moment, months)


def test_the_sweeps_candidates_are_due_and_state_the_removal_exactly_as_in_python(
    reference_data,
):
    """At the end of February the owners last seen on 28, 29, 30 and 31 August 18 months
    before are all due (each + 18 months is 28 February), one microsecond later is not;
    each notice states 21 months on, or three months after now when that is later."""
    now = datetime(2026, 2, 28, 9, tzinfo=UTC)
    anchors = [datetime(2024, 8, day, 9, tzinfo=UTC) for day in (27, 28, 29, 30, 31)]
    anchors += [datetime(2024, 8, 31, 9, tzinfo=UTC) + timedelta(microseconds=1)]
    anchors += [datetime(2024, 5, 31, 9, tzinfo=UTC), datetime(2023, 11, 30, 23, tzinfo=UTC)]
    owners = {
        UserFactory(email=f"a{n}@example.com", last_activity_at=anchor).pk: anchor
        for n, anchor in enumerate(anchors)
    }
    after_notice = policy.add_months(now, 3)

    got = {pk: (start, stated) for pk, start, _, stated in notice_candidates(now=now)}

    expected = {
        pk: (anchor, max(policy.earliest_removal_at(anchor), after_notice))
        for pk, anchor in owners.items()
        if policy.notice_due_at(anchor) <= now
    }
    assert len(expected) == len(anchors) - 1  # only the one a microsecond late waits
    as_datetimes = {
        pk: tuple(datetime.fromisoformat(value) for value in row) for pk, row in got.items()
    }
    assert as_datetimes == expected


def test_a_delivery_at_a_month_end_fixes_the_removal_exactly_as_in_python(reference_data):
    """The delivery step computes the removal time in SQL: three months after a notice
    sent on 30 November late in the evening is 28 February (29 in a leap year) at that
    hour, and never before the time the email stated."""
    from dsar.models import InactivityNotice
    from dsar.retention.sweep import retention_sweep
    from vetpass.outbox.models import OutboxEmail

    now = datetime(2026, 11, 30, 20, tzinfo=UTC)
    owners = [
        UserFactory(
            email="late@example.com", last_activity_at=datetime(2025, 5, 31, 8, tzinfo=UTC)
        ),
        UserFactory(
            email="early@example.com", last_activity_at=datetime(2024, 8, 31, 8, tzinfo=UTC)
        ),
    ]
    retention_sweep(now=now)
    sent_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    OutboxEmail.objects.update(status="sent", sent_at=sent_at)

    retention_sweep(now=sent_at + timedelta(minutes=5))

    for owner in owners:
        notice = InactivityNotice.objects.get(owner=owner)
        assert notice.state == InactivityNotice.State.SENT
        assert notice.sent_at == sent_at
        expected = max(notice.stated_removal_at, policy.removal_at(notice.period_start, sent_at))
        assert notice.removal_at == expected
    assert InactivityNotice.objects.get(owner=owners[0]).removal_at == datetime(
        2027, 2, 28, 23, 30, tzinfo=UTC
    )
