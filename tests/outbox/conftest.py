from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse

from records.practices import services as practice_services
from tests.conftest import client_for
from tests.factories import AnimalFactory, MembershipFactory, PracticeFactory, UserFactory
from vetpass.outbox.models import OutboxEmail

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


def outage_actions() -> dict[str, int]:
    """The five actions of the issue, each through its web door; their status codes."""
    alice = UserFactory(email="alice@example.com", full_name="Alice Owner")
    UserFactory(email="bob@example.com", full_name="Bob Other")
    rex = AnimalFactory(owner=alice, name="Rex")
    riverside = PracticeFactory(name="Riverside Vets")
    pat = UserFactory(email="pat.admin@example.com")
    MembershipFactory(practice=riverside, user=pat, is_practice_admin=True)
    harbour = PracticeFactory(name="Harbour Emergency Clinic")
    erin = UserFactory(email="erin.vet@example.com")
    MembershipFactory(practice=harbour, user=erin)
    share = practice_services.emergency_share_create(owner=alice, animals=[rex])
    OutboxEmail.objects.all().delete()  # only the five actions' email counts below

    anonymous = Client()
    return {
        "invitation": client_for(alice)
        .post(f"/animals/{rex.pk}/co-owners/", {"email": "bob@example.com", "permission": "view"})
        .status_code,
        "sign-up": anonymous.post(
            reverse("account_signup"),
            {
                "email": "newbie@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
                "full_name": "New Person",
                "date_of_birth": "1990-01-01",
                "country": "GB",
                "region": "",
            },
        ).status_code,
        "staff creation": client_for(pat)
        .post(
            f"/workspace/{riverside.pk}/staff/new/",
            {"full_name": "Nina Nurse", "email": "nina@example.com", "role": "nurse"},
        )
        .status_code,
        "emergency-share redeem": client_for(erin)
        .post(f"/workspace/{harbour.pk}/redeem/", {"code": share.code})
        .status_code,
        "password reset": Client()
        .post(reverse("account_reset_password"), {"email": "bob@example.com"})
        .status_code,
    }
