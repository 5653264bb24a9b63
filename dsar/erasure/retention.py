"""Until when kept data stays: the retention anchor plus the declared duration (a fixed
number of months, or the practice's legal period by its country)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from dsar.deadlines import add_months
from vetpass.privacy import Treatment


def months_for(treatment: Treatment, country: str | None) -> int:
    if treatment.months is not None:
        return treatment.months
    table: dict[str, int] = getattr(settings, treatment.months_setting)
    default: int = getattr(
        settings, f"{treatment.months_setting.removesuffix('_MONTHS')}_DEFAULT_MONTHS"
    )
    return table.get((country or "").upper(), default)


def _as_date(value: date | datetime) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def kept_until(rows: QuerySet, treatment: Treatment) -> str:
    """The last day the kept rows stay, as an ISO date; or what it waits for when the
    anchor is still empty (a case not yet closed)."""
    if treatment.months_setting:
        groups = rows.values(treatment.per).annotate(last=Max(treatment.anchor))
        ends = [
            add_months(_as_date(g["last"]), months_for(treatment, g[treatment.per]))
            for g in groups
            if g["last"] is not None
        ]
    else:
        last = rows.aggregate(last=Max(treatment.anchor))["last"]
        ends = [add_months(_as_date(last), months_for(treatment, None))] if last else []
    if not ends:
        return f"{treatment.months or 'the legal period in'} months after {treatment.anchor}"
    return max(ends).isoformat()
