"""The retention policy's dates, in one place: the sweep, the notice emails and the owner's
privacy dashboard all compute them here, so what the owner is told is what the sweep does.

Months are calendar months (31 August + 18 months = 28 or 29 February), the same rule as
PostgreSQL's `timestamp + interval 'N months'`, which the sweep's SQL uses (`AddMonths`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import NotSupportedError
from django.db.models import DateTimeField, Func

from ..deadlines import add_months as _add_months_to_date

REMINDER_DAYS = (30, 7)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months on (or back, when negative), or
    that month's last day when it has no such day."""
    day = _add_months_to_date(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


class AddMonths(Func):
    """`add_months` in SQL (PostgreSQL), so that the sweep computes the policy's dates for
    thousands of owners in its queries instead of once per owner in Python.

    Equal to `add_months` of the datetime the database returns (tests/dsar/
    test_retention_sql_dates.py): Django reads every datetime back in UTC, and
    `add_months` keeps its wall-clock time, so the months are added to the UTC wall clock
    here too, whatever the session's time zone (in a zone with summer time, adding months
    to local time would move the hour). PostgreSQL's `timestamp + interval 'N months'`
    ends on the month's last day when it has no such date, as `add_months` does."""

    output_field = DateTimeField()

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = int(months)  # an int: safe in the SQL text

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        raise NotSupportedError("AddMonths is PostgreSQL only; use add_months in Python.")

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        template = add_months_sql("%(expressions)s", self.months)
        return super().as_sql(compiler, connection, template=template, **extra_context)


def add_months_sql(moment: str, months: int) -> str:
    """`AddMonths` as SQL text, for the sweep's own statements: `moment` is an SQL
    expression of type timestamptz."""
    return f"((({moment}) AT TIME ZONE 'UTC') + interval '{int(months)} months') AT TIME ZONE 'UTC'"


def notice_due_at(anchor: datetime) -> datetime:
    """When an account last used at `anchor` is due its inactivity notice (18 months)."""
    return add_months(anchor, settings.POLICY_INACTIVITY_NOTICE_MONTHS)


def earliest_removal_at(anchor: datetime) -> datetime:
    """21 months of inactivity: no removal before this, whatever the notice says."""
    return add_months(anchor, settings.POLICY_REMOVAL_MONTHS)


def removal_at(anchor: datetime, notice_sent_at: datetime) -> datetime:
    """21 months of inactivity, and never less than three months after the notice was
    actually sent: a notice that went out late moves the removal."""
    after_notice = add_months(notice_sent_at, settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS)
    return max(earliest_removal_at(anchor), after_notice)


def removal_if_unused_from(now: datetime) -> datetime:
    """The removal time of an account that stops being used at `now`: its notice goes out
    at 18 months, so the removal is 21 months on (three months after that notice)."""
    return removal_at(now, notice_due_at(now))


def reminder_due_at(removal: datetime, days_before: int) -> datetime:
    return removal - timedelta(days=days_before)


def unconfirmed_signup_cutoff(now: datetime) -> datetime:
    """Sign-ups whose address was never confirmed are removed after 30 days."""
    return now - timedelta(days=settings.POLICY_UNCONFIRMED_SIGNUP_DAYS)
