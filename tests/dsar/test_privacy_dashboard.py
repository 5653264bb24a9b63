"""The owner's privacy dashboard (issue 9): what is held (from the map), who looked, the
consents, open requests, and the removal date that the sweep keeps to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from dsar.dashboard import held_counts, privacy_dashboard
from dsar.models import InactivityNotice
from dsar.retention.sweep import retention_sweep
from records.models import Entry
from tests.dsar.conftest import case_for
from tests.factories import AnimalFactory, EntryFactory
from vetpass.outbox.models import OutboxEmail

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _held(user) -> dict[str, int]:
    return {kind.label: kind.count for kind in held_counts(user)}


def test_what_is_held_is_counted_from_the_map_and_only_the_owner_s(rex, tom):
    EntryFactory.create_batch(3, animal=rex)
    EntryFactory.create_batch(5, animal=tom)
    held = _held(rex.owner)
    assert held["Animals"] == 1
    assert held["Entries"] == Entry.objects.filter(animal=rex).count() == 3
    assert held["Users"] == 1
    assert _held(tom.owner)["Entries"] == 5


def test_the_counts_cost_the_same_queries_however_much_is_held(rex, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        held_counts(rex.owner)
    for _ in range(20):
        EntryFactory.create_batch(5, animal=AnimalFactory(owner=rex.owner))
    with django_assert_max_num_queries(1):
        assert _held(rex.owner)["Entries"] == 100


def test_the_removal_date_is_21_months_from_today_without_a_notice(alice):
    board = privacy_dashboard(alice, now=NOW)
    assert board.removal_at == datetime(2028, 8, 29, 10, tzinfo=UTC)
    assert board.notice is None


def test_the_date_shown_is_when_the_sweep_acts(alice):
    """Stop using VetPass now: the sweep notices at 18 months and the notice's removal date is
    the one the dashboard showed."""
    alice.last_activity_at = NOW
    alice.save(update_fields=["last_activity_at"])
    shown = privacy_dashboard(alice, now=NOW).removal_at
    assert retention_sweep(now=datetime(2028, 5, 29, 9, 59, tzinfo=UTC)).noticed == 0
    assert retention_sweep(now=datetime(2028, 5, 29, 10, tzinfo=UTC)).noticed == 1
    notice = InactivityNotice.objects.get()
    assert notice.stated_removal_at == shown
    # The mail server takes it at once; the sweep keeps to the date shown to the minute.
    sent = datetime(2028, 5, 29, 10, tzinfo=UTC)
    OutboxEmail.objects.filter(pk=notice.email_id).update(status="sent", sent_at=sent)
    retention_sweep(now=datetime(2028, 5, 29, 11, tzinfo=UTC))
    board = privacy_dashboard(alice, now=datetime(2028, 6, 1, tzinfo=UTC))
    assert board.notice == notice and board.removal_at == shown
    assert retention_sweep(now=shown - timedelta(minutes=1)).removed == 0
    assert retention_sweep(now=shown).removed == 1
    alice.refresh_from_db()
    assert not alice.is_active


def test_open_requests_show_with_their_due_dates(alice):
    case = case_for(alice, NOW)
    assert privacy_dashboard(alice).open_requests == [case]


def test_the_web_page_shows_it_all_and_keeping_starts_a_new_period(alice, alice_client, rex):
    alice.last_activity_at = datetime(2025, 1, 1, tzinfo=UTC)
    alice.save(update_fields=["last_activity_at"])
    retention_sweep(now=datetime(2026, 7, 2, tzinfo=UTC))
    page = alice_client.get("/privacy/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Animals" in html and "Keep my records" in html
    assert "2 October 2026" in html  # three months after the notice (later than 21 months)
    with time_machine.travel(datetime(2026, 7, 3, tzinfo=UTC), tick=False):
        kept = alice_client.post("/privacy/dashboard/keep/")
    assert kept.status_code == 302
    assert retention_sweep(now=datetime(2026, 7, 3, 1, tzinfo=UTC)).cancelled == 1


def test_the_api_answers_the_same(alice, rex):
    api = APIClient()
    api.force_authenticate(alice)
    data = api.get("/api/v1/privacy/dashboard/").json()
    labels = {row["label"]: row["count"] for row in data["held"]}
    assert labels == _held(alice)
    assert data["notice_sent"] is False
    kept = api.post("/api/v1/privacy/dashboard/keep/")
    assert kept.status_code == 200
    alice.refresh_from_db()
    assert alice.last_activity_kind == "keep my records"
