"""Web pages for appointments: the owner books, moves and cancels; the vet sees the day
list in the workspace. Thin: the rules are in services.appointments and
appointment_selectors, shared with the API (appointment_api)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..models import AppointmentMode
from . import appointment_selectors as asel
from . import selectors as sel
from . import services as svc
from .appointment_forms import (
    BookForm,
    DayForm,
    HoursExceptionForm,
    SlotForm,
    WeeklyHoursForm,
    day_from,
)
from .forms import add_service_errors


def _day(request: HttpRequest) -> Any:
    return day_from(request.GET.get("date") or request.POST.get("date"), timezone.localdate())


def _clinic_offer(exc: ValidationError) -> bool:
    return any(e.code == "vcpr" for e in exc.error_dict.get("mode", []))  # type: ignore[attr-defined]


@login_required
def appointment_book(request: HttpRequest, pk: int) -> HttpResponse:
    practice = sel.get_practice(pk)
    owner = request.user
    animals = asel.bookable_animals(owner, practice)  # type: ignore[arg-type]
    chosen = request.POST.get("animal") or request.GET.get("animal")
    if chosen:  # an animal that is not shared with this practice: 404
        asel.get_bookable_animal(owner, practice, chosen)  # type: ignore[arg-type]
    day = _day(request)
    slots = asel.practice_slots(practice, day_from=day)
    form = BookForm(
        request.POST or None,
        animals=animals,
        slots=slots,
        initial={"animal": chosen, "mode": AppointmentMode.CLINIC},
    )
    clinic_offer = False
    if request.method == "POST" and form.is_valid():
        membership_id, service_id, starts_at = form.cleaned_data["slot"]
        animal = asel.get_bookable_animal(owner, practice, form.cleaned_data["animal"])  # type: ignore[arg-type]
        try:
            appointment = svc.appointment_book(
                owner=owner,  # type: ignore[arg-type]
                practice=practice,
                animal=animal,
                membership_id=membership_id,
                service_id=service_id,
                starts_at=starts_at,
                mode=form.cleaned_data["mode"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            clinic_offer = _clinic_offer(exc)
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Booked: {appointment.animal.name} at "
                f"{timezone.localtime(appointment.starts_at):%H:%M on %d %B %Y}.",
            )
            return redirect("practices:appointments")
    return render(
        request,
        "practices/appointments/book.html",
        {
            "practice": practice,
            "animals": animals,
            "form": form,
            "day_form": DayForm(initial={"date": day}),
            "day": day,
            "next_day": day + timedelta(days=1),
            "slots": slots,
            "clinic_offer": clinic_offer,
        },
    )


@login_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    appointments = list(asel.owner_appointments(request.user))  # type: ignore[arg-type]
    return render(
        request,
        "practices/appointments/list.html",
        {
            "upcoming": [a for a in appointments if a.is_live and a.ends_at > now],
            "other": [a for a in appointments if not (a.is_live and a.ends_at > now)],
        },
    )


@login_required
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = asel.get_owner_appointment(request.user, pk)  # type: ignore[arg-type]
    error = None
    if request.method == "POST":
        try:
            svc.appointment_cancel(appointment=appointment, by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "The appointment is cancelled.")
            return redirect("practices:appointments")
    return render(
        request,
        "practices/appointments/cancel.html",
        {"appointment": appointment, "error": error},
    )


@login_required
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = asel.get_owner_appointment(request.user, pk)  # type: ignore[arg-type]
    day = _day(request)
    slots = asel.practice_slots(
        appointment.practice, day_from=day, service_id=appointment.service_id, ignore=appointment
    )
    form = SlotForm(request.POST or None, slots=slots, initial={"mode": appointment.mode})
    if request.method == "POST" and form.is_valid():
        membership_id, _, starts_at = form.cleaned_data["slot"]
        try:
            svc.appointment_reschedule(
                appointment=appointment,
                by=request.user,  # type: ignore[arg-type]
                starts_at=starts_at,
                membership_id=membership_id,
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The appointment has moved.")
            return redirect("practices:appointments")
    return render(
        request,
        "practices/appointments/reschedule.html",
        {
            "appointment": appointment,
            "form": form,
            "day_form": DayForm(initial={"date": day}),
            "day": day,
            "next_day": day + timedelta(days=1),
            "slots": slots,
        },
    )


@login_required
def workspace_appointments(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    day = _day(request)
    rows = asel.practice_day_list(request.user, membership, day)  # type: ignore[arg-type]
    return render(
        request,
        "practices/appointments/day_list.html",
        {
            "membership": membership,
            "practice": membership.practice,
            "rows": rows,
            "day": day,
            "day_form": DayForm(initial={"date": day}),
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
        },
    )


def _staff_choices(practice: Any) -> list[tuple[int, str]]:
    return [(m.pk, m.user.display_name) for m in sel.practice_staff(practice) if m.is_active]


@login_required
def availability(request: HttpRequest, practice_pk: int) -> HttpResponse:
    """The practice's published hours: its administrator adds the weekly pattern and the
    dates that differ from it."""
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    practice = membership.practice
    staff = _staff_choices(practice)
    posted = request.POST if request.method == "POST" else None
    weekly_form = WeeklyHoursForm(
        posted if "weekly" in request.POST else None, staff=staff, prefix="weekly"
    )
    exception_form = HoursExceptionForm(
        posted if "exception" in request.POST else None, staff=staff, prefix="exception"
    )
    for form, add in (
        (weekly_form, svc.availability_add),
        (exception_form, svc.availability_exception_add),
    ):
        if form.is_bound and form.is_valid():
            try:
                data = dict(form.cleaned_data)
                add(practice=practice, membership_id=data.pop("membership"), **data)  # type: ignore[operator]
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The hours are published.")
                return redirect("practices:availability", practice_pk)
    return render(
        request,
        "practices/appointments/availability.html",
        {
            "membership": membership,
            "practice": practice,
            "weekly": asel.practice_hours(practice),
            "exceptions": asel.practice_hours_exceptions(practice),
            "weekly_form": weekly_form,
            "exception_form": exception_form,
        },
    )


@login_required
@require_POST
def availability_remove(request: HttpRequest, practice_pk: int, kind: str, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    svc.availability_remove(practice=membership.practice, kind=kind, pk=pk)
    messages.success(request, "Removed.")
    return redirect("practices:availability", practice_pk)
