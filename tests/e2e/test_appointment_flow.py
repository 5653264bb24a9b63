"""Real browser (issue 11): the owner books a slot; the vet sees it on the day list; the
owner cancels; the slot is free again (on the owner's booking page and the vet's list)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from records.models import Appointment, Service, WeeklyAvailability
from records.practices import services as svc
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, AnimalFactory, MembershipFactory, PracticeFactory, UserFactory


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.mark.e2e
def test_owner_books_vet_sees_it_owner_cancels_and_the_slot_is_free_again(
    live_server, e2e_data, new_page
):
    alice = verified(UserFactory(email="alice@example.com", full_name="Alice Owner"))
    rex = AnimalFactory(owner=alice, name="Rex")
    riverside = PracticeFactory(name="Riverside Vets")
    carol = verified(UserFactory(email="carol.vet@example.com", full_name="Carol Vet"))
    membership = MembershipFactory(practice=riverside, user=carol)
    svc.favorite_create(owner=alice, practice=riverside)
    service, _ = Service.objects.get_or_create(
        slug="consultation", defaults={"name": "Consultation", "category": "clinical"}
    )
    for weekday in range(7):
        WeeklyAvailability.objects.create(
            practice=riverside,
            membership=membership,
            service=service,
            weekday=weekday,
            starts_at=time(9),
            ends_at=time(12),
            slot_minutes=60,
        )
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    slot_label = "10:00, Consultation with Carol Vet"

    owner = new_page()
    sign_in(owner, live_server, alice.email, PASSWORD)
    owner.goto(f"{live_server.url}/practices/{riverside.pk}/book/?date={day}")
    owner.get_by_role("heading", name="Book an appointment at Riverside Vets").wait_for()
    owner.get_by_label(slot_label).check()
    owner.get_by_label("In the clinic").check()
    owner.click("form button[type=submit]:has-text('Book')")
    owner.get_by_role("heading", name="Your appointments").wait_for()
    assert "Rex" in owner.locator("table").first.inner_text()
    assert Appointment.objects.filter(animal=rex, status="booked").count() == 1

    vet = new_page()
    sign_in(vet, live_server, carol.email, PASSWORD)
    vet.goto(f"{live_server.url}/workspace/{riverside.pk}/appointments/?date={day}")
    row = vet.locator("tbody tr", has_text="Rex")
    row.wait_for()
    assert "10:00" in row.inner_text() and "Alice Owner" in row.inner_text()

    owner.get_by_role("link", name="Cancel the appointment for Rex").click()
    owner.get_by_role("heading", name="Cancel the appointment").wait_for()
    owner.click("form button[type=submit]:has-text('Cancel the appointment')")
    owner.get_by_text("No appointments coming up.").wait_for()

    owner.goto(f"{live_server.url}/practices/{riverside.pk}/book/?date={day}")
    owner.get_by_label(slot_label).wait_for()  # free again

    vet.reload()
    vet.get_by_text("No appointments on this day.").wait_for()
