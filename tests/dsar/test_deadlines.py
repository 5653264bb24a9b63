"""Deadlines of data-subject requests (dsar.deadlines.deadlines_for): one calendar month
(GDPR / UK GDPR, and everyone outside California), 45 + 45 days (CCPA)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsar.deadlines import (
    Deadlines,
    add_months,
    clock_paused,
    deadlines_for,
    extension_allowed,
    legal_last_day,
    next_access_request_allowed_on,
    opt_out_act_by,
)
from vetpass.accounts.models import Jurisdiction

GDPR_LIKE = [Jurisdiction.UK, Jurisdiction.EEA, Jurisdiction.US_OTHER, Jurisdiction.OTHER]
CA = Jurisdiction.US_CA


@pytest.mark.parametrize("jurisdiction", GDPR_LIKE)
@pytest.mark.parametrize(
    ("received", "respond_by"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # non-leap year
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),  # 31st before a 30-day month
        (date(2026, 5, 31), date(2026, 6, 30)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 10, 31), date(2026, 11, 30)),
        (date(2026, 1, 30), date(2026, 2, 28)),  # 30th before February
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2026, 1, 29), date(2026, 2, 28)),
        (date(2026, 4, 30), date(2026, 5, 30)),  # 30th before a 31-day month: same date
        (date(2026, 12, 31), date(2027, 1, 31)),  # across the year
        (date(2026, 2, 28), date(2026, 3, 28)),
        (date(2026, 1, 15), date(2026, 2, 15)),
    ],
)
def test_one_calendar_month_ends_on_the_same_date_or_the_months_last_day(
    jurisdiction, received, respond_by
):
    deadlines = deadlines_for(jurisdiction, received)
    assert deadlines.respond_by == respond_by
    assert deadlines.acknowledge_by is None


def test_the_gdpr_extension_is_two_further_months_from_receipt():
    assert deadlines_for(Jurisdiction.UK, date(2026, 1, 31)).extended_respond_by == date(
        2026, 4, 30
    )
    assert deadlines_for(Jurisdiction.EEA, date(2026, 11, 30)).extended_respond_by == date(
        2027, 2, 28
    )


def test_a_deadline_on_a_weekend_is_not_rolled_forward_but_the_legal_day_is_shown():
    received = date(2026, 1, 28)  # due Saturday 28 February 2026
    respond_by = deadlines_for(Jurisdiction.UK, received).respond_by
    assert respond_by == date(2026, 2, 28)
    assert respond_by.weekday() == 5
    assert legal_last_day(respond_by) == date(2026, 3, 2)
    assert legal_last_day(date(2026, 3, 3)) == date(2026, 3, 3)


def test_an_extension_asked_on_day_29_is_allowed_and_on_day_32_is_too_late():
    received = date(2026, 1, 1)  # due 1 February
    assert extension_allowed(Jurisdiction.UK, received, received + timedelta(days=28))
    assert extension_allowed(Jurisdiction.UK, received, date(2026, 1, 31))
    # Day 32 counting the day of receipt as day 1 is the deadline itself: too late.
    assert not extension_allowed(Jurisdiction.UK, received, received + timedelta(days=31))
    assert not extension_allowed(Jurisdiction.UK, received, received + timedelta(days=32))
    # In a short month the first period is shorter: 1 February is due 1 March.
    assert not extension_allowed(Jurisdiction.UK, date(2026, 2, 1), date(2026, 3, 4))


def test_ccpa_is_45_days_extendable_once_by_45_with_notice_before_day_45():
    received = date(2026, 3, 2)
    deadlines = deadlines_for(CA, received)
    assert deadlines.respond_by == date(2026, 4, 16)
    assert deadlines.extended_respond_by == date(2026, 5, 31)
    assert extension_allowed(CA, received, received + timedelta(days=29))
    assert extension_allowed(CA, received, received + timedelta(days=44))
    assert not extension_allowed(CA, received, received + timedelta(days=45))
    assert not extension_allowed(CA, received, received + timedelta(days=46))


def test_ccpa_receipt_is_confirmed_within_10_business_days_across_weekends():
    # Friday 6 November 2026: ten business days later skips two weekends.
    assert deadlines_for(CA, date(2026, 11, 6)).acknowledge_by == date(2026, 11, 20)
    # Received on a Saturday: the count starts on Monday.
    assert deadlines_for(CA, date(2026, 11, 7)).acknowledge_by == date(2026, 11, 20)
    # Wednesday: ten business days end on the Wednesday two weeks later.
    assert deadlines_for(CA, date(2026, 11, 4)).acknowledge_by == date(2026, 11, 18)


def test_a_third_ccpa_access_request_within_12_months_is_refused_with_the_next_date():
    first, second = date(2026, 2, 10), date(2026, 6, 1)
    assert next_access_request_allowed_on([], first) is None
    assert next_access_request_allowed_on([first], second) is None
    assert next_access_request_allowed_on([first, second], date(2026, 9, 1)) == date(2027, 2, 10)
    # On that date the first one has left the 12-month window.
    assert next_access_request_allowed_on([second, first], date(2027, 2, 10)) is None
    assert next_access_request_allowed_on([first, second], date(2027, 2, 9)) == date(2027, 2, 10)


def test_the_next_access_request_date_is_consistent_across_29_february():
    leap = date(2028, 2, 29)
    allowed_on = next_access_request_allowed_on([leap, date(2028, 3, 1)], date(2028, 5, 1))
    assert allowed_on == date(2029, 2, 28)
    assert next_access_request_allowed_on([leap, date(2028, 3, 1)], allowed_on) is None


def test_an_opt_out_of_sale_is_acted_on_within_15_days():
    assert opt_out_act_by(date(2026, 12, 20)) == date(2027, 1, 4)


def test_the_clock_stopped_for_identity_documents_adds_the_days_it_stood_still():
    assert clock_paused(date(2026, 2, 28), date(2026, 2, 3), date(2026, 2, 10)) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        clock_paused(date(2026, 2, 28), date(2026, 2, 10), date(2026, 2, 3))


def test_an_unknown_jurisdiction_is_an_error():
    with pytest.raises(ValueError):
        deadlines_for("mars", date(2026, 1, 1))


def _law_allows(jurisdiction: str, received: date) -> Deadlines:
    """The law's outer dates, computed independently: one month is never more than 31
    days, three months never more than 92; CCPA 45 and 90 calendar days."""
    if jurisdiction == CA:
        return Deadlines(received + timedelta(45), received + timedelta(90), None)
    return Deadlines(received + timedelta(31), received + timedelta(92), None)


@given(
    jurisdiction=st.sampled_from(list(Jurisdiction.values)),
    received=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_respond_by_is_never_before_receipt_nor_later_than_the_law_allows(jurisdiction, received):
    deadlines = deadlines_for(jurisdiction, received)
    outer = _law_allows(jurisdiction, received)
    assert received < deadlines.respond_by <= outer.respond_by
    assert deadlines.respond_by < deadlines.extended_respond_by <= outer.extended_respond_by
    if jurisdiction != CA:
        # A calendar month: the same day of the next month, or its last day.
        assert deadlines.respond_by.month == add_months(received, 1).month
        assert deadlines.respond_by.day == min(received.day, deadlines.respond_by.day)
        assert deadlines.respond_by.day == received.day or (
            (deadlines.respond_by + timedelta(days=1)).day == 1
        )
    else:
        assert received < deadlines.acknowledge_by <= received + timedelta(days=14)
        assert deadlines.acknowledge_by.weekday() < 5
