from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxEmail(models.Model):
    """One email waiting to leave, or that left. Written by the outbox email backend in
    the caller's transaction, so it is rolled back with the change that caused it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed (gave up)"

    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    from_email = models.TextField()
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    subject = models.TextField()
    body = models.TextField(blank=True)
    # "plain", or "html" when the body itself is HTML (an HTML-only message).
    body_subtype = models.CharField(max_length=20, default="plain")
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    # [{"filename": …, "content": base64, "mimetype": …}]
    attachments = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    # The sweep sends what is due; a failed attempt moves this on by the back-off.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker claims the row until then (a conditional update): no other worker sends it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A row queued in bulk may leave its subject and body to be written when it leaves:
    # `renderer` names a function registered with `outbox_renderer` that writes them from
    # the row `renderer_ref` names (a retention notice writes its email from the notice, so
    # a sweep queues a few small columns per email, not the text). Once sent, the row holds
    # the text that left, like any other.
    renderer = models.CharField(max_length=64, blank=True, default="", db_default="")
    renderer_ref = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"
