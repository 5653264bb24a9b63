"""The transactional outbox (DESIGN.md rule 7): "email is recorded in the same transaction
as the change that causes it and leaves through a worker with retries, so a mail server
or broker being down never fails a request and never loses a notice."

- `outbox_enqueue` writes the rows in the caller's transaction and, once it commits, asks
  the broker to send each one. A broker that is down is logged, never raised: the row is
  there and the periodic sweep (and every worker when it starts) sends it later.
- `outbox_send` claims a row with a conditional update before sending it, so two workers
  given the same email (the commit hook and the sweep, or a redelivery) send it once.
  A failed attempt is retried with exponential back-off, up to OUTBOX_MAX_ATTEMPTS.
- Many emails at once (a retention sweep's chunk) are handed over as one task that a
  worker splits into OUTBOX_DISPATCH_BATCH ids per task (`outbox_send_many`), each email
  still claimed and sent once.
- A row queued in bulk may carry no text: its `renderer` (registered with
  `outbox_renderer` by the app that queues such rows) writes the subject and body from the
  row `renderer_ref` names when the email leaves, and the sent row keeps the text that left.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from email.mime.base import MIMEBase
from email.utils import make_msgid, parseaddr
from functools import partial
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)


class OutboxDeliveryFailed(Exception):
    """An attempt failed and the email is due again in `retry_in` seconds."""

    def __init__(self, email_id: int, retry_in: int, error: str) -> None:
        super().__init__(f"email {email_id}: {error}; next attempt in {retry_in} s")
        self.retry_in = retry_in


class Rendered(NamedTuple):
    subject: str
    body: str


# name -> function(ref) giving the text, or None when what it is written from is gone.
Renderer = Callable[[int], Rendered | None]
_RENDERERS: dict[str, Renderer] = {}


def outbox_renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register the function that writes the subject and body of the rows whose `renderer`
    is `name`, given their `renderer_ref` (the app that queues such rows registers it when
    it loads, so every worker has it)."""

    def register(function: Renderer) -> Renderer:
        _RENDERERS[name] = function
        return function

    return register


class NothingToSend(Exception):
    """A row's text cannot be written: what it was to be written from is gone."""


def _message_id_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "vetpass.local"


def _attachment(item: object) -> dict[str, str]:
    if isinstance(item, MIMEBase):
        filename = item.get_filename() or "attachment"
        content = item.get_payload(decode=True)
        mimetype = item.get_content_type()
    else:
        filename, content, mimetype = item  # type: ignore[misc]
    if isinstance(content, str):
        content = content.encode()
    if not isinstance(content, bytes):  # a message/rfc822 part
        content = str(content).encode()
    return {
        "filename": filename or "attachment",
        "content": base64.b64encode(content or b"").decode(),
        "mimetype": mimetype or "application/octet-stream",
    }


def _values(message: EmailMessage, domain: str) -> dict[str, Any]:
    """The columns of the row that records `message` (the others take their defaults)."""
    headers = {str(k): str(v) for k, v in message.extra_headers.items()}
    # One Message-ID for every attempt, so a receiver can tell a repeat from a new email.
    if not any(k.lower() == "message-id" for k in headers):
        headers["Message-ID"] = make_msgid(domain=domain)
    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = str(content)
    return {
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": str(message.subject),
        "body": str(message.body),
        "body_subtype": message.content_subtype,
        "html_body": html,
        "headers": headers,
        "attachments": [_attachment(a) for a in message.attachments],
    }


_JSON_FIELDS = frozenset({"to", "cc", "bcc", "reply_to", "headers", "attachments"})


def _insert_many(rows: list[dict[str, Any]]) -> list[int]:
    """bulk_create for thousands of rows at once (a retention sweep's chunk), without a
    model instance or a placeholder per value, which is what costs at that size: one array
    per column that differs between the rows, one value for a column that does not (the
    sender, the defaults). Returns the ids in the rows' order (INSERT ... SELECT ... ORDER
    BY keeps it, which is what bulk_create relies on too)."""
    import psycopg  # PostgreSQL only; the embedded SQLite default never gets here

    fields = [f for f in OutboxEmail._meta.concrete_fields if not f.primary_key]
    columns: list[str] = []
    selects: list[str] = []
    params: list[Any] = []
    arrays: list[tuple[list[Any], str]] = []
    for f in fields:
        default = f.get_default()
        values = [row.get(f.name, default) for row in rows]
        db_type = str(f.db_type(connection))
        same = all(v == values[0] for v in values)
        if f.name in _JSON_FIELDS:
            values = [json.dumps(values[0])] if same else [json.dumps(v) for v in values]
            db_type = "text"
        cast = "::jsonb" if f.name in _JSON_FIELDS else ""
        columns.append(connection.ops.quote_name(f.column))
        if same:
            selects.append(f"%b::{db_type}{cast}")
            params.append(values[0])
        else:
            selects.append(f"v.c{len(arrays)}{cast}")
            arrays.append((values, db_type))
    params += [values for values, _ in arrays]
    # %b: binary parameters, so that no text in them needs escaping.
    unnest = ", ".join(f"%b::{db_type}[]" for _, db_type in arrays)
    names = ", ".join(f"c{n}" for n in range(len(arrays)))
    sql = (
        f"INSERT INTO {OutboxEmail._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - model metadata and placeholders only
        f"SELECT {', '.join(selects)} FROM unnest({unnest}) WITH ORDINALITY AS v({names}, n) "
        f"ORDER BY v.n RETURNING id"
    )
    # A server-side-binding cursor on the same connection (Django's cursor first, so that
    # it is connected, in the caller's transaction): the arrays travel as parameters
    # instead of being quoted into megabytes of SQL text.
    with connection.cursor(), psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def outbox_enqueue(*, messages: Sequence[EmailMessage]) -> list[int]:
    """Record `messages` in the current transaction; dispatch them once it commits.
    Returns the ids of their rows, in order."""
    domain = _message_id_domain()
    rows = [_values(m, domain) for m in messages]
    if connection.vendor == "postgresql" and len(rows) > 1:
        ids = _insert_many(rows)
    else:
        ids = [r.pk for r in OutboxEmail.objects.bulk_create([OutboxEmail(**r) for r in rows])]
    outbox_enqueued(email_ids=ids)
    return ids


def outbox_enqueue_rendered(*, renderer: str, rows: Sequence[tuple[int, str]]) -> list[int]:
    """Record one email per (renderer_ref, address) in the current transaction, their text
    to be written by `renderer` when they leave; dispatch them once it commits. Returns the
    ids of their rows, in order."""
    emails = OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                renderer=renderer,
                renderer_ref=ref,
            )
            for ref, address in rows
        ]
    )
    ids = [email.pk for email in emails]
    outbox_enqueued(email_ids=ids)
    return ids


def outbox_enqueued(*, email_ids: Sequence[int]) -> None:
    """Rows written into the outbox by a caller's own INSERT (see `outbox_insert_sql`) in
    the current transaction: dispatch them once it commits, as `outbox_enqueue` does."""
    if email_ids:
        transaction.on_commit(partial(outbox_dispatch, email_ids=list(email_ids)), robust=True)


def outbox_insert_sql(computed: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """For a caller that writes thousands of emails in one INSERT ... SELECT of its own (the
    retention sweep, which builds each message in SQL): the column list, the select list and
    its parameters. `computed` maps field names (`id` included, if the caller reserves the
    ids) to SQL expressions; every other column takes its default, and the sender is
    DEFAULT_FROM_EMAIL, as in `outbox_enqueue`. The caller must call `outbox_enqueued`
    with the ids it wrote. A row without a Message-ID header gets one made from its id
    when it leaves (`outbox_message`)."""
    defaults: dict[str, Any] = {"from_email": settings.DEFAULT_FROM_EMAIL}
    columns, selects, params = [], [], {}
    for f in OutboxEmail._meta.concrete_fields:
        columns.append(connection.ops.quote_name(f.column))
        if f.name in computed:
            selects.append(computed[f.name])
            continue
        if f.primary_key:
            columns.pop()
            continue
        value = defaults[f.name] if f.name in defaults else f.get_default()
        key = f"outbox_{f.name}"
        if f.name in _JSON_FIELDS:
            selects.append(f"%({key})s::jsonb")
            value = json.dumps(value)
        else:
            selects.append(f"%({key})s::{f.db_type(connection)}")
        params[key] = value
    return ", ".join(columns), ", ".join(selects), params


def outbox_dispatch(*, email_ids: Iterable[int]) -> int:
    """Hand the emails to the workers. Up to OUTBOX_DISPATCH_BATCH ids go straight into
    send tasks; more (a sweep chunk of thousands of notices) go as ONE task that a worker
    splits into batches (`outbox_dispatch_batches`), so the committing process pays one
    broker round trip per chunk, not one per batch. Never raises: with the broker down the
    rows wait for the sweep. Returns how many were handed over."""
    from .tasks import outbox_dispatch_task

    ids = list(email_ids)
    if len(ids) <= max(int(settings.OUTBOX_DISPATCH_BATCH), 1):
        return outbox_dispatch_batches(email_ids=ids)
    try:
        outbox_dispatch_task.apply_async(args=(ids,), retry=True, retry_policy={"max_retries": 1})
    except Exception as exc:  # the broker, whatever it is, is not reachable
        logger.warning(
            "outbox: %d emails are queued but the broker refused them (%s); "
            "the sweep will send them",
            len(ids),
            exc,
        )
        return 0
    return len(ids)


def outbox_dispatch_batches(*, email_ids: Iterable[int]) -> int:
    """OUTBOX_DISPATCH_BATCH ids per send task (one id: a single, retrying send task).
    Never raises: what the broker refuses waits for the sweep. Returns how many were
    handed over. Run twice for the same ids (a redelivered split task), every email is
    still sent once: each send claims its row."""
    from .tasks import outbox_send_many_task, outbox_send_task

    ids = list(email_ids)
    size = max(int(settings.OUTBOX_DISPATCH_BATCH), 1)
    handed = 0
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            if len(batch) == 1:
                outbox_send_task.apply_async(
                    args=(batch[0],), retry=True, retry_policy={"max_retries": 1}
                )
            else:
                outbox_send_many_task.apply_async(
                    args=(batch,), retry=True, retry_policy={"max_retries": 1}
                )
        except Exception as exc:  # the broker, whatever it is, is not reachable
            logger.warning(
                "outbox: %d emails are queued but the broker refused them (%s); "
                "the sweep will send them",
                len(ids) - handed,
                exc,
            )
            break
        handed += len(batch)
    return handed


def outbox_send_many(*, email_ids: Iterable[int]) -> int:
    """Send each of these emails that no other worker holds (each one claimed, as in
    `outbox_send`). An email whose attempt failed gets its own retrying task; if even that
    cannot be queued, its row says when it is due and the sweep sends it then. Returns how
    many this call sent."""
    from .tasks import outbox_send_task

    sent = 0
    for email_id in email_ids:
        try:
            sent += outbox_send(email_id=email_id)
        except OutboxDeliveryFailed as exc:
            try:
                outbox_send_task.apply_async(args=(email_id,), countdown=exc.retry_in)
            except Exception as broker_error:
                logger.warning(
                    "outbox: email %s failed and its retry could not be queued (%s); "
                    "the sweep will send it",
                    email_id,
                    broker_error,
                )
    return sent


def _backoff(attempts: int) -> int:
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return int(min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def outbox_message(email: OutboxEmail) -> EmailMultiAlternatives:
    """The message as it leaves: the row's text, or the text its renderer writes now (then
    NothingToSend if what it is written from is gone). A row without a Message-ID (a row
    queued in bulk) gets one made from its id, the same on every attempt."""
    subject, body = email.subject, email.body
    if email.renderer:
        renderer = _RENDERERS.get(email.renderer)
        if renderer is None:
            raise LookupError(f"no outbox renderer named {email.renderer!r}")
        rendered = renderer(email.renderer_ref) if email.renderer_ref is not None else None
        if rendered is None:
            raise NothingToSend(f"{email.renderer} {email.renderer_ref} no longer exists")
        subject, body = rendered
    headers = dict(email.headers)
    if not any(k.lower() == "message-id" for k in headers):
        stamp = int(email.created_at.timestamp() * 100)
        headers["Message-ID"] = f"<{stamp}.{email.pk}@{_message_id_domain()}>"
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=headers,
        connection=get_connection(settings.OUTBOX_DELIVERY_BACKEND),
    )
    message.content_subtype = email.body_subtype
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return message


def outbox_send(*, email_id: int) -> bool:
    """Send one queued email if no other worker holds it. True when this call sent it;
    raises OutboxDeliveryFailed when the attempt failed and another one is due."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=email_id, status=OutboxEmail.Status.QUEUED)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    try:
        message = outbox_message(email)
    except NothingToSend as exc:  # no attempt can ever send it
        OutboxEmail.objects.filter(pk=email_id).update(
            claimed_until=None, last_error=str(exc)[:2000], status=OutboxEmail.Status.FAILED
        )
        logger.warning("outbox: email %s has nothing to send: %s", email_id, exc)
        return False
    except Exception as exc:  # the renderer failed: retried like a failed sending
        return _failed(email, exc)
    try:
        message.send()
    except Exception as exc:
        return _failed(email, exc)
    # A rendered row keeps the text (and the Message-ID) that left, like any other row.
    written = (
        {"subject": message.subject, "body": message.body, "headers": message.extra_headers}
        if email.renderer
        else {}
    )
    OutboxEmail.objects.filter(pk=email_id).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), claimed_until=None, **written
    )
    return True


def _failed(email: OutboxEmail, exc: Exception) -> bool:
    """Record a failed attempt: False when it was the last one, else OutboxDeliveryFailed
    (another attempt is due after the back-off)."""
    email_id = email.pk
    error = f"{type(exc).__name__}: {exc}"[:2000]
    retry_in = _backoff(email.attempts)
    give_up = email.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxEmail.objects.filter(pk=email_id).update(
        claimed_until=None,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=retry_in),
        status=OutboxEmail.Status.FAILED if give_up else OutboxEmail.Status.QUEUED,
    )
    if give_up:
        logger.error(
            "outbox: gave up on email %s after %s attempts: %s", email_id, email.attempts, error
        )
        return False
    raise OutboxDeliveryFailed(email_id, retry_in, error) from exc


def outbox_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Hand to the workers every queued email that is due and not held by a worker (those
    whose dispatch failed, or whose retry was lost with the broker), and forget sent ones
    after OUTBOX_KEEP_SENT_DAYS. Returns how many were handed over."""
    now = now or timezone.now()
    due = list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.QUEUED, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    handed = outbox_dispatch(email_ids=due)
    OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENT,
        sent_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS),
    ).delete()
    if due:
        logger.info("outbox sweep: %d due, %d handed to workers", len(due), handed)
    return handed
