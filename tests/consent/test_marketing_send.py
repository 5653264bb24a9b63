"""The one sender for non-transactional email asks the ledger at send time, per recipient,
in a bounded number of queries, and obeys withdrawals, objections and restrictions."""

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from consent.models import Action, ConsentEvent, Purpose, event_hash
from consent.sending import marketing_send, transactional_send
from consent.services import consent_grant, consent_object, consent_withdraw
from vetpass.accounts.models import User

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)
LAST_MONTH = NOW - timedelta(days=30)


def _bulk_events(specs, purposes):
    """specs: (user, [(purpose_code, action, when), ...]) → correctly chained events."""
    events = []
    for user, steps in specs:
        prev = ""
        for sequence, (code, action, when) in enumerate(steps, start=1):
            event = ConsentEvent(
                subject_key=f"user:{user.pk}",
                subject_user_id=user.pk,
                purpose=purposes[code],
                action=action,
                actor_id=user.pk,
                channel="web",
                created_at=when,
                sequence=sequence,
                prev_hash=prev,
            )
            event.hash = event_hash(event)
            prev = event.hash
            events.append(event)
    ConsentEvent.objects.bulk_create(events, batch_size=2000)


@pytest.fixture
def mailing_list(reference_data):
    """10,000 people: a third never consented, some withdrew yesterday, some objected, some
    are restricted; the rest consent (and some of those also allow tracking pixels)."""
    rng = random.Random(20260310)
    users = User.objects.bulk_create(
        [
            User(email=f"reader{n}@bulk.example", password="!", date_joined=LAST_MONTH)
            for n in range(10_000)
        ],
        batch_size=2000,
    )
    if users[0].pk is None:  # backends that do not return ids from bulk_create
        users = list(User.objects.filter(email__endswith="@bulk.example").order_by("id"))
    purposes = {p.code: p for p in Purpose.objects.all()}
    expected, pixel, restricted_ids, specs = set(), set(), [], []
    for user in users:
        roll = rng.random()
        if roll < 1 / 3:
            continue  # never asked: no consent
        steps = [("marketing_email", Action.GRANT, LAST_MONTH)]
        if roll < 0.45:
            steps.append(("marketing_email", Action.WITHDRAW, YESTERDAY))
        elif roll < 0.50:
            steps.append(("marketing_email", Action.OBJECT, YESTERDAY))
        elif roll < 0.55:
            restricted_ids.append(user.pk)
        else:
            expected.add(user.email)
            if rng.random() < 0.5:
                steps.append(("tracking_pixels", Action.GRANT, LAST_MONTH))
                pixel.add(user.email)
        specs.append((user, steps))
    _bulk_events(specs, purposes)
    User.objects.filter(pk__in=restricted_ids).update(restricted_at=YESTERDAY)
    return {"expected": expected, "pixel": pixel, "restricted": len(restricted_ids)}


@pytest.mark.django_db
def test_a_send_to_10000_people_reaches_exactly_those_who_consent_now(
    mailing_list, django_assert_max_num_queries
):
    assert 4_000 < len(mailing_list["expected"]) < 5_000
    assert mailing_list["restricted"] > 300
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(4):
        report = marketing_send(
            subject="Spring vaccinations",
            body="Book your dog's booster.",
            recipients=User.objects.filter(email__endswith="@bulk.example"),
            campaign="spring-2026",
        )
    delivered = {m.to[0] for m in mail.outbox}
    assert delivered == mailing_list["expected"]
    assert len(mail.outbox) == len(delivered)  # nobody twice
    assert report.sent == len(mailing_list["expected"])
    assert report.considered == 10_000
    assert report.skipped == 10_000 - report.sent
    with_pixel = {m.to[0] for m in mail.outbox if "/privacy/email/open/" in m.alternatives[0][0]}
    assert with_pixel == mailing_list["pixel"]


def test_a_withdrawal_a_moment_before_the_send_is_obeyed(alice, bob):
    with time_machine.travel(YESTERDAY, tick=False):
        consent_grant(subject=alice, purpose="marketing_email", channel="web")
        consent_grant(subject=bob, purpose="marketing_email", channel="web")
    with time_machine.travel(NOW, tick=False):
        consent_withdraw(subject=bob, purpose="marketing_email", channel="web")
        marketing_send(subject="News", body="Hello", recipients=[alice.pk, bob.pk])
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_an_objection_stops_marketing_at_once(alice):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    consent_object(subject=alice, purpose="marketing_email", channel="web")
    report = marketing_send(subject="News", body="Hello", recipients=[alice.pk])
    assert (report.sent, mail.outbox) == (0, [])


def test_a_restricted_person_gets_no_marketing_even_with_consent(alice):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    User.objects.filter(pk=alice.pk).update(restricted_at=NOW)
    marketing_send(subject="News", body="Hello", recipients=[alice.pk])
    assert mail.outbox == []


def test_every_marketing_email_carries_one_click_unsubscribe_headers(alice):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    marketing_send(subject="News", body="Hello", recipients=[alice.pk])
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and "/privacy/unsubscribe/" in header
    url = header.strip("<>").split(">")[0]
    assert url in message.body  # the same link in the body, for people
    assert "/privacy/email/open/" not in message.alternatives[0][0]  # no pixel without consent


def test_the_tracking_pixel_is_added_only_with_consent_to_tracking(alice, bob):
    for person in (alice, bob):
        consent_grant(subject=person, purpose="marketing_email", channel="web")
    consent_grant(subject=bob, purpose="tracking_pixels", channel="web")
    marketing_send(subject="News", body="Hello", recipients=[alice.pk, bob.pk])
    html = {m.to[0]: m.alternatives[0][0] for m in mail.outbox}
    assert "/privacy/email/open/" not in html[alice.email]
    assert "/privacy/email/open/" in html[bob.email]


def test_transactional_email_is_never_blocked_by_marketing_choices(alice):
    consent_object(subject=alice, purpose="marketing_email", channel="web")
    User.objects.filter(pk=alice.pk).update(restricted_at=NOW)
    sent = transactional_send(
        to=[alice.email], subject="Your access request", body="We received your request."
    )
    assert sent == 1 and mail.outbox[0].to == [alice.email]
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_a_queued_send_asks_the_ledger_when_it_runs(alice, bob):
    from consent.tasks import marketing_send_task

    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    result = marketing_send_task.delay(subject="News", body="Hi", recipient_ids=[alice.pk, bob.pk])
    assert result.get() == {"considered": 2, "sent": 1, "skipped": 1}
    assert [m.to for m in mail.outbox] == [[alice.email]]
