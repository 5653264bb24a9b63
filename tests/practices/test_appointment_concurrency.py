"""Double booking is impossible (issue 11): two owners book one slot at the same moment,
each on its own PostgreSQL connection. Both pass the service's check before either
writes (a barrier holds them there), so the exclusion constraint decides: exactly one
wins, and the other gets the same clear field error at every door, never a 500."""

from __future__ import annotations

import queue
import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from records.models import Appointment, Service, WeeklyAvailability
from records.practices import appointment_selectors as asel
from records.practices import services as svc
from records.practices.services.appointments import TAKEN
from tests.dsar.concurrency import twice_at_once
from tests.factories import AnimalFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = [
    # serialized_rollback: the flush after this test must not take the services and the
    # other rows the migrations put in with it (tests/practices/test_demo.py needs them).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once"),
]


@pytest.fixture
def race(reference_data, monkeypatch):
    riverside = PracticeFactory(name="Riverside Vets")
    carol = UserFactory(email="carol.vet@example.com", full_name="Carol Vet")
    membership = MembershipFactory(practice=riverside, user=carol)
    service, _ = Service.objects.get_or_create(
        slug="consultation", defaults={"name": "Consultation", "category": "clinical"}
    )
    day = timezone.localdate() + timedelta(days=3)
    WeeklyAvailability.objects.create(
        practice=riverside,
        membership=membership,
        service=service,
        weekday=day.weekday(),
        starts_at=time(9),
        ends_at=time(13),
        slot_minutes=30,
    )
    owners = []
    for name in ("alice", "bob"):
        owner = UserFactory(email=f"{name}@example.com")
        AnimalFactory(owner=owner, name=f"{name}'s dog")
        svc.favorite_create(owner=owner, practice=riverside)
        owners.append(owner)
    (slot, *_) = asel.practice_slots(riverside, day_from=day)

    # Both bookings see the slot free before either writes.
    both_checked = threading.Barrier(2, timeout=30)
    find_slot = asel.find_slot

    def find_slot_then_wait(*args, **kwargs):
        found = find_slot(*args, **kwargs)
        both_checked.wait()
        return found

    monkeypatch.setattr(asel, "find_slot", find_slot_then_wait)
    people: queue.Queue = queue.Queue()
    for owner in owners:
        people.put(owner)
    return riverside, slot, people, day


def book_slot(owner, practice, slot):
    """The owner books her one animal into `slot` through the service."""
    return svc.appointment_book(
        owner=owner,
        practice=practice,
        animal=owner.animals.get(),
        membership_id=slot.membership_id,
        service_id=slot.service_id,
        starts_at=slot.starts_at,
    )


def test_service_two_bookings_of_one_slot_exactly_one_wins(race):
    from django.core.exceptions import ValidationError

    riverside, slot, people, _ = race

    def book():
        owner = people.get()
        try:
            return book_slot(owner, riverside, slot)
        except ValidationError as exc:
            return ("refused", exc)  # twice_at_once fails on a raised or returned exception

    results = twice_at_once(book)
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r[1] for r in results if isinstance(r, tuple)]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].message_dict == {"starts_at": [TAKEN]}
    assert Appointment.objects.filter(status="booked").count() == 1


def test_race_after_race_never_deadlocks(race):
    """Two inserts into one diary that each wait for the other inside the exclusion
    check are a deadlock to PostgreSQL (a 500 for the loser, seen in CI). Bookings for
    one staff member queue on the member's row first, so each round ends one booked,
    one refused. The window is narrow; eight rounds make a miss likely to show."""
    from django.core.exceptions import ValidationError

    riverside, _, people, day = race
    owners = [people.get(), people.get()]
    slots = asel.practice_slots(riverside, day_from=day)
    assert len(slots) == 8

    for slot in slots:
        for owner in owners:
            people.put(owner)

        def book(slot=slot):
            owner = people.get()
            try:
                return book_slot(owner, riverside, slot)
            except ValidationError as exc:
                return ("refused", exc)

        results = twice_at_once(book)
        assert sorted(type(r).__name__ for r in results) == ["Appointment", "tuple"]
    assert Appointment.objects.filter(status="booked").count() == 8


def test_a_second_booking_waits_for_the_diary_before_it_writes(race):
    """The deterministic half of the race above: while one booking's transaction is still
    open, the other waits on the staff member's row and has written nothing. Had it
    inserted first and waited inside the exclusion check, the first could end up
    waiting for it in turn, which is the deadlock."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    riverside, slot, people, _ = race
    release = threading.Event()
    outcomes: list[object] = []

    def book():
        owner = people.get()
        try:
            with transaction.atomic():
                book_slot(owner, riverside, slot)
                release.wait(30)
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(exc.message_dict)
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    waiting: list[str] = []
    try:
        for _ in range(300):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT query FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                waiting = [row[0] for row in cursor.fetchall()]
            if waiting:
                break
            threading.Event().wait(0.05)
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(waiting) == 1, waiting
    assert "FOR NO KEY UPDATE" in waiting[0] and "INSERT" not in waiting[0], waiting[0]
    assert sorted(map(str, outcomes)) == sorted(["booked", str({"starts_at": [TAKEN]})])


def test_api_two_bookings_of_one_slot_one_201_and_one_field_error(race):
    riverside, slot, people, _ = race

    def book():
        owner = people.get()
        client = Client()
        client.force_login(owner, backend="vetpass.accounts.backends.ModelBackend")
        return client.post(
            "/api/v1/appointments/",
            {
                "practice": riverside.pk,
                "animal": owner.animals.get().pk,
                "slot": slot.key,
                "mode": "clinic",
            },
            content_type="application/json",
        )

    responses = twice_at_once(book)
    assert sorted(r.status_code for r in responses) == [201, 400]
    lost = next(r for r in responses if r.status_code == 400)
    assert lost.json()["error"]["fields"]["starts_at"] == [TAKEN]
    assert Appointment.objects.count() == 1


def test_web_two_bookings_of_one_slot_one_booked_and_one_field_error(race):
    riverside, slot, people, day = race

    def book():
        owner = people.get()
        client = Client()
        client.force_login(owner, backend="vetpass.accounts.backends.ModelBackend")
        return client.post(
            f"/practices/{riverside.pk}/book/",
            {
                "animal": owner.animals.get().pk,
                "slot": slot.key,
                "mode": "clinic",
                "date": day.isoformat(),
            },
        )

    responses = twice_at_once(book)
    assert sorted(r.status_code for r in responses) == [200, 302]
    lost = next(r for r in responses if r.status_code == 200)
    assert "just been booked by someone else" in lost.content.decode()
    assert Appointment.objects.count() == 1
