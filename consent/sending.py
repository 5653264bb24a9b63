"""Sending email: the one door for everything that is not transactional.

Rule 4 of DESIGN.md: anything that needs consent asks the ledger at the moment it acts.
`marketing_send` therefore decides who receives a message when it sends it, not when the
list was drawn up: it keeps only the recipients whose latest ledger event for the purpose
is a grant, who are not restricted (Art. 18) and whose account is active. Withdrawals,
objections and restrictions that happened a second earlier are obeyed. The check is
set-based: a fixed handful of queries for the whole send, however many recipients.

Every marketing message carries RFC 2369/8058 headers:
    List-Unsubscribe: <https://…/privacy/unsubscribe/<token>/>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click
with a signed token for that person and purpose only. A tracking pixel is added only for
recipients whose ledger says yes to `tracking_pixels`.

`transactional_send` is the other door: confirmations, notices (inactivity, removal),
DSAR correspondence and security messages. It never consults marketing choices — a person
who said no to marketing must still receive the answer to their access request — and it
must never be used for anything promotional.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import QuerySet
from django.urls import reverse

from vetpass.accounts.models import User

from .models import Purpose
from .receipts import absolute_url
from .selectors import consenting_users
from .tokens import pixel_token, unsubscribe_token

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class SendReport:
    purpose: str
    considered: int = 0
    sent: int = 0
    with_pixel: int = 0
    skipped: int = 0
    recipients: list[int] = field(default_factory=list)


def unsubscribe_url(subject_key: str, purpose_code: str) -> str:
    token = unsubscribe_token(subject_key, purpose_code)
    return absolute_url(reverse("consent:unsubscribe", args=[token]))


def list_unsubscribe_headers(subject_key: str, purpose_code: str) -> dict[str, str]:
    url = unsubscribe_url(subject_key, purpose_code)
    targets = [f"<{url}>"]
    mailto = getattr(settings, "CONSENT_UNSUBSCRIBE_MAILTO", "")
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _recipients_queryset(recipients: QuerySet[User] | Iterable[int] | None) -> QuerySet[User]:
    if recipients is None:
        return User.objects.all()
    if isinstance(recipients, QuerySet):
        return recipients
    return User.objects.filter(id__in=list(recipients))


def marketing_send(
    *,
    subject: str,
    body: str,
    recipients: QuerySet[User] | Iterable[int] | None = None,
    purpose: str = Purpose.MARKETING_EMAIL,
    campaign: str = "",
    html_body: str | None = None,
    from_email: str | None = None,
) -> SendReport:
    """Send one marketing message to those of `recipients` (a User queryset, ids, or None
    for everyone) who consent to `purpose` right now. Returns what happened."""
    candidates = _recipients_queryset(recipients)
    report = SendReport(purpose=purpose)
    report.considered = candidates.count()
    allowed = list(consenting_users(purpose, candidates).order_by("id").values_list("id", "email"))
    pixel_ids = set(
        consenting_users(Purpose.TRACKING_PIXELS, candidates).values_list("id", flat=True)
    )
    html = html_body if html_body is not None else "<p>" + escape(body) + "</p>"
    messages: list[EmailMultiAlternatives] = []
    connection = get_connection()
    for user_id, email in allowed:
        key = f"user:{user_id}"
        url = unsubscribe_url(key, purpose)
        headers = list_unsubscribe_headers(key, purpose)
        text = f"{body}\n\n--\nYou get this because you said yes to it. Unsubscribe: {url}\n"
        part = html + f'<p><a href="{escape(url)}">Unsubscribe</a></p>'
        if user_id in pixel_ids:
            pixel = absolute_url(
                reverse("consent:pixel", args=[pixel_token(user_id, campaign or subject)])
            )
            part += f'<img src="{escape(pixel)}" alt="" width="1" height="1">'
            report.with_pixel += 1
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=from_email,
            to=[email],
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(part, "text/html")
        messages.append(message)
        report.recipients.append(user_id)
        if len(messages) >= BATCH_SIZE:
            report.sent += connection.send_messages(messages) or 0
            messages = []
    if messages:
        report.sent += connection.send_messages(messages) or 0
    report.skipped = report.considered - len(report.recipients)
    logger.info(
        "marketing send %r (%s): %d considered, %d sent, %d skipped, %d with pixel",
        campaign or subject,
        purpose,
        report.considered,
        report.sent,
        report.skipped,
        report.with_pixel,
    )
    return report


def transactional_send(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    from_email: str | None = None,
) -> int:
    """Confirmations, notices and DSAR correspondence: never blocked by marketing choices
    (see the module docstring). Not for anything promotional."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
