"""Requests and their events are kept 24 months after they close, then deleted (issue 8
§4, CCPA regulations §7101): set-based, chunked, a legal hold keeps them, open cases stay."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dsar import services as svc
from dsar.models import CaseEvent, DataSubjectRequest, DueReminder, RequestType, Status
from dsar.retention.cases import case_keep_cutoff, dsar_cases_purge
from dsar.tasks import purge_closed_cases_task
from tests.dsar.conftest import case_for
from vetpass.schedule import DSAR_PURGE_CLOSED_CASES, periodic_tasks

pytestmark = pytest.mark.django_db
NOW = datetime(2028, 6, 15, 3, tzinfo=UTC)


def _closed(user, dpo, closed: datetime, *, type=RequestType.ACCESS) -> DataSubjectRequest:  # noqa: A002
    """A case received a week before `closed`, worked and completed at `closed`."""
    case = case_for(user, closed.replace(day=1), type=type)
    with time_machine.travel(closed, tick=False):
        svc.dsar_verify(request=case, actor=user, method="re-authentication")
        svc.dsar_note(request=case, actor=dpo, text="Called")
        case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
        case = svc.dsar_transition(request=case, to=Status.COMPLETED, actor=dpo)
    DueReminder.objects.create(request=case, days_before=7, due_on=case.respond_by)
    return case


def test_the_cutoff_is_24_calendar_months_before_now():
    assert case_keep_cutoff(NOW) == datetime(2026, 6, 15, 3, tzinfo=UTC)
    # 29 February has no twin two years on: the month's last day
    leap = case_keep_cutoff(datetime(2030, 2, 28, 12, tzinfo=UTC))
    assert leap.date() == date(2028, 2, 28)


def test_a_case_closed_25_months_ago_goes_23_months_ago_stays_open_never(alice, bob, dpo):
    old = _closed(alice, dpo, datetime(2026, 5, 10, 9, tzinfo=UTC))  # 25 months
    recent = _closed(alice, dpo, datetime(2026, 7, 10, 9, tzinfo=UTC))  # 23 months
    ancient_open = case_for(bob, datetime(2025, 1, 5, 9, tzinfo=UTC))  # never closed
    old_events = CaseEvent.objects.filter(request=old).count()
    assert old_events >= 4

    with time_machine.travel(NOW, tick=False):
        report = purge_closed_cases_task()

    assert report == {"cases": 1, "events": old_events, "reminders": 1}
    assert set(DataSubjectRequest.objects.values_list("pk", flat=True)) == {
        recent.pk,
        ancient_open.pk,
    }
    assert not CaseEvent.objects.filter(request_id=old.pk).exists()
    assert not DueReminder.objects.filter(request_id=old.pk).exists()
    assert CaseEvent.objects.filter(request=recent).count() > 0


def test_refused_and_unverified_cases_are_kept_24_months_too(alice, dpo):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        refused = case_for(alice, datetime(2026, 3, 1, tzinfo=UTC))
        svc.dsar_refuse(request=refused, actor=dpo, reason="Excessive")
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        unverified = case_for(alice, datetime(2026, 9, 1, tzinfo=UTC))
        svc.dsar_transition(request=unverified, to=Status.AWAITING_VERIFICATION, actor=None)
        svc.dsar_transition(request=unverified, to=Status.CLOSED_UNVERIFIED, actor=None)
    report = dsar_cases_purge(now=NOW)
    assert report.cases == 1
    assert list(DataSubjectRequest.objects.values_list("pk", flat=True)) == [unverified.pk]


def test_a_case_whose_person_is_under_a_legal_hold_is_kept(alice, bob, dpo):
    held = _closed(alice, dpo, datetime(2026, 1, 10, tzinfo=UTC))
    by_address = svc.dsar_create(  # a public request naming alice's address, no account
        type=RequestType.ERASURE,
        email=alice.email.upper(),
        jurisdiction="uk",
        channel="staff",
        entered_by=dpo,
        received_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 1, 3, tzinfo=UTC), tick=False):
        svc.dsar_refuse(request=by_address, actor=dpo, reason="Duplicate")
    free = _closed(bob, dpo, datetime(2026, 1, 10, tzinfo=UTC))
    with time_machine.travel(datetime(2028, 1, 1, tzinfo=UTC), tick=False):
        hold = svc.legal_hold_place(subject=alice, reason="Claim 2027-9", actor=dpo)
        expired = svc.legal_hold_place(
            subject=bob, reason="Old claim", actor=dpo, until=date(2028, 3, 1)
        )

    dsar_cases_purge(now=NOW)
    assert set(DataSubjectRequest.objects.values_list("pk", flat=True)) == {
        held.pk,
        by_address.pk,
    }
    assert not DataSubjectRequest.objects.filter(pk=free.pk).exists()
    assert expired.pk  # bob's hold ended in March: it kept nothing

    svc.legal_hold_lift(hold=hold, actor=dpo)
    assert dsar_cases_purge(now=NOW).cases == 2
    assert not DataSubjectRequest.objects.exists()


def test_the_purge_is_set_based_and_chunked_with_counts_logged(alice, dpo, caplog):
    for month in range(1, 6):
        _closed(alice, dpo, datetime(2025, month, 10, tzinfo=UTC))
    assert dsar_cases_purge(now=datetime(2020, 1, 1, tzinfo=UTC)).cases == 0  # too young
    for month in range(6, 11):
        _closed(alice, dpo, datetime(2025, month, 10, tzinfo=UTC))

    caplog.set_level(logging.INFO, logger="dsar.retention.cases")
    with CaptureQueriesContext(connection) as queries:
        report = dsar_cases_purge(now=NOW, chunk_size=4)

    assert (report.cases, report.chunks) == (10, 3)
    assert not DataSubjectRequest.objects.exists()
    # the statements do not grow with the cases: per chunk a claim, the file lists, the
    # exports', events' and reminders' deletes, and the cases' (Django's collector reads the
    # chunk once and repeats the cascade deletes, which find nothing), the same per chunk;
    # erasure adds its pending files and practice notices (deleted) and its certificate and
    # register (kept, their case link set null)
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) % 3 == 0 and len(deletes) // 3 <= 10
    assert len(queries.captured_queries) <= 3 * 18
    assert "chunk 3 deleted 2 cases" in caplog.text
    assert "10 cases" in caplog.text


def test_running_it_twice_changes_nothing_more(alice, dpo):
    _closed(alice, dpo, datetime(2026, 1, 10, tzinfo=UTC))
    assert dsar_cases_purge(now=NOW).cases == 1
    again = dsar_cases_purge(now=NOW)
    assert (again.cases, again.events, again.reminders) == (0, 0, 0)


def test_an_agents_authority_file_is_deleted_with_its_case(
    alice, dpo, django_capture_on_commit_callbacks
):
    case = _closed(alice, dpo, datetime(2026, 1, 10, tzinfo=UTC))
    case.agent_authorisation.save("authority.pdf", ContentFile(b"%PDF-1.4"), save=True)
    stored = case.agent_authorisation.name
    storage = case.agent_authorisation.storage
    assert storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        report = dsar_cases_purge(now=NOW)
    assert report.files == 1
    assert storage.exists(stored)  # not before the deletion is committed
    for callback in after_commit:
        callback()
    assert not storage.exists(stored)


def test_the_purge_is_on_the_beat_schedule_by_name():
    entry = periodic_tasks()[DSAR_PURGE_CLOSED_CASES]
    assert entry["task"] == "dsar.purge_closed_cases"
    assert entry["every"] == 24 * 3600


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once")
def test_two_runs_at_once_share_the_work_and_delete_each_case_once(alice, dpo):
    import threading

    from django.db import connections

    for month in range(1, 7):
        _closed(alice, dpo, datetime(2025, month, 10, tzinfo=UTC))
    start = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            start.wait()
            reports.append(dsar_cases_purge(now=NOW, chunk_size=1))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.cases for r in reports) == 6
    assert not DataSubjectRequest.objects.exists()
