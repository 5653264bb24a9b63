"""The transactional outbox: an email is a row written in the caller's transaction; it
leaves through a task that claims it, retries with back-off and sends it once; a broker
that is down never fails the request, and the sweep sends what it missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction

from consent.sending import marketing_send
from tests.conftest import client_for
from vetpass.outbox.models import OutboxEmail
from vetpass.outbox.services import OutboxDeliveryFailed, outbox_send, outbox_sweep

from .conftest import broker_at, free_port, outage_actions

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
FAILING = "tests.outbox.test_outbox.RefusingBackend"


class RefusingBackend:
    """An SMTP server that is down."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def _queue_one(**kwargs) -> OutboxEmail:
    send_mail("Hello", "Body", None, ["alice@example.com"], **kwargs)
    return OutboxEmail.objects.get()


def test_an_email_is_rolled_back_with_the_transaction_that_caused_it(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Hello", "Body", None, ["alice@example.com"])
        raise RuntimeError("the change failed")
    assert OutboxEmail.objects.count() == 0


def test_an_email_leaves_once_its_transaction_commits(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _queue_one()
    assert (email.status, mail.outbox) == ("queued", [])
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_an_invitation_answers_and_waits_in_the_outbox_when_the_broker_is_down(
    outbox, alice, rex, django_capture_on_commit_callbacks
):
    dead_broker = broker_at(f"redis://127.0.0.1:{free_port()}/0")
    with dead_broker, django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            f"/animals/{rex.pk}/co-owners/", {"email": "bob@example.com", "permission": "view"}
        )
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert (email.to, email.status, email.attempts) == (["bob@example.com"], "queued", 0)
    assert mail.outbox == []
    # The broker is back: the sweep hands the email to a worker (in-process here).
    assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_every_action_of_the_issue_answers_with_the_broker_down_and_its_email_waits(
    outbox, reference_data, django_capture_on_commit_callbacks
):
    dead_broker = broker_at(f"redis://127.0.0.1:{free_port()}/0")
    with dead_broker, django_capture_on_commit_callbacks(execute=True):
        answers = outage_actions()
    assert {k: v for k, v in answers.items() if not 200 <= v < 400} == {}
    assert OutboxEmail.objects.filter(status="queued", attempts=0).count() == 5
    assert mail.outbox == []
    assert outbox_sweep() == 5
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com",
        "bob@example.com",
        "bob@example.com",
        "newbie@example.com",
        "nina@example.com",
    ]


def test_an_email_is_sent_once_when_two_workers_are_given_it(outbox):
    email = _queue_one()
    assert outbox_send(email_id=email.pk) is True
    assert outbox_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_an_email_another_worker_holds_is_left_alone(outbox, time_machine):
    time_machine.move_to(NOW)
    email = _queue_one()
    OutboxEmail.objects.filter(pk=email.pk).update(claimed_until=NOW + timedelta(minutes=5))
    assert outbox_send(email_id=email.pk) is False
    assert outbox_sweep() == 0
    assert mail.outbox == []
    # A worker that died holding it lets go when its claim ends.
    time_machine.move_to(NOW + timedelta(minutes=6))
    assert outbox_send(email_id=email.pk) is True
    assert len(mail.outbox) == 1


def test_a_failed_attempt_is_retried_with_exponential_backoff(outbox, settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.OUTBOX_DELIVERY_BACKEND = FAILING
    email = _queue_one()
    delays = []
    for _ in range(3):
        with pytest.raises(OutboxDeliveryFailed) as failed:
            outbox_send(email_id=email.pk)
        delays.append(failed.value.retry_in)
    email.refresh_from_db()
    assert delays == [30, 60, 120]
    assert (email.status, email.attempts, email.claimed_until) == ("queued", 3, None)
    assert email.next_attempt_at == NOW + timedelta(seconds=120)
    assert "Connection refused" in email.last_error
    # Not due yet, so the sweep leaves it to the pending retry.
    assert outbox_sweep() == 0
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(NOW + timedelta(seconds=121), tick=False)
    assert outbox_sweep() == 1
    email.refresh_from_db()
    assert (email.status, len(mail.outbox)) == ("sent", 1)


def test_the_outbox_gives_up_after_the_last_attempt(outbox, settings):
    settings.OUTBOX_DELIVERY_BACKEND = FAILING
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = _queue_one()
    with pytest.raises(OutboxDeliveryFailed):
        outbox_send(email_id=email.pk)
    assert outbox_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 2)


def test_html_headers_and_attachments_survive_the_outbox(outbox):
    message = EmailMultiAlternatives(
        "Report", "Text", None, ["alice@example.com"], headers={"X-Case": "7"}
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("report.csv", b"a,b\n1,2\n", "text/csv")
    message.send()
    outbox_send(email_id=OutboxEmail.objects.get().pk)
    (sent,) = mail.outbox
    assert sent.alternatives[0][0] == "<p>HTML</p>"
    assert sent.extra_headers["X-Case"] == "7" and "Message-ID" in sent.extra_headers
    assert sent.attachments[0][:3] == ("report.csv", "a,b\n1,2\n", "text/csv")


def test_marketing_mail_keeps_its_list_unsubscribe_headers(outbox, alice):
    from consent.services import consent_grant

    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    marketing_send(subject="News", body="Hello", recipients=[alice.pk])
    row = OutboxEmail.objects.get()
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    outbox_send(email_id=row.pk)
    assert "/privacy/unsubscribe/" in mail.outbox[0].extra_headers["List-Unsubscribe"]


def test_the_sweep_is_a_beat_entry_applied_by_name_that_keeps_admin_changes():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from vetpass.schedule import OUTBOX_SWEEP, periodic_tasks_apply

    entry = PeriodicTask.objects.get(name=OUTBOX_SWEEP)  # applied by migrate
    assert (entry.task, entry.interval.every, entry.enabled) == ("outbox.sweep", 60, True)
    slower, _ = IntervalSchedule.objects.get_or_create(every=300, period="seconds")
    PeriodicTask.objects.filter(pk=entry.pk).update(interval=slower)
    periodic_tasks_apply()
    assert PeriodicTask.objects.get(name=OUTBOX_SWEEP).interval == slower
    assert PeriodicTask.objects.filter(name=OUTBOX_SWEEP).count() == 1
