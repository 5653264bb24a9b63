"""Many emails at once (a retention sweep's chunk of thousands): one bulk insert with the
rows exactly as one at a time would write them, handed to the workers as one task that a
worker splits into OUTBOX_DISPATCH_BATCH ids per send task, every email still claimed and
sent once, and nothing lost when the broker or the mail server is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from vetpass.outbox import tasks as outbox_tasks
from vetpass.outbox.models import OutboxEmail
from vetpass.outbox.services import (
    outbox_dispatch_batches,
    outbox_enqueue,
    outbox_send_many,
    outbox_sweep,
)

from .conftest import broker_at, free_port

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
REFUSING_BAD = "tests.outbox.test_outbox_batches.RefusesBad"


class RefusesBad:
    """A mail server that refuses one address and takes every other."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if any("bad@" in address for m in messages for address in m.to):
            raise ConnectionRefusedError(111, "Connection refused")
        mail.outbox.extend(messages)
        return len(messages)


def _messages(n: int) -> list[EmailMessage]:
    return [EmailMessage(f"Notice {i}", f"Body {i}", None, [f"o{i}@example.com"]) for i in range(n)]


def _fields(row: OutboxEmail) -> dict:
    fields = {
        f.name: getattr(row, f.attname)
        for f in OutboxEmail._meta.concrete_fields
        if f.name not in ("id", "created_at", "next_attempt_at")
    }
    fields["headers"] = {k: v for k, v in row.headers.items() if k != "Message-ID"}
    return fields


def test_a_bulk_insert_writes_each_row_as_one_at_a_time_would(outbox):
    html = EmailMultiAlternatives(
        "Hi", "Plain", "dpo@vetpass.example", ["a@example.com"], cc=["c@example.com"],
        headers={"List-Unsubscribe": "<https://vetpass.example/u/1>"},
    )  # fmt: skip
    html.attach_alternative("<p>Hi</p>", "text/html")
    html.attach("note.txt", b"\x00\x01bytes", "text/plain")
    messages = [html, *_messages(3)]
    with transaction.atomic():
        alone = [outbox_enqueue(messages=[m])[0] for m in messages]
        together = outbox_enqueue(messages=messages)
    assert together == sorted(together)
    for one, many in zip(alone, together, strict=True):
        stored, single = OutboxEmail.objects.get(pk=many), OutboxEmail.objects.get(pk=one)
        assert _fields(stored) == _fields(single)
        assert stored.headers["Message-ID"] != single.headers["Message-ID"]


def test_many_emails_are_handed_over_in_batches_and_each_is_sent_once(
    outbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DISPATCH_BATCH = 3
    batches: list[list[int]] = []
    real = outbox_tasks.outbox_send_many_task.apply_async

    def recording(args, **kwargs):
        batches.append(list(args[0]))
        return real(args, **kwargs)

    monkeypatch.setattr(outbox_tasks.outbox_send_many_task, "apply_async", recording)
    handovers: list[list[int]] = []
    real_split = outbox_tasks.outbox_dispatch_task.apply_async

    def recording_split(args, **kwargs):
        handovers.append(list(args[0]))
        return real_split(args, **kwargs)

    monkeypatch.setattr(outbox_tasks.outbox_dispatch_task, "apply_async", recording_split)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = outbox_enqueue(messages=_messages(8))
    ids = rows
    # The committing process hands over one task; the worker splits it into batches.
    assert handovers == [ids]
    assert batches == [ids[0:3], ids[3:6], ids[6:8]]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"o{i}@example.com" for i in range(8))
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}
    # A batch delivered again (a worker died after sending) sends nothing twice.
    assert outbox_send_many(email_ids=ids) == 0
    assert len(mail.outbox) == 8
    # The split task delivered again (a worker died after splitting) sends nothing twice.
    assert outbox_dispatch_batches(email_ids=ids) == 8
    assert len(mail.outbox) == 8


def test_a_few_emails_go_straight_into_send_tasks_without_a_split_task(
    outbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DISPATCH_BATCH = 3
    handovers: list[list[int]] = []
    monkeypatch.setattr(
        outbox_tasks.outbox_dispatch_task,
        "apply_async",
        lambda args, **kwargs: handovers.append(list(args[0])),
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_enqueue(messages=_messages(3))
    assert handovers == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"o{i}@example.com" for i in range(3))


def test_with_the_broker_down_after_the_split_the_unqueued_batches_wait_for_the_sweep(
    outbox, settings
):
    settings.OUTBOX_DISPATCH_BATCH = 3
    with transaction.atomic():
        ids = outbox_enqueue(messages=_messages(7))
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        outbox_dispatch_batches(email_ids=ids)  # the worker's split, the broker gone
    assert mail.outbox == []
    assert OutboxEmail.objects.filter(status="queued").count() == 7
    assert outbox_sweep() == 7
    assert len(mail.outbox) == 7


def test_with_the_broker_down_a_batch_waits_and_the_sweep_sends_every_email(
    outbox, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DISPATCH_BATCH = 3
    with (
        broker_at(f"redis://127.0.0.1:{free_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        outbox_enqueue(messages=_messages(7))
    assert mail.outbox == []
    assert OutboxEmail.objects.filter(status="queued").count() == 7
    assert outbox_sweep() == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"o{i}@example.com" for i in range(7))


def test_a_refused_email_in_a_batch_stops_none_of_the_others_and_is_sent_later(
    outbox, settings, time_machine
):
    settings.OUTBOX_DELIVERY_BACKEND = REFUSING_BAD
    time_machine.move_to(NOW, tick=False)
    with transaction.atomic():
        rows = outbox_enqueue(
            messages=[*_messages(2), EmailMessage("N", "B", None, ["bad@example.com"])]
        )
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):  # its retry cannot be queued either
        assert outbox_send_many(email_ids=rows) == 2
    bad = OutboxEmail.objects.get(pk=rows[2])
    assert (bad.status, bad.attempts) == ("queued", 1)
    assert bad.next_attempt_at > NOW
    assert sorted(m.to[0] for m in mail.outbox) == ["o0@example.com", "o1@example.com"]
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(bad.next_attempt_at + timedelta(seconds=1), tick=False)
    assert outbox_sweep() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bad@example.com",
        "o0@example.com",
        "o1@example.com",
    ]
