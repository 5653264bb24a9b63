"""Every door of appointments obeys the service (issue 11): the web form and the API
give the same answers — the in-clinic offer when online is refused, 404 for an animal not
shared with the practice, the day list only for the practice's own staff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from records.models import AccessLog, Appointment
from records.practices import appointment_selectors as asel
from tests.conftest import client_for
from tests.practices.appointment_world import NEXT_MONDAY_9, publish_mondays

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(favorite, riverside, carol):
    publish_mondays(riverside, carol)
    return asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())[0]


def test_web_online_refused_shows_the_reason_and_the_in_clinic_offer(
    alice_client, rex, riverside, slot
):
    response = alice_client.post(
        f"/practices/{riverside.pk}/book/",
        {"animal": rex.pk, "slot": slot.key, "mode": "online", "date": "2026-03-09"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "not yet examined there" in html
    assert "Book this time in the clinic" in html
    assert not Appointment.objects.exists()
    response = alice_client.post(
        f"/practices/{riverside.pk}/book/",
        {"animal": rex.pk, "slot": slot.key, "mode": "clinic", "date": "2026-03-09"},
    )
    assert response.status_code == 302
    assert Appointment.objects.get().mode == "clinic"


def test_api_online_refused_gives_a_field_error_and_the_offer(alice_client, rex, riverside, slot):
    response = alice_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": rex.pk, "slot": slot.key, "mode": "online"},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "book this time in the clinic instead" in error["fields"]["mode"][0]
    assert error["offer"] == {"mode": "clinic"}


def test_api_notice_period_refusal_is_a_field_error(
    alice_client, rex, riverside, slot, time_machine
):
    time_machine.move_to(slot.starts_at - timedelta(hours=2), tick=False)
    response = alice_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": rex.pk, "slot": slot.key},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "notice" in response.json()["error"]["fields"]["starts_at"][0]


def test_an_animal_not_shared_is_404_at_both_doors(bob, tom, riverside, slot):
    bob_client = client_for(bob)
    assert bob_client.get(f"/practices/{riverside.pk}/book/?animal={tom.pk}").status_code == 404
    web = bob_client.post(
        f"/practices/{riverside.pk}/book/",
        {"animal": tom.pk, "slot": slot.key, "mode": "clinic", "date": "2026-03-09"},
    )
    assert web.status_code == 404
    api = bob_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": tom.pk, "slot": slot.key},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not Appointment.objects.exists()


def test_another_practice_s_staff_cannot_see_the_day_list(
    alice_client, rex, riverside, slot, carol, dave
):
    alice_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": rex.pk, "slot": slot.key},
        content_type="application/json",
    )
    assert Appointment.objects.count() == 1
    url = f"/workspace/{riverside.pk}/appointments/?date=2026-03-09"
    api = f"/api/v1/workspace/{riverside.pk}/appointments/?date=2026-03-09"
    dave_client = client_for(dave)
    assert dave_client.get(url).status_code == 404
    assert dave_client.get(api).status_code == 404
    assert not AccessLog.objects.filter(viewer=dave).exists()
    carol_client = client_for(carol)
    assert "Rex" in carol_client.get(url).content.decode()
    rows = carol_client.get(api).json()["results"]
    assert [(r["animal_name"], r["client_name"]) for r in rows] == [("Rex", "Alice Owner")]


def test_the_day_list_hides_an_animal_no_longer_shared(
    alice_client, rex, riverside, slot, carol, favorite
):
    from records.practices import services as svc

    alice_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": rex.pk, "slot": slot.key},
        content_type="application/json",
    )
    svc.favorite_delete(favorite=favorite)
    rows = (
        client_for(carol)
        .get(f"/api/v1/workspace/{riverside.pk}/appointments/?date=2026-03-09")
        .json()["results"]
    )
    assert [(r["animal_name"], r["client_name"]) for r in rows] == [(None, None)]


def test_owner_moves_and_cancels_through_the_api(alice_client, rex, riverside, slot, bob):
    booked = alice_client.post(
        "/api/v1/appointments/",
        {"practice": riverside.pk, "animal": rex.pk, "slot": slot.key},
        content_type="application/json",
    ).json()
    later = asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())[-1]
    moved = alice_client.post(
        f"/api/v1/appointments/{booked['id']}/reschedule/",
        {"slot": later.key},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["starts_at"].startswith("2026-03-09T11:30")
    assert client_for(bob).post(f"/api/v1/appointments/{booked['id']}/cancel/").status_code == 404
    cancelled = alice_client.post(f"/api/v1/appointments/{booked['id']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"


def test_a_day_no_calendar_reaches_is_a_field_error_not_a_500(alice_client, carol, riverside):
    api = alice_client.get(f"/api/v1/practices/{riverside.pk}/slots/?date=9999-12-31")
    assert api.status_code == 400 and "date" in api.json()["error"]["fields"]
    assert alice_client.get(f"/practices/{riverside.pk}/book/?date=9999-12-31").status_code == 200
    staff = client_for(carol)
    assert staff.get(f"/workspace/{riverside.pk}/appointments/?date=9999-12-31").status_code == 200
    api = staff.get(f"/api/v1/workspace/{riverside.pk}/appointments/?date=9999-12-31")
    assert api.status_code == 400


def test_the_practice_admin_publishes_hours_and_owners_see_the_slots(
    riverside, carol, favorite, now
):
    from records.models import WeeklyAvailability
    from tests.factories import MembershipFactory, UserFactory
    from tests.practices.appointment_world import consultation

    admin = UserFactory(email="pam.admin@example.com")
    MembershipFactory(practice=riverside, user=admin, is_practice_admin=True)
    membership = riverside.memberships.get(user=carol)
    client = client_for(admin)
    url = f"/workspace/{riverside.pk}/hours/"
    bad = client.post(
        url,
        {
            "weekly": "1",
            "weekly-membership": membership.pk,
            "weekly-service": consultation().pk,
            "weekly-weekday": "0",
            "weekly-starts_at": "12:00",
            "weekly-ends_at": "09:00",
            "weekly-slot_minutes": "30",
        },
    )
    assert bad.status_code == 200 and "end after they start" in bad.content.decode()
    assert not WeeklyAvailability.objects.exists()
    ok = client.post(
        url,
        {
            "weekly": "1",
            "weekly-membership": membership.pk,
            "weekly-service": consultation().pk,
            "weekly-weekday": "0",
            "weekly-starts_at": "09:00",
            "weekly-ends_at": "10:00",
            "weekly-slot_minutes": "30",
        },
    )
    assert ok.status_code == 302
    assert len(asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date())) == 2
    closed = client.post(
        f"/api/v1/workspace/{riverside.pk}/hours/exceptions/",
        {"membership": membership.pk, "date": "2026-03-09", "closed": True},
        content_type="application/json",
    )
    assert closed.status_code == 201
    assert asel.practice_slots(riverside, day_from=NEXT_MONDAY_9.date()) == []
    assert client_for(carol).get(url).status_code == 404  # staff, not the administrator
