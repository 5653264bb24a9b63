"""Forms for appointments: they shape input (the slot a radio button names); the rules
are in records.practices.services.appointments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from vetpass.accounts.forms import DateInput

from ..models import Animal, AppointmentMode, Service
from .appointment_selectors import Slot


def parse_slot(value: str) -> tuple[int, int, datetime]:
    """'membership|service|ISO start' -> its parts; ValueError when malformed."""
    membership, service, starts = value.split("|", 2)
    starts_at = datetime.fromisoformat(starts)
    if timezone.is_naive(starts_at):
        raise ValueError("a slot carries its time zone")
    return int(membership), int(service), starts_at


def slot_label(slot: Slot) -> str:
    when = timezone.localtime(slot.starts_at)
    online = " (online possible)" if slot.online else ""
    return f"{when:%H:%M}, {slot.service_name} with {slot.staff_name}{online}"


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def check_day(value: date) -> None:
    """Days a calendar can page through (no overflow at date.max)."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise forms.ValidationError("Choose a day between 2000 and 2099.")


class DayForm(forms.Form):
    date = forms.DateField(label="Day", widget=DateInput, validators=[check_day])


class SlotForm(forms.Form):
    """Choose one of the slots shown (the service checks it is still free)."""

    slot = forms.ChoiceField(label="Time", widget=forms.RadioSelect)
    mode = forms.ChoiceField(
        label="Where",
        choices=AppointmentMode.choices,
        initial=AppointmentMode.CLINIC,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.key, slot_label(s)) for s in slots]
        # A slot taken since the page was shown is still accepted here, so that the service
        # answers it with "just booked by someone else" rather than "not a valid choice".
        posted = self.data.get(self.add_prefix("slot")) if self.is_bound else None
        if posted and posted not in dict(choices):
            choices.append((posted, posted))
        self.fields["slot"].choices = choices  # type: ignore[attr-defined]

    def clean_slot(self) -> tuple[int, int, datetime]:
        try:
            return parse_slot(self.cleaned_data["slot"])
        except (ValueError, TypeError):
            raise forms.ValidationError("Choose one of the times shown.") from None


class BookForm(SlotForm):
    animal = forms.ChoiceField(label="Animal")
    reason = forms.CharField(
        label="Reason for the visit (optional)", required=False, max_length=200
    )
    field_order = ["animal", "slot", "mode", "reason"]

    def __init__(self, *args: Any, animals: list[Animal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["animal"].choices = [(a.pk, a.name) for a in animals]  # type: ignore[attr-defined]


def day_from(value: str | None, default: date) -> date:
    form = DayForm({"date": value}) if value else None
    if form is not None and form.is_valid():
        return form.cleaned_data["date"]
    return default


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class _StaffForm(forms.Form):
    membership = forms.TypedChoiceField(label="Staff member", coerce=int)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = staff  # type: ignore[attr-defined]


class WeeklyHoursForm(_StaffForm):
    service = forms.ModelChoiceField(queryset=Service.objects.all())
    weekday = forms.TypedChoiceField(label="Day of the week", choices=WEEKDAYS, coerce=int)
    starts_at = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label="Slot length (minutes)", initial=20)
    online = forms.BooleanField(label="Online (video) appointments possible", required=False)


class HoursExceptionForm(_StaffForm):
    date = forms.DateField(label="Date", widget=DateInput, validators=[check_day])
    closed = forms.BooleanField(label="Closed all day", required=False)
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), required=False, help_text="For extra hours."
    )
    starts_at = forms.TimeField(
        label="Extra hours from", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label="Until", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    slot_minutes = forms.IntegerField(label="Slot length (minutes)", initial=20)
    online = forms.BooleanField(label="Online (video) appointments possible", required=False)
