"""Property-based tests of the retention sweep (issue 9): over random timelines of use,
mail delivery and sweeps, no notice comes before 18 months without use, never two for a
period, reminders come once each and only in their window, and any use cancels what was
pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dsar.models import InactivityNotice, InactivityReminder
from dsar.retention import policy
from dsar.retention.sweep import retention_sweep
from dsar.services import legal_hold_place
from tests.factories import UserFactory
from vetpass.accounts.models import User
from vetpass.accounts.services import activity_record
from vetpass.outbox.models import OutboxEmail

START = datetime(2024, 1, 1, 9, tzinfo=UTC)
HORIZON_DAYS = 3 * 365
State = InactivityNotice.State

HORIZON_HOURS = 30 * 31 * 24  # 30 months
BUSY_HOURS = 17 * 30 * 24  # nothing is due in the first 17 months


@pytest.fixture
def owner(reference_data):
    return UserFactory(email="timeline@example.com", last_activity_at=START)


def _check(owner, now: datetime, held_since: datetime | None = None) -> None:
    owner.refresh_from_db()
    anchor = owner.last_activity_at
    notices = list(InactivityNotice.objects.filter(owner=owner))
    removed = [n for n in notices if n.state == State.REMOVED]
    if not owner.is_active:
        assert removed, "the account went without a notice that ran its course"
    if held_since is not None:
        assert not [n for n in removed if n.closed_at >= held_since], "removed under a hold"
    periods = [n.period_start for n in notices]
    assert len(periods) == len(set(periods)), "two notices for one period"
    for notice in notices:
        assert notice.created_at >= policy.notice_due_at(notice.period_start), "notice too early"
        assert notice.stated_removal_at >= policy.earliest_removal_at(notice.period_start)
        assert notice.stated_removal_at >= policy.add_months(notice.created_at, 3)
        if notice.removal_at is not None:
            assert notice.removal_at >= policy.add_months(notice.sent_at, 3)
        if notice.state == State.REMOVED:
            assert notice.closed_at >= policy.earliest_removal_at(notice.period_start)
            assert notice.closed_at >= policy.add_months(notice.sent_at, 3), "too little notice"
            assert notice.closed_at <= now
        elif notice.period_start != anchor:
            assert notice.state == State.CANCELLED, "use did not cancel the notice"
    kinds = list(InactivityReminder.objects.values_list("notice_id", "days_before"))
    assert len(kinds) == len(set(kinds)), "a reminder sent twice"
    for reminder in InactivityReminder.objects.select_related("notice"):
        removal = reminder.notice.removal_at
        assert removal - timedelta(days=reminder.days_before) <= reminder.created_at < removal
    if not any(n.state == State.REMOVED for n in notices):  # erasure takes their mail too
        mails = OutboxEmail.objects.count()
        assert mails == len(notices) + len(kinds), "an email without its record, or twice"


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    every_days=st.integers(min_value=5, max_value=30),
    first_sweep_hours=st.integers(min_value=0, max_value=24 * 30),
    early_sweeps=st.lists(st.integers(min_value=0, max_value=BUSY_HOURS), max_size=5),
    uses=st.lists(st.integers(min_value=0, max_value=HORIZON_HOURS), max_size=4),
    delivery_delay_days=st.integers(min_value=0, max_value=40),
    hold_at=st.none() | st.integers(min_value=0, max_value=HORIZON_HOURS),
)
# One timeline that always runs to a removal, and one where a hold comes first.
@example(
    every_days=7, first_sweep_hours=0, early_sweeps=[], uses=[], delivery_delay_days=0, hold_at=None
)
@example(
    every_days=7,
    first_sweep_hours=0,
    early_sweeps=[],
    uses=[],
    delivery_delay_days=0,
    hold_at=BUSY_HOURS,
)
def test_the_sweep_keeps_the_policy_over_any_timeline(
    owner, every_days, first_sweep_hours, early_sweeps, uses, delivery_delay_days, hold_at
):
    """A sweep every few days (beat may skip days), uses of the service at random times,
    and a mail server that takes up to 40 days to deliver."""
    # Examples share the test's transaction: a fresh owner each time, alone among the
    # accounts the sweep looks at, and no notice or mail left from an earlier example.
    User.objects.update(is_active=False)
    owner = UserFactory(last_activity_at=START)
    InactivityNotice.objects.all().delete()
    OutboxEmail.objects.all().delete()
    # A few sweeps in the quiet months, then one every few days (beat may miss days).
    sweeps = [*early_sweeps, *range(BUSY_HOURS + first_sweep_hours, HORIZON_HOURS, every_days * 24)]
    timeline = sorted([(h, "use") for h in uses] + [(h, "sweep") for h in sweeps])
    if hold_at is not None:
        timeline = sorted([*timeline, (hold_at, "hold")])
    held_since = None
    for hours, kind in timeline:
        now = START + timedelta(hours=hours)
        if kind == "hold":
            if owner.is_active:
                dpo = UserFactory(is_staff=True, is_dpo=True)
                legal_hold_place(subject=owner, reason="Claim", actor=dpo)
                held_since = now
            continue
        if kind == "use":
            with time_machine.travel(now, tick=False):
                activity_record(user=owner, kind="sign-in")
            continue
        OutboxEmail.objects.filter(
            status="queued", created_at__lte=now - timedelta(days=delivery_delay_days)
        ).update(status="sent", sent_at=now)
        with time_machine.travel(now, tick=False):
            retention_sweep(now=now)
        _check(owner, now, held_since)
    removed = InactivityNotice.objects.filter(state=State.REMOVED).count()
    # What the timelines reached (pytest --hypothesis-show-statistics shows the mix).
    event(f"removed: {removed}")
    event(f"notices: {InactivityNotice.objects.count()}")
    event(f"reminders: {InactivityReminder.objects.count()}")
