"""Issue 7, done when: "With SMTP and the broker stopped, every action above (invitation,
sign-up, staff creation, emergency-share redeem, password reset) still answers 2xx/3xx and
its email goes out once they are back — a test with a real worker".

The actions run in this process with the broker URL on a dead port and no SMTP server;
then a real Celery worker starts on the real broker while SMTP is still down (its attempts
fail and are retried with back-off), then an SMTP sink starts on 127.0.0.1 and every email
must arrive there exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from vetpass.outbox.models import OutboxEmail

from .conftest import broker_at, free_port, outage_actions

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


class Sink:
    """A real SMTP server that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = message_from_bytes(envelope.content)
        self.messages.append((list(envelope.rcpt_tos), parsed["Subject"], parsed["Message-ID"]))
        return "250 OK"


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(condition, seconds: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, "the worker stopped"
        time.sleep(0.3)
    raise AssertionError(
        "timed out: "
        + repr(list(OutboxEmail.objects.values_list("to", "status", "attempts", "last_error")))
    )


def test_with_smtp_and_the_broker_down_every_action_answers_and_its_email_arrives_once_back(
    reference_data, outbox
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share: set DATABASE_URL")
    from aiosmtpd.controller import Controller

    smtp_port = free_port()
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        answers = outage_actions()
    assert {k: v for k, v in answers.items() if not 200 <= v < 400} == {}
    queued = list(OutboxEmail.objects.order_by("pk").values_list("to", "status", "attempts"))
    assert sorted(t[0] for t, _, _ in queued) == [
        "alice@example.com",  # your emergency share was used
        "bob@example.com",  # the invitation
        "bob@example.com",  # password reset
        "newbie@example.com",  # confirm your address
        "nina@example.com",  # choose your password
    ]
    assert {(s, a) for _, s, a in queued} == {("queued", 0)}

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=_test_database_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        EMAIL_TIMEOUT="5",
        OUTBOX_RETRY_BASE_SECONDS="1",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    name = f"outbox-{uuid.uuid4().hex[:8]}@localhost"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vetpass", "worker", "--pool=solo",
         "--loglevel=INFO", f"--hostname={name}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    try:
        # The worker's start-up sweep hands it every queued email; SMTP is still down.
        _wait_for(lambda: not OutboxEmail.objects.filter(attempts=0).exists(), 45, worker)
        assert not OutboxEmail.objects.exclude(status="queued").exists()
        assert sink.messages == []

        controller.start()  # SMTP is back: the retries deliver
        _wait_for(lambda: not OutboxEmail.objects.exclude(status="sent").exists(), 45, worker)
        time.sleep(1.5)  # a duplicate would arrive now
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if controller._thread is not None:
            controller.stop()

    delivered = sorted(rcpt[0] for rcpt, _, _ in sink.messages)
    assert delivered == sorted(t[0] for t, _, _ in queued)
    assert len({message_id for _, _, message_id in sink.messages}) == len(sink.messages) == 5
    subjects = " | ".join(subject for _, subject, _ in sink.messages)
    assert "Your emergency share was used" in subjects and "Riverside Vets" in subjects
