"""Appointments at the service (issue 11): slots from the weekly pattern and exceptions,
the notice period, online only with a recent VCPR, only animals shared with the practice,
emails with an .ics through the outbox after commit, activity recorded, reminders once."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from records.models import (
    Appointment,
    AppointmentReminder,
    AppointmentStatus,
    AvailabilityException,
    BookingRules,
    EntryKind,
)
from records.practices import access
from records.practices import appointment_selectors as asel
from records.practices import services as svc
from tests.practices.appointment_world import NEXT_MONDAY_9, consultation, publish_mondays
from vetpass.outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def hours(favorite, riverside, carol):
    return publish_mondays(riverside, carol)


def _book(alice, rex, riverside, hours, starts_at=NEXT_MONDAY_9, **kw):
    return svc.appointment_book(
        owner=alice,
        practice=riverside,
        animal=rex,
        membership_id=hours.membership_id,
        service_id=hours.service_id,
        starts_at=starts_at,
        **kw,
    )


def _examine(carol, rex, riverside, days_ago):
    vis = access.practice_visibility(carol, rex, riverside)
    svc.clinical_entry_create(
        vis=vis,
        author=carol,
        kind=EntryKind.EXAMINATION,
        occurred_on=NEXT_MONDAY_9.date() - timedelta(days=7 + days_ago),
        notes="Examined.",
    )


def test_slots_follow_the_weekly_pattern_and_exceptions(hours, riverside, carol):
    monday = NEXT_MONDAY_9.date()
    slots = asel.practice_slots(riverside, day_from=monday)
    assert [s.starts_at.time() for s in slots] == [
        time(9),
        time(9, 30),
        time(10),
        time(10, 30),
        time(11),
        time(11, 30),
    ]
    assert asel.practice_slots(riverside, day_from=monday + timedelta(days=1)) == []
    AvailabilityException.objects.create(
        practice=riverside, membership=hours.membership, date=monday, closed=True
    )
    AvailabilityException.objects.create(
        practice=riverside,
        membership=hours.membership,
        date=monday + timedelta(days=1),
        service=consultation(),
        starts_at=time(14),
        ends_at=time(15),
        slot_minutes=60,
    )
    assert asel.practice_slots(riverside, day_from=monday) == []
    extra = asel.practice_slots(riverside, day_from=monday + timedelta(days=1))
    assert [(s.starts_at.hour, s.ends_at.hour, s.staff_name) for s in extra] == [
        (14, 15, "Carol Vet")
    ]


def test_booking_takes_the_slot_and_cancelling_frees_it(alice, rex, riverside, hours):
    appointment = _book(alice, rex, riverside, hours)
    free = {s.starts_at for s in asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())}
    assert NEXT_MONDAY_9 not in free
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours)
    assert "just been booked" in exc.value.message_dict["starts_at"][0]
    svc.appointment_cancel(appointment=appointment, by=alice)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    free = {s.starts_at for s in asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())}
    assert NEXT_MONDAY_9 in free


def test_a_time_the_practice_does_not_offer_is_refused(alice, rex, riverside, hours):
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours, starts_at=NEXT_MONDAY_9 + timedelta(minutes=10))
    assert "starts_at" in exc.value.message_dict
    assert not Appointment.objects.exists()


def test_booking_inside_the_notice_period_is_refused(alice, rex, riverside, hours, time_machine):
    BookingRules.objects.create(practice=riverside, notice_hours=48)
    time_machine.move_to(NEXT_MONDAY_9 - timedelta(hours=47), tick=False)
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours)
    assert "48 hours' notice to book" in exc.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists()


def test_cancel_and_move_inside_the_notice_period_are_refused(
    alice, rex, riverside, hours, time_machine
):
    appointment = _book(alice, rex, riverside, hours)
    time_machine.move_to(NEXT_MONDAY_9 - timedelta(hours=23), tick=False)
    with pytest.raises(ValidationError) as exc:
        svc.appointment_cancel(appointment=appointment, by=alice)
    assert "24 hours' notice to cancel" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as exc:
        svc.appointment_reschedule(
            appointment=appointment, by=alice, starts_at=NEXT_MONDAY_9 + timedelta(hours=1)
        )
    assert "24 hours' notice to move" in exc.value.message_dict["starts_at"][0]
    appointment.refresh_from_db()
    assert appointment.is_live and appointment.starts_at == NEXT_MONDAY_9


def test_reschedule_moves_to_a_free_slot(alice, rex, riverside, hours):
    appointment = _book(alice, rex, riverside, hours)
    later = NEXT_MONDAY_9 + timedelta(hours=1)
    svc.appointment_reschedule(appointment=appointment, by=alice, starts_at=later)
    appointment.refresh_from_db()
    assert appointment.starts_at == later and appointment.sequence == 1
    free = {s.starts_at for s in asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())}
    assert NEXT_MONDAY_9 in free and later not in free


def test_online_is_refused_without_a_recent_vcpr_with_an_in_clinic_offer(
    alice, rex, riverside, hours, carol
):
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours, mode="online")
    message = exc.value.message_dict["mode"][0]
    assert "not yet examined there" in message
    assert "book this time in the clinic instead" in message
    _examine(carol, rex, riverside, days_ago=400)
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours, mode="online")
    assert "last examined there on" in exc.value.message_dict["mode"][0]
    assert not Appointment.objects.exists()
    # the offer: the same time in the clinic is bookable
    assert _book(alice, rex, riverside, hours, mode="clinic").mode == "clinic"


def test_online_is_allowed_after_a_recent_examination(alice, rex, riverside, hours, carol):
    _examine(carol, rex, riverside, days_ago=30)
    assert _book(alice, rex, riverside, hours, mode="online").mode == "online"


def test_an_animal_not_shared_with_the_practice_is_not_found(
    alice, bob, tom, rex, riverside, hours, favorite
):
    with pytest.raises(Http404):
        asel.get_bookable_animal(bob, riverside, tom.pk)
    with pytest.raises(Http404):  # alice's own lookup of bob's animal
        asel.get_bookable_animal(alice, riverside, tom.pk)
    svc.favorite_delete(favorite=favorite)
    with pytest.raises(Http404):
        asel.get_bookable_animal(alice, riverside, rex.pk)
    with pytest.raises(ValidationError):
        _book(alice, rex, riverside, hours)


def test_a_restricted_owner_cannot_book(alice, rex, riverside, hours, now):
    alice.restricted_at = now
    alice.save(update_fields=["restricted_at"])
    with pytest.raises(ValidationError) as exc:
        _book(alice, rex, riverside, hours)
    assert "restricted" in exc.value.message_dict["animal"][0]


def test_booking_records_activity(alice, rex, riverside, hours, now, time_machine):
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    _book(alice, rex, riverside, hours)
    alice.refresh_from_db()
    assert alice.last_activity_kind == "booking"
    assert alice.last_activity_at == now + timedelta(minutes=5)


def test_emails_with_ics_are_enqueued_and_dispatched_after_commit(
    alice, rex, riverside, hours, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment = _book(alice, rex, riverside, hours)
        row = OutboxEmail.objects.get()
        assert row.to == ["alice@example.com"]
        assert "Appointment booked" in row.subject
        (ics,) = row.attachments
        assert ics["mimetype"] == "text/calendar"
        text = base64.b64decode(ics["content"]).decode()
        assert "BEGIN:VEVENT" in text and "DTSTART:20260309T090000Z" in text
        assert mailoutbox == []  # nothing leaves before commit
    assert callbacks  # the dispatch is an after-commit hook
    with django_capture_on_commit_callbacks(execute=False):
        svc.appointment_cancel(appointment=appointment, by=alice)
    cancelled = OutboxEmail.objects.order_by("-pk").first()
    assert "cancelled" in cancelled.subject
    text = base64.b64decode(cancelled.attachments[0]["content"]).decode()
    assert "METHOD:CANCEL" in text and "SEQUENCE:1" in text


def test_a_failed_booking_enqueues_nothing(alice, rex, riverside, hours, monkeypatch):
    def boom(**kw):
        raise RuntimeError("email template broke")

    monkeypatch.setattr("records.practices.services.appointments.appointment_email_send", boom)
    with pytest.raises(RuntimeError):
        _book(alice, rex, riverside, hours)
    assert not Appointment.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_the_reminder_is_sent_once(alice, rex, riverside, hours, time_machine):
    appointment = _book(alice, rex, riverside, hours)
    assert svc.appointment_reminders_send() == 0  # a week ahead: not yet
    time_machine.move_to(NEXT_MONDAY_9 - timedelta(hours=23), tick=False)
    assert svc.appointment_reminders_send() == 1
    assert svc.appointment_reminders_send() == 0
    assert AppointmentReminder.objects.get().appointment == appointment
    subjects = list(OutboxEmail.objects.values_list("subject", flat=True))
    assert sum("Reminder" in s for s in subjects) == 1


def test_reminders_go_in_batches_whose_queries_do_not_grow_with_the_batch(
    alice, rex, riverside, hours, time_machine
):
    """Claim, reminder rows, the appointments with what the email names, the outbox rows:
    the same statements for one reminder or a batch of many."""
    for i in range(6):  # 09:00 to 12:00 on Monday, every 30 minutes
        _book(alice, rex, riverside, hours, starts_at=NEXT_MONDAY_9 + timedelta(minutes=30 * i))
    time_machine.move_to(NEXT_MONDAY_9 - timedelta(hours=20), tick=False)
    with CaptureQueriesContext(connection) as ctx:
        assert svc.appointment_reminders_send(batch=2) == 6  # three batches of 2
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # Per batch at most: claim, reminder rows, appointments, outbox rows (on PostgreSQL the
    # outbox writes many rows on the raw psycopg cursor, out of Django's count); then an
    # empty claim. One by one, six reminders took 19.
    assert len(statements) <= 3 * 4 + 1
    assert AppointmentReminder.objects.count() == 6
    reminders = OutboxEmail.objects.filter(subject__contains="Reminder")
    assert reminders.count() == 6
    assert all(r.attachments[0]["filename"] == "appointment.ics" for r in reminders)
    assert svc.appointment_reminders_send() == 0


def test_no_reminder_for_a_cancelled_appointment(alice, rex, riverside, hours, time_machine):
    appointment = _book(alice, rex, riverside, hours)
    svc.appointment_cancel(appointment=appointment, by=alice)
    time_machine.move_to(NEXT_MONDAY_9 - timedelta(hours=2), tick=False)
    assert svc.appointment_reminders_send() == 0


def test_the_reminder_beat_entry_is_defined_in_code():
    from vetpass.schedule import APPOINTMENT_REMINDERS, periodic_tasks

    assert periodic_tasks()[APPOINTMENT_REMINDERS]["task"] == "records.appointment_reminders"


def test_the_day_list_shows_only_the_practice_s_appointments_and_logs_reads(
    alice, rex, riverside, hours, carol, dave
):
    from records.models import AccessRead
    from records.practices import selectors as sel

    _book(alice, rex, riverside, hours)
    membership = sel.get_membership(carol, riverside.pk)
    rows = asel.practice_day_list(carol, membership, NEXT_MONDAY_9.date())
    assert [(r.animal.name, r.client_name) for r in rows] == [("Rex", "Alice Owner")]
    assert AccessRead.objects.filter(viewer=carol, view="appointments day list").count() == 1
    with pytest.raises(Http404):
        sel.get_membership(dave, riverside.pk)


def test_exclusion_constraint_refuses_an_overlap_written_around_the_service(
    alice, rex, riverside, hours
):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    first = _book(alice, rex, riverside, hours)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            practice=riverside,
            membership_id=first.membership_id,
            service_id=first.service_id,
            owner=alice,
            animal=rex,
            starts_at=NEXT_MONDAY_9 + timedelta(minutes=15),
            ends_at=NEXT_MONDAY_9 + timedelta(minutes=45),
        )
    first.status = AppointmentStatus.CANCELLED
    first.save()
    Appointment.objects.create(  # a cancelled one does not hold the time
        practice=riverside,
        membership_id=first.membership_id,
        service_id=first.service_id,
        owner=alice,
        animal=rex,
        starts_at=NEXT_MONDAY_9,
        ends_at=NEXT_MONDAY_9 + timedelta(minutes=30),
    )
    assert datetime(2026, 3, 9, tzinfo=UTC) < NEXT_MONDAY_9


def test_the_day_list_costs_the_same_queries_for_one_appointment_or_many(
    alice, rex, riverside, hours, carol
):
    """Rule 1 and rule 2 for every row (the animal seen through a favorite, one access-log
    row each), in statements that do not grow with the day's appointments."""
    from tests.conftest import client_for

    vet = client_for(carol)
    url = f"/workspace/{riverside.pk}/appointments/?date={NEXT_MONDAY_9.date():%Y-%m-%d}"

    def statements() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = vet.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _book(alice, rex, riverside, hours)
    vet.get(url)  # the session, the account and the policy versions are cached first
    one = statements()
    for i in range(1, 5):
        _book(alice, rex, riverside, hours, starts_at=NEXT_MONDAY_9 + timedelta(minutes=30 * i))
    many = statements()
    assert many == one
    from records.models import AccessRead

    assert AccessRead.objects.filter(view="appointments day list", viewer=carol).exists()
