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
from vetpass.outbox.models import OutboxEmail

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
        assert (notice.email.subject, notice.email.body) == expected
        assert notice.email.to == [owner.email]
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
    """The notice step writes the emails in SQL: a name that looks like SQL, a template
    slot or a format string is printed as given; each email has its own Message-ID; the
    link is the token Django signs, so it opens the owner's account and no other."""
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
        assert (notice.email.subject, notice.email.body) == expected
        assert f"Hello {owner.full_name}," in notice.email.body
        assert retention_notices.keep_token_owner(retention_notices.keep_token(notice)) == owner
        message_ids.add(notice.email.headers["Message-ID"])
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
