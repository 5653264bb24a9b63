"""EMAIL_BACKEND for the whole project: Django's send_mail, allauth's sign-up,
confirmation and password-reset mail and our own notices all become outbox rows, with no
change at any call site. The backend that really delivers is OUTBOX_DELIVERY_BACKEND
(what EMAIL_URL names), used by the send task."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .services import outbox_enqueue


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        messages = list(email_messages or [])
        if not messages:
            return 0
        outbox_enqueue(messages=messages)
        return len(messages)
