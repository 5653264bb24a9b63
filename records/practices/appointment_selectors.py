"""Reads for appointments (issue 11): the free slots a practice offers, the animals an
owner may book for (those shared with the practice through a favorite the ledger still
grants: rule 1), the owner's appointments, and the vet's day list (access-logged: rule 2).

Slots are generated, never stored: the weekly pattern of each staff member, minus the
dates they are closed, plus their extra hours, minus the times already booked and the
times inside the practice's notice period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vetpass.accounts.models import User

from ..models import (
    Animal,
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    BookingRules,
    Favorite,
    Practice,
    PracticeMembership,
    Service,
    WeeklyAvailability,
)
from . import access
from .selectors import vcpr_date


@dataclass(frozen=True)
class Rules:
    notice_hours: int
    vcpr_days: int


def booking_rules(practice: Practice) -> Rules:
    row = BookingRules.objects.filter(practice=practice).first()
    if row is None:
        return Rules(settings.APPOINTMENT_NOTICE_HOURS, settings.APPOINTMENT_VCPR_DAYS)
    return Rules(row.notice_hours, row.vcpr_days)


@dataclass(frozen=True)
class Slot:
    membership_id: int
    staff_name: str
    service_id: int
    service_name: str
    starts_at: datetime
    ends_at: datetime
    online: bool

    @property
    def key(self) -> str:
        """How a form or the API names the slot: staff member, service and start."""
        return f"{self.membership_id}|{self.service_id}|{self.starts_at.isoformat()}"


def _at(day: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


def _cut(
    day: date,
    starts: time,
    ends: time,
    minutes: int,
    membership: PracticeMembership,
    service: Service,
    online: bool,
) -> list[Slot]:
    out = []
    start, end, step = _at(day, starts), _at(day, ends), timedelta(minutes=minutes)
    while start + step <= end:
        out.append(
            Slot(
                membership.pk,
                membership.user.display_name,
                service.pk,
                service.name,
                start,
                start + step,
                online,
            )
        )
        start += step
    return out


def practice_slots(
    practice: Practice,
    *,
    day_from: date,
    days: int = 1,
    service_id: int | None = None,
    membership_id: int | None = None,
    ignore: Appointment | None = None,
) -> list[Slot]:
    """The free slots of the practice from `day_from` for `days` days, earliest first.
    `ignore`: an appointment being moved, whose own time counts as free."""
    days = max(1, min(days, settings.APPOINTMENT_BOOKING_DAYS))
    if day_from > timezone.localdate() + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS):
        return []  # beyond the booking window (and never near date.max)
    day_to = day_from + timedelta(days=days)
    weekly = WeeklyAvailability.objects.filter(
        practice=practice, membership__left_at__isnull=True
    ).select_related("membership__user", "service")
    extra = AvailabilityException.objects.filter(
        practice=practice, membership__left_at__isnull=True, date__gte=day_from, date__lt=day_to
    ).select_related("membership__user", "service")
    if service_id is not None:
        weekly = weekly.filter(service_id=service_id)
    if membership_id is not None:
        weekly = weekly.filter(membership_id=membership_id)
        extra = extra.filter(membership_id=membership_id)
    weekly_rows, extra_rows = list(weekly), list(extra)
    closed = {(e.membership_id, e.date) for e in extra_rows if e.closed}
    slots: list[Slot] = []
    for n in range(days):
        day = day_from + timedelta(days=n)
        for w in weekly_rows:
            if w.weekday == day.weekday() and (w.membership_id, day) not in closed:
                slots += _cut(
                    day, w.starts_at, w.ends_at, w.slot_minutes, w.membership, w.service, w.online
                )
    for e in extra_rows:
        if e.closed or e.service is None or e.starts_at is None or e.ends_at is None:
            continue
        if service_id is not None and e.service_id != service_id:
            continue
        slots += _cut(
            e.date, e.starts_at, e.ends_at, e.slot_minutes, e.membership, e.service, e.online
        )
    earliest = timezone.now() + timedelta(hours=booking_rules(practice).notice_hours)
    booked = Appointment.objects.filter(
        practice=practice,
        status=AppointmentStatus.BOOKED,
        starts_at__lt=_at(day_to, time()),
        ends_at__gt=_at(day_from, time()),
    )
    if ignore is not None:
        booked = booked.exclude(pk=ignore.pk)
    taken: dict[int, list[tuple[datetime, datetime]]] = {}
    for membership, starts, ends in booked.values_list("membership_id", "starts_at", "ends_at"):
        taken.setdefault(membership, []).append((starts, ends))

    def free(slot: Slot) -> bool:
        return slot.starts_at >= earliest and not any(
            s < slot.ends_at and slot.starts_at < e for s, e in taken.get(slot.membership_id, [])
        )

    unique = {(s.membership_id, s.starts_at): s for s in slots if free(s)}
    return sorted(unique.values(), key=lambda s: (s.starts_at, s.staff_name))


def find_slot(
    practice: Practice,
    *,
    membership_id: int,
    service_id: int,
    starts_at: datetime,
    ignore: Appointment | None = None,
) -> Slot | None:
    """The free slot with exactly this staff member, service and start, if there is one."""
    day = timezone.localtime(starts_at).date()
    for slot in practice_slots(
        practice,
        day_from=day,
        service_id=service_id,
        membership_id=membership_id,
        ignore=ignore,
    ):
        if slot.starts_at == starts_at:
            return slot
    return None


def favorite_sharing(practice: Practice, animal: Animal) -> Favorite | None:
    """The owner's favorite of the practice that shares this animal now (the ledger asked
    at this moment, rule 4), or None."""
    return (
        access.granting_favorites([practice.pk])
        .filter(owner_id=animal.owner_id)
        .filter(Q(all_animals=True) | Q(animals=animal))
        .first()
    )


def bookable_animals(owner: User, practice: Practice) -> list[Animal]:
    """The owner's animals shared with the practice: the ones they may book for."""
    favorites = access.granting_favorites([practice.pk]).filter(owner_id=owner.pk)
    if favorites.filter(all_animals=True).exists():
        qs = Animal.objects.filter(owner=owner)
    else:
        qs = Animal.objects.filter(owner=owner, favorites__in=favorites.values("pk"))
    return list(qs.select_related("species").distinct().order_by("name"))


def get_bookable_animal(owner: User, practice: Practice, pk: object) -> Animal:
    """The owner's animal, shared with the practice, or 404: an animal that is not shared
    with it cannot be booked there, and the page does not say whether it exists."""
    try:
        animal = Animal.objects.select_related("owner").get(pk=pk, owner_id=owner.pk)  # type: ignore[misc]
    except (Animal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such animal.") from None
    if favorite_sharing(practice, animal) is None:
        raise Http404("No such animal.")
    return animal


def online_check(practice: Practice, animal: Animal) -> tuple[bool, date | None, int]:
    """(online allowed, the VCPR date, the practice's period in days): online only when
    the practice examined the animal within its period."""
    rules = booking_rules(practice)
    examined = vcpr_date(practice, animal)
    allowed = examined is not None and examined >= timezone.localdate() - timedelta(
        days=rules.vcpr_days
    )
    return allowed, examined, rules.vcpr_days


def owner_appointments(owner: User) -> QuerySet[Appointment]:
    return Appointment.objects.filter(owner=owner).select_related(
        "practice", "animal", "service", "membership__user"
    )


def get_owner_appointment(owner: User, pk: object) -> Appointment:
    try:
        return owner_appointments(owner).get(pk=pk)  # type: ignore[misc]
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None


@dataclass
class DayRow:
    appointment: Appointment
    # None when the owner no longer shares the animal with the practice: the time stays
    # on the list, but not who or what it is for.
    animal: Animal | None
    client_name: str | None


def practice_day_list(user: User, membership: PracticeMembership, day: date) -> list[DayRow]:
    """The practice's live appointments on `day`, earliest first. Each animal shown is
    one the practice sees now (rule 1); each is one access-log row (rule 2), written in
    one INSERT."""
    practice = membership.practice
    rows = list(
        Appointment.objects.filter(
            practice=practice,
            status=AppointmentStatus.BOOKED,
            starts_at__gte=_at(day, time()),
            starts_at__lt=_at(day + timedelta(days=1), time()),
        ).select_related("animal", "owner", "service", "membership__user")
    )
    owners = {a.owner_id for a in rows}
    favorites = list(
        access.granting_favorites([practice.pk])
        .filter(owner_id__in=owners)
        .prefetch_related("animals")
    )
    out: list[DayRow] = []
    logs: list[tuple[object, int, int | None]] = []
    for a in rows:
        via = next(
            (
                f
                for f in favorites
                if f.owner_id == a.owner_id
                and (f.all_animals or any(x.pk == a.animal_id for x in f.animals.all()))
            ),
            None,
        )
        if via is None:
            out.append(DayRow(a, None, None))
            continue
        name = a.owner.display_name if via.share_profile else None
        out.append(DayRow(a, a.animal, name))
        logs.append((via, a.owner_id, a.animal_id))
    if logs:
        access.log_reads(user, logs, "appointments day list")
    return out


def practice_hours(practice: Practice) -> QuerySet[WeeklyAvailability]:
    return WeeklyAvailability.objects.filter(practice=practice).select_related(
        "membership__user", "service"
    )


def practice_hours_exceptions(practice: Practice) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(
        practice=practice, date__gte=timezone.localdate()
    ).select_related("membership__user", "service")
