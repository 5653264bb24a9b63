"""Appointments (issue 11): a practice publishes bookable slots by service and staff
member — a weekly pattern plus dated exceptions — and owners book them for an animal
shared with the practice.

Double booking is impossible at the database: on PostgreSQL an exclusion constraint
(btree_gist) refuses two live appointments of one staff member whose times overlap
(migration 0006_appointments); the booking service checks too, so the embedded SQLite
default refuses an overlap as well.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BookingRules(models.Model):
    """The practice's rules for online booking; a practice without a row uses the
    defaults in settings (APPOINTMENT_NOTICE_HOURS, APPOINTMENT_VCPR_DAYS)."""

    practice = models.OneToOneField(
        "records.Practice", on_delete=models.CASCADE, related_name="booking_rules"
    )
    # Owners may book, reschedule or cancel no later than this many hours before.
    notice_hours = models.PositiveIntegerField(default=24)
    # Online (video) appointments only within this many days of the practice's latest
    # clinical examination of the animal (the VCPR).
    vcpr_days = models.PositiveIntegerField(default=365)

    def __str__(self) -> str:
        return f"Booking rules of {self.practice}"


class WeeklyAvailability(models.Model):
    """A staff member offers a service on this weekday, between these times, in slots of
    this many minutes."""

    practice = models.ForeignKey(
        "records.Practice", on_delete=models.CASCADE, related_name="weekly_availability"
    )
    membership = models.ForeignKey(
        "records.PracticeMembership", on_delete=models.CASCADE, related_name="weekly_availability"
    )
    service = models.ForeignKey(
        "records.Service", on_delete=models.PROTECT, related_name="weekly_availability"
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    slot_minutes = models.PositiveIntegerField(default=20)
    online = models.BooleanField(
        default=False, help_text="Slots can also be taken as online (video) appointments."
    )

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="weekly_availability_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="weekly_availability_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="weekly_availability_slot_length"
            ),
        ]


class AvailabilityException(models.Model):
    """One date that differs from the weekly pattern for a staff member: closed all day,
    or extra hours (slots on top of the pattern)."""

    practice = models.ForeignKey(
        "records.Practice", on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    membership = models.ForeignKey(
        "records.PracticeMembership",
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
    )
    date = models.DateField()
    closed = models.BooleanField(default=False)
    # Extra hours (closed is False): the service, times and slot length of the extra slots.
    service = models.ForeignKey(
        "records.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    slot_minutes = models.PositiveIntegerField(default=20)
    online = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(
                    service__isnull=False,
                    starts_at__isnull=False,
                    ends_at__isnull=False,
                    ends_at__gt=models.F("starts_at"),
                ),
                name="availability_exception_closed_or_hours",
            )
        ]


class AppointmentMode(models.TextChoices):
    CLINIC = "clinic", "In the clinic"
    ONLINE = "online", "Online (video)"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(models.Model):
    """One booked slot. Cancelling keeps the row (status) and frees the time."""

    practice = models.ForeignKey(
        "records.Practice", on_delete=models.CASCADE, related_name="appointments"
    )
    # Null only once the staff member's account is erased; the time stays booked.
    membership = models.ForeignKey(
        "records.PracticeMembership",
        on_delete=models.SET_NULL,
        null=True,
        related_name="appointments",
    )
    service = models.ForeignKey("records.Service", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    animal = models.ForeignKey(
        "records.Animal", on_delete=models.CASCADE, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(
        max_length=10, choices=AppointmentMode.choices, default=AppointmentMode.CLINIC
    )
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # How many times the time moved: the .ics SEQUENCE, so calendars replace the event.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["membership", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.animal} at {self.practice}, {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status == AppointmentStatus.BOOKED


class AppointmentReminder(models.Model):
    """The reminder email of one appointment was sent: at most once (one-to-one)."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)
