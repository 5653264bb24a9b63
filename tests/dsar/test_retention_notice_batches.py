"""The notice step at scale (bench/retention.py): the template is rendered once per chunk and
distinct (removal date, number of animals), so every owner's email must still read exactly
as the template says for that owner; and a sweep of several chunks hands every email to
the outbox workers, which send each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.template.loader import render_to_string

from dsar.models import InactivityNotice, InactivityReminder
from dsar.retention import notices as retention_notices
from dsar.retention import sweep as sweep_module
from dsar.retention.sweep import retention_sweep
from tests.factories import AnimalFactory, UserFactory
from vetpass.outbox import services as outbox_services
from vetpass.outbox.models import OutboxEmail
from vetpass.outbox.services import OutboxDeliveryFailed, outbox_message, outbox_send

LAST_USE = datetime(2025, 3, 10, 12, tzinfo=UTC)
NOTICE_DUE = datetime(2026, 9, 10, 12, tzinfo=UTC)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(reference_data):
    """Owners with no name, no animal, one animal (singular) and several, last active on
    different days."""
    made = []
    for i, (name, animals) in enumerate([("", 0), ("Ann One", 1), ("Bo Three", 3), ("Cy", 0)]):
        owner = UserFactory(
            email=f"owner{i}@example.com",
            full_name=name,
            last_activity_at=LAST_USE - timedelta(days=100 * (i % 2)),
        )
        for n in range(animals):
            AnimalFactory(owner=owner, name=f"Pet {i}-{n}")
        made.append((owner, animals))
    return made


def _as_the_template_says(template: str, owner, animals: int, removal, **extra) -> tuple[str, str]:
    notice = InactivityNotice.objects.filter(owner=owner).latest("pk")
    text = render_to_string(
        template,
        {
            "name": owner.full_name or "there",
            "removal_on": f"{removal:%d %B %Y}",
            "animals": animals,
            "keep_url": retention_notices.keep_url(notice),
            **extra,
        },
    )
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def test_each_notice_and_reminder_reads_exactly_as_the_template_says_for_its_owner(owners):
    retention_sweep(now=NOTICE_DUE)
    by_owner = {n.owner_id: n for n in InactivityNotice.objects.select_related("email")}
    for owner, animals in owners:
        notice = by_owner[owner.pk]
        expected = _as_the_template_says(
            "dsar/email/inactivity_notice.txt", owner, animals, notice.stated_removal_at
        )
        leaving = outbox_message(notice.email)  # written from the notice when it leaves
        assert (leaving.subject, leaving.body) == expected
        assert notice.email.to == leaving.to == [owner.email]
    # Delivered a day apart: one chunk of reminders holds four removal dates.
    for i, (owner, _) in enumerate(owners):
        sent = NOTICE_DUE + timedelta(days=i)
        OutboxEmail.objects.filter(to=[owner.email]).update(status="sent", sent_at=sent)
    retention_sweep(now=NOTICE_DUE + timedelta(days=5))
    removals = set(InactivityNotice.objects.values_list("removal_at", flat=True))
    assert len(removals) == len(owners)
    retention_sweep(now=max(removals) - timedelta(days=7))
    assert InactivityReminder.objects.count() == len(owners)
    for owner, animals in owners:
        notice = InactivityNotice.objects.get(owner=owner)
        reminder = OutboxEmail.objects.filter(to=[owner.email]).latest("pk")
        expected = _as_the_template_says(
            "dsar/email/inactivity_reminder.txt", owner, animals, notice.removal_at, days=7
        )
        assert (reminder.subject, reminder.body) == expected


def test_a_sweep_of_several_chunks_hands_every_notice_to_the_workers_once(
    owners, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM
    settings.OUTBOX_DISPATCH_BATCH = 2
    monkeypatch.setattr(sweep_module, "CHUNK", 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_sweep(now=NOTICE_DUE).noticed == len(owners)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o, _ in owners)
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_sweep(now=NOTICE_DUE + timedelta(hours=1)).noticed == 0
    assert len(mail.outbox) == len(owners)


def test_the_notices_built_in_sql_carry_the_owners_words_verbatim_and_a_working_keep_link(
    reference_data,
):
    """The notice step writes the notices and their outbox rows in SQL, and the worker
    writes each email's text from its notice: a name that looks like SQL, a template slot
    or a format string is printed as given; each email has its own Message-ID, the same on
    every attempt; the link is the token Django signs, so it opens the owner's account and
    no other."""
    names = ["O'Brien; DROP TABLE x --", "\x01keep\x01 %(now)s {{ name }} \\n", "Zoë 🐕"]
    made = [
        UserFactory(email=f"odd{i}@example.com", full_name=name, last_activity_at=LAST_USE)
        for i, name in enumerate(names)
    ]
    assert retention_sweep(now=NOTICE_DUE).noticed == len(made)
    message_ids = set()
    for owner in made:
        notice = InactivityNotice.objects.select_related("email").get(owner=owner)
        expected = _as_the_template_says(
            "dsar/email/inactivity_notice.txt", owner, 0, notice.stated_removal_at
        )
        leaving = outbox_message(notice.email)
        assert (leaving.subject, leaving.body) == expected
        assert f"Hello {owner.full_name}," in leaving.body
        assert retention_notices.keep_token_owner(retention_notices.keep_token(notice)) == owner
        message_ids.add(leaving.extra_headers["Message-ID"])
        assert outbox_message(notice.email).extra_headers["Message-ID"] in message_ids
        assert notice.email.status == "queued" and notice.email.from_email
    assert len(message_ids) == len(made)
    assert all(m.startswith("<") and m.endswith(">") and "@" in m for m in message_ids)


def test_the_notice_step_writes_its_chunks_in_owner_order(reference_data, monkeypatch):
    """Each chunk is a run of neighbouring accounts (bench/retention.py: in the order of
    last use, every chunk wrote all over the notices' owner indexes, and the sweep's cost
    per chunk grew with the table). The accounts' rows are rewritten in reverse, so that
    neither a scan of the table nor one of the last-use index gives them in owner order."""
    monkeypatch.setattr(sweep_module, "CHUNK", 2)
    made = [
        UserFactory(email=f"o{i}@example.com", last_activity_at=LAST_USE - timedelta(days=i))
        for i in range(7)
    ]
    for owner in reversed(made):
        owner.full_name = f"Owner {owner.pk}"
        owner.save(update_fields=["full_name"])
    assert retention_sweep(now=NOTICE_DUE).noticed == len(made)
    by_notice = InactivityNotice.objects.order_by("pk").values_list("owner_id", flat=True)
    assert list(by_notice) == sorted(o.pk for o in made)


def test_a_notice_email_leaves_through_the_worker_once_and_its_row_keeps_the_text_that_left(
    owners, settings
):
    """The outbox row of a notice holds the address and the notice, not the text: the
    worker writes the text from the notice when it sends, sends it once, and the sent row
    records what left (for delivery questions)."""
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM
    retention_sweep(now=NOTICE_DUE)
    owner, animals = owners[2]
    notice = InactivityNotice.objects.select_related("email").get(owner=owner)
    assert notice.email.renderer and not notice.email.body  # nothing rendered in the sweep
    expected = _as_the_template_says(
        "dsar/email/inactivity_notice.txt", owner, animals, notice.stated_removal_at
    )
    assert outbox_send(email_id=notice.email_id) is True
    assert outbox_send(email_id=notice.email_id) is False  # at most once
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to) == (*expected, [owner.email])
    row = OutboxEmail.objects.get(pk=notice.email_id)
    assert (row.status, row.subject, row.body) == ("sent", *expected)
    assert row.headers["Message-ID"] == sent.extra_headers["Message-ID"]


def test_a_notice_email_whose_notice_is_gone_is_not_sent_and_not_retried(owners, settings):
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.filter(owner=owners[0][0]).get()
    email_id = notice.email_id
    notice.delete()
    assert outbox_send(email_id=email_id) is False
    assert mail.outbox == []
    assert OutboxEmail.objects.get(pk=email_id).status == "failed"


def test_a_notice_email_whose_text_cannot_be_written_now_is_retried(owners, settings, monkeypatch):
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.filter(owner=owners[1][0]).get()

    def broken(notice_id):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setitem(outbox_services._RENDERERS, retention_notices.NOTICE_RENDERER, broken)
    with pytest.raises(OutboxDeliveryFailed):
        outbox_send(email_id=notice.email_id)
    email = OutboxEmail.objects.get(pk=notice.email_id)
    assert (email.status, email.attempts, mail.outbox) == ("queued", 1, [])
    monkeypatch.undo()
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=NOTICE_DUE)
    assert outbox_send(email_id=email.pk) is True
    assert len(mail.outbox) == 1


def test_an_owner_another_sweep_told_after_the_candidates_were_read_is_skipped(owners, monkeypatch):
    """The chunk's INSERT is a plain one (the candidates were not yet told); if another
    sweep tells one of them in between, the chunk is written again skipping that owner:
    one notice and one email per owner still."""
    real = sweep_module.notice_candidates
    first = owners[1][0]

    def then_another_sweep_tells_one(*, now):  # type: ignore[no-untyped-def]
        found = real(now=now)
        InactivityNotice.objects.create(
            owner=first, period_start=first.last_activity_at, stated_removal_at=now
        )
        return found

    monkeypatch.setattr(sweep_module, "notice_candidates", then_another_sweep_tells_one)
    assert retention_sweep(now=NOTICE_DUE).noticed == len(owners) - 1
    for owner, _ in owners:
        assert InactivityNotice.objects.filter(owner=owner).count() == 1
    assert OutboxEmail.objects.count() == len(owners) - 1
    assert not OutboxEmail.objects.filter(to=[first.email]).exists()
