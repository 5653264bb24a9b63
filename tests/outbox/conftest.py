from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

OUTBOX_BACKEND = "vetpass.outbox.backends.OutboxBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def outbox(settings):
    """Email goes through the outbox as in production (Django's test runner swaps
    EMAIL_BACKEND for locmem); the send task delivers to locmem's mail.outbox."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app at `url` (a dead port: the broker is down) and stop
    running tasks in-process, as a web process in production would."""
    from vetpass.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _forget_connections(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _forget_connections(app)


def _forget_connections(app) -> None:
    # What Celery does after a fork; app.close() would also unregister the app, and
    # shared tasks imported later would then be missing from it.
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
