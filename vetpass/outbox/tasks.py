"""Outbox tasks: they get ids, reload the row, and claim it before sending."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from .services import (
    OutboxDeliveryFailed,
    outbox_dispatch_batches,
    outbox_send,
    outbox_send_many,
    outbox_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(name="outbox.send", bind=True, max_retries=None, acks_late=True)
def outbox_send_task(self: Any, email_id: int) -> bool:
    try:
        return outbox_send(email_id=email_id)
    except OutboxDeliveryFailed as exc:
        # Exponential back-off; the row's next_attempt_at says the same, so if this retry
        # is lost (the broker went away) the sweep picks the email up at that time.
        raise self.retry(countdown=exc.retry_in, exc=exc) from None


@shared_task(name="outbox.send_many", acks_late=True)
def outbox_send_many_task(email_ids: list[int]) -> int:
    # Redelivered after a worker died half-way: what was sent is skipped (claimed, sent).
    return outbox_send_many(email_ids=email_ids)


@shared_task(name="outbox.dispatch", acks_late=True)
def outbox_dispatch_task(email_ids: list[int]) -> int:
    # A sweep chunk's thousands of ids, split here into send batches. Redelivered after a
    # worker died half-way: the batches are handed over again, and each email, claimed
    # before it is sent, still leaves once. What the broker refuses waits for the sweep.
    return outbox_dispatch_batches(email_ids=email_ids)


@shared_task(name="outbox.sweep")
def outbox_sweep_task() -> int:
    return outbox_sweep()


@worker_ready.connect
def _sweep_when_a_worker_starts(**kwargs: Any) -> None:
    """A worker coming back after an outage sends what waited, without waiting for beat."""
    try:
        outbox_sweep_task.delay()
    except Exception:
        logger.exception("outbox: could not queue the start-up sweep")
