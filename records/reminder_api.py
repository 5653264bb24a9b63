"""Due reminders in the API, for the app's push notifications: the owner's due items with
their state, read through the same selector as the web list and the email sweep."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.accounts.models import User

from .reminders import DueItem, care_reminders_on, lead_days, owner_due_items


class SentReminderSerializer(serializers.Serializer[object]):
    lead_days = serializers.IntegerField(help_text="Days before the due date (0: on the day).")
    sent_at = serializers.DateTimeField()


class DueItemSerializer(serializers.Serializer[DueItem]):
    entry = serializers.IntegerField(source="entry_id", help_text="The latest dose's entry.")
    animal = serializers.IntegerField(source="animal.pk")
    animal_name = serializers.CharField(source="animal.name")
    kind = serializers.CharField()
    what = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(
        choices=["overdue", "soon", "ok"],
        help_text="overdue; soon (due within 30 days); ok (later).",
    )
    reminded = SentReminderSerializer(many=True, help_text="Emails already sent for it.")


class DueRemindersSerializer(serializers.Serializer[object]):
    email_reminders = serializers.BooleanField(
        help_text="Whether reminders are emailed (the care_reminders consent, and no "
        "restriction). Turn them on or off through the consents endpoint."
    )
    lead_days = serializers.ListField(child=serializers.IntegerField())
    items = DueItemSerializer(many=True)


class DueRemindersView(APIView):
    """Everything due for the animals you own or co-own, soonest first: one item per
    vaccine or treatment (the latest dose, whoever recorded it), with the reminders sent."""

    @extend_schema(tags=["reminders"], responses=DueRemindersSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        data = {
            "email_reminders": care_reminders_on(user),
            "lead_days": lead_days(),
            "items": owner_due_items(user=user, today=timezone.localdate()),
        }
        return Response(DueRemindersSerializer(data).data)
