"""The retention sweep in the DPO's admin: the forecast chart's figures agree with what the
sweep does when its month comes; the runs and every notice are listed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dsar.models import InactivityNotice
from dsar.retention.forecast import retention_forecast
from dsar.retention.sweep import retention_sweep
from tests.conftest import mfa_client_for
from tests.factories import UserFactory
from vetpass.outbox.models import OutboxEmail
from vetpass.outbox.services import outbox_message

NOW = datetime(2026, 11, 15, 9, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle_people(reference_data):
    # Last used in June 2025: notices in December 2026, removals in March 2027.
    for n in range(3):
        UserFactory(
            email=f"june{n}@example.com", last_activity_at=datetime(2025, 6, 20, tzinfo=UTC)
        )
    # Last used in January 2025: 18 months ran out in July, so the notice is overdue.
    UserFactory(email="january@example.com", last_activity_at=datetime(2025, 1, 5, tzinfo=UTC))
    # Busy: nothing in the next twelve months.
    UserFactory(email="busy@example.com", last_activity_at=datetime(2026, 11, 1, tzinfo=UTC))


def _by_month():
    return {f.month.strftime("%Y-%m"): (f.notices, f.removals) for f in retention_forecast(now=NOW)}


def test_the_forecast_counts_notices_and_removals_by_month(idle_people):
    months = _by_month()
    assert len(months) == 12
    assert months["2026-12"] == (3, 0)
    assert months["2027-03"] == (0, 3)
    assert months["2026-11"] == (1, 1)  # overdue: the next sweep does it
    assert sum(n for n, _ in months.values()) == 4


def test_the_forecast_agrees_with_the_sweep_when_the_month_comes(idle_people):
    noticed = retention_sweep(now=datetime(2026, 12, 20, 12, tzinfo=UTC)).noticed
    assert noticed == 4  # December's three and the overdue one
    OutboxEmail.objects.update(status="sent", sent_at=datetime(2026, 12, 20, 12, tzinfo=UTC))
    retention_sweep(now=datetime(2026, 12, 20, 13, tzinfo=UTC))
    months = {f.month.strftime("%Y-%m"): f.removals for f in retention_forecast(now=NOW)}
    assert months["2027-03"] == 4  # three months after the notices went out
    assert not [m for m, n in months.items() if n and m != "2027-03"]


def test_the_dpo_sees_the_chart_the_runs_and_every_notice(idle_people, dpo):
    retention_sweep(now=NOW)
    page = mfa_client_for(dpo).get("/admin/dsar/inactivitynotice/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The next twelve months" in html and "<svg" in html
    assert "Last runs" in html
    assert InactivityNotice.objects.count() == 1
    assert "january@example.com" in html or "January" in html
    runs = mfa_client_for(dpo).get("/admin/dsar/retentionrun/")
    assert runs.status_code == 200 and "Took" in runs.content.decode()


def test_the_dpo_sends_an_undeliverable_notice_again_with_a_new_date(idle_people, dpo):
    import time_machine

    retention_sweep(now=datetime(2026, 12, 20, 12, tzinfo=UTC))
    notice = InactivityNotice.objects.get(owner__email="january@example.com")
    OutboxEmail.objects.filter(pk=notice.email_id).update(status="failed")
    retention_sweep(now=datetime(2026, 12, 21, tzinfo=UTC))
    notice.refresh_from_db()
    assert notice.state == InactivityNotice.State.UNDELIVERABLE
    first_email = notice.email_id
    with time_machine.travel(datetime(2027, 1, 10, 9, tzinfo=UTC), tick=False):
        response = mfa_client_for(dpo).post(
            "/admin/dsar/inactivitynotice/",
            {"action": "send_again", "_selected_action": [notice.pk]},
        )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == InactivityNotice.State.QUEUED and notice.email_id != first_email
    assert notice.stated_removal_at == datetime(2027, 4, 10, 9, tzinfo=UTC)
    assert "10 April 2027" in outbox_message(OutboxEmail.objects.get(pk=notice.email_id)).body
