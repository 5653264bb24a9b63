"""Appointments (issue 11): owners book, move and cancel a practice's slots for an animal
shared with it, within the practice's rules.

- Only a slot the practice offers (records.practices.appointment_selectors.practice_slots),
  for an animal shared with the practice through a favorite the ledger grants now.
- Not later than the practice's notice period before the appointment (book, move, cancel).
- Online (video) only when the practice examined the animal within its VCPR period;
  otherwise the refusal says so and offers the same time in the clinic.
- Never two live appointments of one staff member at once: checked here, and on
  PostgreSQL refused by the exclusion constraint, which decides between two bookings
  made at the same moment (the loser gets the same field error as the check).
- A restricted owner (Art. 18) cannot book or move: that would be new processing.
- Each change emails the owner (through the outbox, with an .ics) and counts as using
  the service (accounts.services.activity_record).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record
from vetpass.outbox.services import outbox_enqueue

from ...models import (
    Animal,
    Appointment,
    AppointmentMode,
    AppointmentReminder,
    AppointmentStatus,
    AvailabilityException,
    Practice,
    PracticeMembership,
    Service,
    WeeklyAvailability,
)
from .. import appointment_selectors as asel

TAKEN = "This time has just been booked by someone else. Please choose another time."
RESTRICTED = (
    "Your account is restricted while a data-protection request is handled, so no new "
    "appointments can be booked or moved. Please phone the practice."
)


def _error(field: str, message: str, code: str) -> ValidationError:
    """A field error that keeps its code (a dict given to ValidationError drops it): the
    doors tell a VCPR refusal, which comes with the in-clinic offer, by it."""
    return ValidationError({field: ValidationError(message, code=code)})


def _notice_error(practice: Practice, what: str) -> ValidationError:
    hours = asel.booking_rules(practice).notice_hours
    return _error(
        "starts_at",
        f"{practice.name} asks for {hours} hours' notice to {what} an "
        "appointment. Please phone the practice.",
        "notice",
    )


def online_refusal(practice: Practice, animal: Animal) -> str | None:
    """Why an online appointment is refused for this animal, or None when allowed."""
    allowed, examined, days = asel.online_check(practice, animal)
    if allowed:
        return None
    when = f"last examined there on {examined:%d %B %Y}" if examined else "not yet examined there"
    return (
        f"Online appointments are only for animals {practice.name} has examined in the "
        f"last {days} days, so that a vet who knows {animal.name} can advise by video; "
        f"{animal.name} was {when}. You can book this time in the clinic instead."
    )


def _check_slot(
    *,
    practice: Practice,
    animal: Animal,
    membership_id: int,
    service_id: int,
    starts_at: datetime,
    mode: str,
    moving: Appointment | None = None,
) -> asel.Slot:
    if starts_at < timezone.now() + timedelta(hours=asel.booking_rules(practice).notice_hours):
        raise _notice_error(practice, "move" if moving else "book")
    slot = asel.find_slot(
        practice,
        membership_id=membership_id,
        service_id=service_id,
        starts_at=starts_at,
        ignore=moving,
    )
    if slot is None:
        raise _error("starts_at", TAKEN, "taken")
    if mode == AppointmentMode.ONLINE:
        if not slot.online:
            raise _error("mode", "This time is only offered in the clinic.", "clinic_only")
        refusal = online_refusal(practice, animal)
        if refusal:
            raise _error("mode", refusal, "vcpr")
    return slot


def _save_exclusive(appointment: Appointment, **kwargs: object) -> None:
    """Save inside a savepoint: the exclusion constraint refusing an overlap (a booking
    that committed between our check and our write) is the same field error as the check.

    Writes for one staff member's diary queue on that member's row first (FOR NO KEY
    UPDATE, so rows that merely refer to the member are not held up). Without the queue
    two bookings of one slot each insert, then each wait for the other inside the
    exclusion check: PostgreSQL calls that a deadlock and the loser got a 500. With it
    the second insert waits for the first to commit and is refused as taken."""
    list(
        PracticeMembership.objects.select_for_update(no_key=True)
        .filter(pk=appointment.membership_id or 0)
        .values_list("pk", flat=True)
    )
    try:
        with transaction.atomic():
            appointment.save(**kwargs)  # type: ignore[arg-type]
    except IntegrityError as exc:
        if "appointment_no_overlap" in str(exc):
            raise _error("starts_at", TAKEN, "taken") from None
        raise


@transaction.atomic
def appointment_book(
    *,
    owner: User,
    practice: Practice,
    animal: Animal,
    membership_id: int,
    service_id: int,
    starts_at: datetime,
    mode: str = AppointmentMode.CLINIC,
    reason: str = "",
) -> Appointment:
    if animal.owner_id != owner.pk or asel.favorite_sharing(practice, animal) is None:
        raise ValidationError(
            {"animal": f"Choose one of your animals that you share with {practice.name}."}
        )
    if owner.is_restricted:
        raise _error("animal", RESTRICTED, "restricted")
    if mode not in AppointmentMode.values:
        raise ValidationError({"mode": "Choose in the clinic or online."})
    slot = _check_slot(
        practice=practice,
        animal=animal,
        membership_id=membership_id,
        service_id=service_id,
        starts_at=starts_at,
        mode=mode,
    )
    appointment = Appointment(
        practice=practice,
        membership_id=slot.membership_id,
        service_id=slot.service_id,
        owner=owner,
        animal=animal,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        mode=mode,
        reason=reason[:200],
    )
    _save_exclusive(appointment)
    activity_record(user=owner, kind=ActivityKind.BOOKING)
    appointment_email_send(appointment_id=appointment.pk, kind="booked")
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    starts_at: datetime,
    membership_id: int | None = None,
    mode: str | None = None,
) -> Appointment:
    """Move the appointment to another free slot of the same service at the practice."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    practice = appointment.practice
    if appointment.owner_id != by.pk:
        raise ValidationError({"starts_at": "Only the owner can move this appointment."})
    if not appointment.is_live:
        raise ValidationError({"starts_at": "This appointment was cancelled."})
    if by.is_restricted:
        raise _error("starts_at", RESTRICTED, "restricted")
    if appointment.starts_at < timezone.now() + timedelta(
        hours=asel.booking_rules(practice).notice_hours
    ):
        raise _notice_error(practice, "move")
    if asel.favorite_sharing(practice, appointment.animal) is None:
        raise ValidationError(
            {"starts_at": f"{appointment.animal.name} is no longer shared with {practice.name}."}
        )
    mode = mode or appointment.mode
    staff_id = membership_id or appointment.membership_id
    if staff_id is None:
        raise ValidationError({"starts_at": "Choose one of the times shown."})
    slot = _check_slot(
        practice=practice,
        animal=appointment.animal,
        membership_id=staff_id,
        service_id=appointment.service_id,
        starts_at=starts_at,
        mode=mode,
        moving=appointment,
    )
    appointment.membership_id = slot.membership_id
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.mode = mode
    appointment.sequence += 1
    _save_exclusive(
        appointment, update_fields=["membership", "starts_at", "ends_at", "mode", "sequence"]
    )
    activity_record(user=by, kind=ActivityKind.BOOKING)
    appointment_email_send(appointment_id=appointment.pk, kind="moved")
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User) -> Appointment:
    """The owner cancels, no later than the notice period before: the time is free again."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.owner_id != by.pk:
        raise ValidationError({"starts_at": "Only the owner can cancel this appointment."})
    if not appointment.is_live:
        return appointment
    if appointment.starts_at < timezone.now() + timedelta(
        hours=asel.booking_rules(appointment.practice).notice_hours
    ):
        raise _notice_error(appointment.practice, "cancel")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = timezone.now()
    appointment.sequence += 1
    appointment.save(update_fields=["status", "cancelled_at", "sequence"])
    activity_record(user=by, kind=ActivityKind.BOOKING)
    appointment_email_send(appointment_id=appointment.pk, kind="cancelled")
    return appointment


# --- emails --------------------------------------------------------------------------


def appointment_ics(appointment: Appointment) -> bytes:
    """The appointment as an iCalendar event (RFC 5545): a request, or a cancellation that
    removes it from the owner's calendar (same UID, higher SEQUENCE)."""
    from icalendar import Calendar, Event

    cancelled = not appointment.is_live
    cal = Calendar()
    cal.add("prodid", "-//VetPass//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@vetpass")
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    where = "Online (video)" if appointment.mode == AppointmentMode.ONLINE else "In the clinic"
    event.add("summary", f"{appointment.animal.name}: {appointment.service.name}")
    event.add("location", f"{appointment.practice.name} — {where}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


_SUBJECTS = {
    "booked": "Appointment booked",
    "moved": "Appointment moved",
    "cancelled": "Appointment cancelled",
    "reminder": "Reminder: your appointment",
}


def appointment_email(a: Appointment, kind: str) -> EmailMessage:
    """The owner's email for a change (or the reminder), with the .ics; `a` loaded with its
    practice, animal, service, owner and staff member."""
    when = f"{timezone.localtime(a.starts_at):%H:%M on %A %d %B %Y}"
    where = "online (video)" if a.mode == AppointmentMode.ONLINE else "in the clinic"
    url = settings.SITE_URL + reverse("practices:appointments")
    lines = {
        "booked": f"Your appointment for {a.animal.name} is booked.",
        "moved": f"Your appointment for {a.animal.name} has moved.",
        "cancelled": f"Your appointment for {a.animal.name} is cancelled.",
        "reminder": f"A reminder of your appointment for {a.animal.name}.",
    }
    staff = a.membership.user.display_name if a.membership else "the practice's team"
    body = (
        f"{lines[kind]}\n\n"
        f"{a.service.name} with {staff} at {a.practice.name}, "
        f"{where}, {when}.\n\n"
        f"See, move or cancel your appointments: {url}\n"
    )
    message = EmailMessage(
        subject=f"[VetPass] {_SUBJECTS[kind]} at {a.practice.name}",
        body=body,
        to=[a.owner.email],
    )
    message.attach("appointment.ics", appointment_ics(a), "text/calendar")
    return message


def _with_email_details(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return appointments.select_related("practice", "animal", "service", "owner", "membership__user")


def appointment_email_send(*, appointment_id: int, kind: str) -> None:
    """The owner's email for a change, written to the outbox in the caller's transaction:
    it leaves after commit, with retries (rule 7)."""
    a = _with_email_details(Appointment.objects.all()).get(pk=appointment_id)
    outbox_enqueue(messages=[appointment_email(a, kind)])


def appointment_reminders_send(*, batch: int = 500) -> int:
    """Email each live appointment starting within APPOINTMENT_REMINDER_HOURS its reminder,
    once, a batch per transaction in a constant number of queries: the due appointments
    are claimed (SKIP LOCKED, so two sweeps at once take different ones), their reminder
    rows inserted in one statement (unique per appointment: a race the claim missed rolls
    the batch back for the next run) and their emails written to the outbox together.
    Returns how many this run sent."""
    sent = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            due = list(
                Appointment.objects.filter(
                    status=AppointmentStatus.BOOKED,
                    starts_at__gt=now,
                    starts_at__lte=now + timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS),
                    reminder__isnull=True,
                )
                .order_by("starts_at", "pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:batch]
            )
            if not due:
                return sent
            AppointmentReminder.objects.bulk_create(
                AppointmentReminder(appointment_id=pk, sent_at=now) for pk in due
            )
            appointments = _with_email_details(Appointment.objects.filter(pk__in=due))
            outbox_enqueue(messages=[appointment_email(a, "reminder") for a in appointments])
        sent += len(due)


# --- publishing hours (the practice's administrator) ---------------------------------


def _staff_of(practice: Practice, membership_id: int) -> PracticeMembership:
    membership = PracticeMembership.objects.filter(
        pk=membership_id, practice=practice, left_at__isnull=True
    ).first()
    if membership is None:
        raise ValidationError({"membership": "Choose a member of this practice's staff."})
    return membership


@transaction.atomic
def availability_add(
    *,
    practice: Practice,
    membership_id: int,
    service: Service,
    weekday: int,
    starts_at: time,
    ends_at: time,
    slot_minutes: int,
    online: bool = False,
) -> WeeklyAvailability:
    """A weekly pattern row: the staff member offers the service on that weekday."""
    membership = _staff_of(practice, membership_id)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The hours must end after they start."})
    if not 5 <= slot_minutes <= 480:
        raise ValidationError({"slot_minutes": "Choose a slot length of 5 to 480 minutes."})
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": "Choose a day of the week."})
    return WeeklyAvailability.objects.create(
        practice=practice,
        membership=membership,
        service=service,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        slot_minutes=slot_minutes,
        online=online,
    )


@transaction.atomic
def availability_exception_add(
    *,
    practice: Practice,
    membership_id: int,
    date: date,
    closed: bool,
    service: Service | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    slot_minutes: int = 20,
    online: bool = False,
) -> AvailabilityException:
    """A date that differs from the pattern: closed, or extra hours. Closing does not
    cancel what is booked: the practice rings those owners itself."""
    membership = _staff_of(practice, membership_id)
    if not closed:
        errors = {}
        if service is None:
            errors["service"] = "Choose the service of the extra hours."
        if starts_at is None or ends_at is None or ends_at <= starts_at:
            errors["ends_at"] = "Give extra hours that end after they start, or choose closed."
        if not 5 <= slot_minutes <= 480:
            errors["slot_minutes"] = "Choose a slot length of 5 to 480 minutes."
        if errors:
            raise ValidationError(errors)
    return AvailabilityException.objects.create(
        practice=practice,
        membership=membership,
        date=date,
        closed=closed,
        service=None if closed else service,
        starts_at=None if closed else starts_at,
        ends_at=None if closed else ends_at,
        slot_minutes=slot_minutes,
        online=online and not closed,
    )


@transaction.atomic
def availability_remove(*, practice: Practice, kind: str, pk: object) -> None:
    """Remove a pattern row or an exception of this practice (404 for another's)."""
    from django.http import Http404

    models = {"weekly": WeeklyAvailability, "exception": AvailabilityException}
    if kind not in models:
        raise Http404("No such hours.")
    try:
        deleted, _ = models[kind].objects.filter(practice=practice, pk=pk).delete()  # type: ignore[attr-defined,misc]
    except (ValueError, TypeError):
        deleted = 0
    if not deleted:
        raise Http404("No such hours.")
