"""Due reminders (issue 11): one row per reminder sent, the claim that it was sent.

A due item is (animal, what is due): the kind and the product name, compared ignoring case
and surrounding spaces, so the doses that two practices and the owner record of the same
vaccine are one item. A row is written in the same transaction as its email (through the
outbox); the unique constraint on (animal, due item, due date, lead time) makes "sent at
most once per due item and lead time" a fact of the database, not a hope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .animals import Animal


class CareReminder(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_reminders"
    )
    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="care_reminders")
    # "vaccination:nobivac l4"; "entry:<id>" for a dose recorded without a product name.
    due_key = models.CharField(max_length=160)
    what = models.CharField(max_length=120, help_text="What is due, as the dose named it.")
    due_on = models.DateField()
    lead_days = models.PositiveSmallIntegerField(help_text="Days before the due date.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["animal", "due_key", "due_on", "lead_days"],
                name="care_reminder_once_per_lead_time",
            )
        ]
        indexes = [models.Index(fields=["owner", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.what} for {self.animal_id}, due {self.due_on} ({self.lead_days} days)"
