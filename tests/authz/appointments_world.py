"""Appointments in the matrix's world (issue 11): carol publishes hours at Riverside
every day 09:00-17:00 in one-hour slots, and alice booked Rex for 09:00 ten days ahead
(after the share_expired persona's travel, inside the booking window)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone


def appointments_world(*, alice: Any, rex: Any, riverside: Any, carol: Any) -> dict[str, Any]:
    from records.models import Service, WeeklyAvailability
    from records.practices import services as svc

    service, _ = Service.objects.get_or_create(
        slug="consultation", defaults={"name": "Consultation", "category": "clinical"}
    )
    membership = riverside.memberships.get(user=carol, left_at__isnull=True)
    for weekday in range(7):
        hours = WeeklyAvailability.objects.create(
            practice=riverside,
            membership=membership,
            service=service,
            weekday=weekday,
            starts_at=time(9),
            ends_at=time(17),
            slot_minutes=60,
        )
    day = timezone.localdate() + timedelta(days=10)

    def at(hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    appointment = svc.appointment_book(
        owner=alice,
        practice=riverside,
        animal=rex,
        membership_id=membership.pk,
        service_id=service.pk,
        starts_at=at(9),
    )

    def key(hour: int) -> str:
        return f"{membership.pk}|{service.pk}|{at(hour).isoformat()}"

    return {
        "appointment": appointment.pk,
        "appointment_day": day.isoformat(),
        "free_slot": key(10),
        "reschedule_slot": key(11),
        "carol_membership": membership.pk,
        "consultation": service.pk,
        "weekly_hours": hours.pk,
    }
