"""The owner's due reminders on the web: everything due for their animals, soonest first,
with the reminders already sent, and the switch for reminders by email (which is the
consent ledger's: the form posts to the privacy centre's one door for a consent change)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from consent.models import Purpose
from vetpass.accounts.models import User

from .reminders import care_reminders_on, lead_days, owner_due_items


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    return render(
        request,
        "records/reminders/list.html",
        {
            "items": owner_due_items(user=user, today=today),
            "today": today,
            "reminders_on": care_reminders_on(user),
            "restricted": user.is_restricted,
            "purpose": Purpose.CARE_REMINDERS,
            "lead_days": [d for d in lead_days() if d],
        },
    )
