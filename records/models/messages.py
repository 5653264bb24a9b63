"""Messages between an owner and a practice they favorited, about one animal (issue 11).

A conversation hangs off the favorite it was started under: while that favorite is
active and grants sharing (the ledger), the practice's staff read and answer it through
the one visibility selector (records.messages); when the owner un-favorites, the favorite
ends and the conversation is closed for the practice for good (a later favorite starts a
new conversation), while the owner keeps their copy, read-only.

Chat gives no diagnosis, treatment or prescription (NO_CLINICAL_ADVICE, shown on every
conversation page and in the API).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from records.validators import validate_document

NO_CLINICAL_ADVICE = (
    "Messages are for questions and practical matters. The practice does not give a "
    "diagnosis, treatment or prescription by message: for that, book an appointment, and "
    "in an emergency phone the practice."
)


class MessageSide(models.TextChoices):
    OWNER = "owner", "Owner"
    PRACTICE = "practice", "Practice"


class Conversation(models.Model):
    """One conversation per favorite and animal: the owner and the practice about it."""

    favorite = models.ForeignKey(
        "records.Favorite", on_delete=models.CASCADE, related_name="conversations"
    )
    practice = models.ForeignKey(
        "records.Practice", on_delete=models.CASCADE, related_name="conversations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    animal = models.ForeignKey(
        "records.Animal", on_delete=models.CASCADE, related_name="conversations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["favorite", "animal"], name="one_conversation_per_favorite_animal"
            )
        ]
        indexes = [models.Index(fields=["practice", "-last_message_at"])]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    side = models.CharField(max_length=10, choices=MessageSide.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_written",
    )
    body = models.TextField("message", max_length=5000, blank=True)
    attachment = models.FileField(
        upload_to="messages/%Y/%m/", blank=True, validators=[validate_document]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"

    @property
    def attachment_name(self) -> str:
        return self.attachment.name.rsplit("/", 1)[-1] if self.attachment else ""


class ConversationRead(models.Model):
    """How far one person has read a conversation: unread counts are per person (each
    staff member has their own, and the owner theirs), counted from the last message id
    they saw."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_reads"
    )
    last_read_message_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_read_mark_per_user")
        ]
