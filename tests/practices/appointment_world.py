"""Published hours for the appointment tests: carol (Riverside) offers consultations on
Mondays 09:00-12:00 in 30-minute slots, online allowed. NOW (tests/practices/conftest.py)
is Monday 2 March 2026 10:00 UTC, so the next Monday's 09:00 is 9 March."""

from __future__ import annotations

from datetime import UTC, datetime, time

from records.models import Service, WeeklyAvailability

NEXT_MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def consultation() -> Service:
    service, _ = Service.objects.get_or_create(
        slug="consultation", defaults={"name": "Consultation", "category": "clinical"}
    )
    return service


def publish_mondays(practice, user, *, online: bool = True) -> WeeklyAvailability:
    membership = practice.memberships.get(user=user, left_at__isnull=True)
    return WeeklyAvailability.objects.create(
        practice=practice,
        membership=membership,
        service=consultation(),
        weekday=0,
        starts_at=time(9),
        ends_at=time(12),
        slot_minutes=30,
        online=online,
    )
