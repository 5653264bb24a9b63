"""When a data-subject request must be answered (DESIGN.md, "Policy numbers").

- GDPR / UK GDPR Art. 12(3): "without undue delay and in any event within one month of
  receipt of the request. That period may be extended by two further months where
  necessary ... The controller shall inform the data subject of any such extension within
  one month of receipt of the request, together with the reasons for the delay."
  A calendar month ends on the same date of the next month, or on that month's last day
  when it has no such date (received 31 January: 28 or 29 February). We give everyone
  outside California this rule, the stricter one, and we do not roll a deadline forward
  past a weekend or holiday, which the law would allow: `legal_last_day` shows that date
  beside ours.
- CCPA regulations (11 CCR §7021): respond within 45 calendar days of receipt (verification
  does not pause it), extendable once by 45 days with notice before day 45; confirm receipt
  within 10 business days; act on an opt-out of sale or sharing within 15 business days (the
  VETPASS policy says 15 days: we count calendar days, the stricter reading); at most two
  access / right-to-know requests per person in a 12-month period (Civ. Code §1798.130(b)).

Time is a parameter (DESIGN.md rule 6): every function takes the dates it needs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from vetpass.accounts.models import Jurisdiction

# CCPA regulations §7021(b): 45 calendar days, once extendable by another 45.
CCPA_RESPOND_DAYS = 45
CCPA_EXTENSION_DAYS = 45
# §7021(a): confirm receipt within 10 business days.
CCPA_ACKNOWLEDGE_BUSINESS_DAYS = 10
# VETPASS policy: an opt-out of sale or sharing is acted on within 15 days.
CCPA_OPT_OUT_DAYS = 15
# Civ. Code §1798.130(b): no more than twice in a 12-month period.
CCPA_ACCESS_REQUESTS_PER_YEAR = 2
# GDPR Art. 12(3): one month, extendable by two further months.
GDPR_RESPOND_MONTHS = 1
GDPR_EXTENSION_MONTHS = 2


@dataclass(frozen=True)
class Deadlines:
    respond_by: date
    # The latest answer date once extended (the extension must be told before respond_by).
    extended_respond_by: date
    # Receipt must be confirmed by then; None where the law sets no such deadline.
    acknowledge_by: date | None


def add_months(day: date, months: int) -> date:
    """The same date `months` calendar months later, or that month's last day when it has
    no such date (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_business_days(day: date, count: int) -> date:
    """`count` business days (Monday to Friday) after `day`. Holidays are counted as
    business days: that only makes our date earlier than the law's, never later."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def is_california(jurisdiction: str) -> bool:
    return jurisdiction == Jurisdiction.US_CA


def deadlines_for(jurisdiction: str, received: date) -> Deadlines:
    """The answer dates of a request received on `received` from a person in
    `jurisdiction` (a `vetpass.accounts.models.Jurisdiction` value)."""
    if jurisdiction not in Jurisdiction.values:
        raise ValueError(f"Unknown jurisdiction {jurisdiction!r}")
    if is_california(jurisdiction):
        respond_by = received + timedelta(days=CCPA_RESPOND_DAYS)
        return Deadlines(
            respond_by=respond_by,
            extended_respond_by=respond_by + timedelta(days=CCPA_EXTENSION_DAYS),
            acknowledge_by=add_business_days(received, CCPA_ACKNOWLEDGE_BUSINESS_DAYS),
        )
    return Deadlines(
        respond_by=add_months(received, GDPR_RESPOND_MONTHS),
        # "That period may be extended by two further months": three months from receipt.
        extended_respond_by=add_months(received, GDPR_RESPOND_MONTHS + GDPR_EXTENSION_MONTHS),
        acknowledge_by=None,
    )


def extension_allowed(jurisdiction: str, received: date, told_on: date) -> bool:
    """An extension is allowed only when the subject is told of it (with reasons) before
    `respond_by`, as the contract says: on the last day itself it is too late to change
    course, and once the deadline has passed there is nothing left to extend."""
    return received <= told_on < deadlines_for(jurisdiction, received).respond_by


def opt_out_act_by(received: date) -> date:
    """A California opt-out of sale or sharing is acted on by this date."""
    return received + timedelta(days=CCPA_OPT_OUT_DAYS)


def next_access_request_allowed_on(previous: Iterable[date], received: date) -> date | None:
    """None when a California access / right-to-know request received on `received` may
    go ahead; otherwise the first date on which the next one may be made. `previous` are
    the receipt dates of the person's earlier access requests (any order)."""
    # A request counts against the limit until 12 months after its receipt.
    in_window = sorted(d for d in previous if d <= received < add_months(d, 12))
    if len(in_window) < CCPA_ACCESS_REQUESTS_PER_YEAR:
        return None
    # The oldest of the most recent two leaves the 12-month window 12 months after it.
    return add_months(in_window[-CCPA_ACCESS_REQUESTS_PER_YEAR], 12)


def legal_last_day(deadline: date) -> date:
    """The day the law would accept, shown beside ours on a case: a deadline on a Saturday
    or Sunday moves to the Monday after (bank holidays are not counted here)."""
    while deadline.weekday() >= 5:
        deadline += timedelta(days=1)
    return deadline


def clock_paused(respond_by: date, stopped_on: date, restarted_on: date) -> date:
    """The answer date after the clock stopped while identity documents were awaited (UK
    ICO guidance): the days it stood still are added back."""
    if restarted_on < stopped_on:
        raise ValueError("The clock cannot restart before it stopped.")
    return respond_by + (restarted_on - stopped_on)
