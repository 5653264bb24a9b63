"""What the retention sweep will do in the coming months, for the DPO's chart: notices
(accounts whose 18 months without use run out that month) and removals (notices already
sent, by their removal date; accounts not yet told, by their 21 months). Grouped in SQL by
month of the last use, then moved on by whole months: a calendar-month shift keeps each
date in its month, so the buckets are exact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from vetpass.accounts.models import User

from ..models import InactivityNotice

MONTHS_AHEAD = 12


@dataclass(frozen=True)
class MonthForecast:
    month: date
    notices: int
    removals: int


def _month(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _shift(month: date, months: int) -> date:
    index = month.month - 1 + months
    return date(month.year + index // 12, index % 12 + 1, 1)


def _start_of(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


def retention_forecast(*, now: datetime | None = None) -> list[MonthForecast]:
    now = now or timezone.now()
    first = _month(timezone.localtime(now))
    months = [_shift(first, n) for n in range(MONTHS_AHEAD)]
    notice_after = settings.POLICY_INACTIVITY_NOTICE_MONTHS
    removal_after = settings.POLICY_REMOVAL_MONTHS
    told = InactivityNotice.objects.filter(
        owner=OuterRef("pk"), period_start=OuterRef("anchor")
    ).exclude(state=InactivityNotice.State.CANCELLED)
    untold = (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .annotate(anchor=Coalesce(F("last_activity_at"), F("date_joined")))
        # Only those whose notice falls before the chart's end (older ones are overdue).
        .filter(anchor__lt=_start_of(_shift(first, MONTHS_AHEAD - notice_after)))
        .exclude(Exists(told))
        .annotate(month=TruncMonth("anchor"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    notices: Counter[date] = Counter()
    removals: Counter[date] = Counter()
    for row in untold:
        last_use = _month(row["month"])
        notices[_shift(last_use, notice_after)] += row["n"]
        removals[_shift(last_use, removal_after)] += row["n"]
    scheduled = (
        InactivityNotice.objects.filter(
            state__in=(InactivityNotice.State.QUEUED, InactivityNotice.State.SENT)
        )
        .annotate(month=TruncMonth(Coalesce(F("removal_at"), F("stated_removal_at"))))
        .values("month")
        .annotate(n=Count("pk"))
    )
    for row in scheduled:
        removals[_month(row["month"])] += row["n"]
    # Anything already overdue shows in the current month: the next sweep does it.
    overdue_notices = sum(n for m, n in notices.items() if m < first)
    overdue_removals = sum(n for m, n in removals.items() if m < first)
    notices[first] += overdue_notices
    removals[first] += overdue_removals
    return [MonthForecast(m, notices[m], removals[m]) for m in months]
