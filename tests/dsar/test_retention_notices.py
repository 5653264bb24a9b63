"""The inactivity notice and its reminders (issue 9): 18 months without use gives one notice
stating the removal date, sent once however many sweeps run; delivery fixes the removal
date; any use cancels it; held owners are reported, not noticed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command

from dsar import services as dsar_services
from dsar.models import InactivityNotice, InactivityReminder, RetentionRun
from dsar.retention import notices as retention_notices
from dsar.retention.sweep import retention_sweep
from tests.dsar.conftest import case_for
from tests.factories import UserFactory
from vetpass.accounts.services import activity_record
from vetpass.outbox.models import OutboxEmail
from vetpass.outbox.services import outbox_message

LAST_USE = datetime(2025, 3, 10, 12, tzinfo=UTC)
NOTICE_DUE = datetime(2026, 9, 10, 12, tzinfo=UTC)  # 18 calendar months on
State = InactivityNotice.State

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle(reference_data):
    return UserFactory(email="idle@example.com", full_name="Ida Idle", last_activity_at=LAST_USE)


@pytest.fixture
def rex_of_idle(idle):
    from tests.factories import AnimalFactory

    return AnimalFactory(owner=idle, name="Rex", microchip="985112345678901")


def _mail_to(address: str) -> list[OutboxEmail]:
    return [m for m in OutboxEmail.objects.order_by("pk") if address in m.to]


def _deliver(notice: InactivityNotice, at: datetime) -> None:
    """What the outbox worker does when the mail server takes the message."""
    OutboxEmail.objects.filter(pk=notice.email_id).update(status="sent", sent_at=at)


def test_no_notice_a_day_before_18_months(idle):
    counts = retention_sweep(now=NOTICE_DUE - timedelta(days=1))
    assert counts.noticed == 0
    assert not InactivityNotice.objects.exists()


def test_at_18_months_one_notice_states_the_removal_date_and_the_keep_link(idle):
    counts = retention_sweep(now=NOTICE_DUE)
    assert counts.noticed == 1
    notice = InactivityNotice.objects.get()
    assert notice.owner == idle and notice.period_start == LAST_USE
    # 21 months after the last use, which is also three months after today.
    assert notice.stated_removal_at == datetime(2026, 12, 10, 12, tzinfo=UTC)
    [mail] = _mail_to("idle@example.com")
    assert notice.email_id == mail.pk
    leaving = outbox_message(mail)  # the text is written from the notice when it leaves
    assert "10 December 2026" in leaving.subject and "10 December 2026" in leaving.body
    assert retention_notices.keep_url(notice) in leaving.body


def test_a_notice_sent_late_states_three_months_from_the_sending(idle):
    late = NOTICE_DUE + timedelta(days=60)
    retention_sweep(now=late)
    notice = InactivityNotice.objects.get()
    assert notice.stated_removal_at == datetime(2027, 2, 9, 12, tzinfo=UTC)


def test_two_sweeps_send_one_notice(idle):
    retention_sweep(now=NOTICE_DUE)
    counts = retention_sweep(now=NOTICE_DUE + timedelta(hours=1))
    assert counts.noticed == 0
    assert InactivityNotice.objects.count() == 1
    assert len(_mail_to("idle@example.com")) == 1


def test_delivery_fixes_the_removal_date_three_months_after_it_at_the_earliest(idle):
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    delivered = NOTICE_DUE + timedelta(days=10)  # the mail server was down for ten days
    _deliver(notice, delivered)
    retention_sweep(now=delivered + timedelta(hours=1))
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.sent_at == delivered
    assert notice.removal_at == datetime(2026, 12, 20, 12, tzinfo=UTC)


def test_a_notice_that_could_not_be_delivered_waits_for_the_dpo(idle):
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    OutboxEmail.objects.filter(pk=notice.email_id).update(status="failed")
    counts = retention_sweep(now=NOTICE_DUE + timedelta(days=1))
    notice.refresh_from_db()
    assert notice.state == State.UNDELIVERABLE and counts.skipped == 1
    # Never removed silently: the removal step does not see it.
    later = retention_sweep(now=NOTICE_DUE + timedelta(days=200), dry_run=True)
    assert later.removed == 0


def test_any_use_cancels_the_notice_and_a_later_period_gets_its_own(idle):
    retention_sweep(now=NOTICE_DUE)
    back = NOTICE_DUE + timedelta(days=5)
    with time_machine.travel(back, tick=False):
        activity_record(user=idle, kind="sign-in")
    counts = retention_sweep(now=back + timedelta(hours=1))
    assert counts.cancelled == 1
    assert InactivityNotice.objects.get().state == State.CANCELLED
    # 18 months after that use, a new notice for the new period.
    retention_sweep(now=datetime(2028, 3, 15, 12, tzinfo=UTC))
    assert list(InactivityNotice.objects.order_by("pk").values_list("period_start", "state")) == [
        (LAST_USE, State.CANCELLED),
        (back, State.QUEUED),
    ]


def test_reminders_go_30_and_7_days_before_the_removal_once_each(idle):
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    _deliver(notice, NOTICE_DUE)
    retention_sweep(now=NOTICE_DUE + timedelta(hours=1))
    notice.refresh_from_db()
    removal = notice.removal_at
    assert retention_sweep(now=removal - timedelta(days=31)).reminded == 0
    assert retention_sweep(now=removal - timedelta(days=30)).reminded == 1
    assert retention_sweep(now=removal - timedelta(days=29)).reminded == 0
    assert retention_sweep(now=removal - timedelta(days=7)).reminded == 1
    assert retention_sweep(now=removal - timedelta(days=6)).reminded == 0
    assert sorted(InactivityReminder.objects.values_list("days_before", flat=True)) == [7, 30]
    subjects = [outbox_message(m).subject for m in _mail_to("idle@example.com")]
    assert len(subjects) == 3 and all("10 December 2026" in s for s in subjects)


def test_a_late_sweep_sends_only_the_nearer_reminder(idle):
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    _deliver(notice, NOTICE_DUE)
    retention_sweep(now=NOTICE_DUE + timedelta(hours=1))
    notice.refresh_from_db()
    assert retention_sweep(now=notice.removal_at - timedelta(days=5)).reminded == 1
    assert list(InactivityReminder.objects.values_list("days_before", flat=True)) == [7]


@pytest.mark.parametrize("exemption", ["legal hold", "open data-subject request", "restriction"])
def test_an_exempt_owner_is_reported_not_noticed(idle, dpo, exemption):
    if exemption == "legal hold":
        dsar_services.legal_hold_place(subject=idle, reason="Claim", actor=dpo)
    elif exemption == "open data-subject request":
        case_for(idle, LAST_USE + timedelta(days=1))
    else:
        idle.restricted_at = LAST_USE
        idle.save(update_fields=["restricted_at"])
    counts = retention_sweep(now=NOTICE_DUE)
    assert counts.noticed == 0 and counts.held == 1
    assert counts.held_reasons == {exemption: 1}
    assert not InactivityNotice.objects.exists()


def test_staff_and_unconfirmed_sign_ups_get_no_notice(reference_data):
    UserFactory(email="staff@example.com", is_staff=True, last_activity_at=LAST_USE)
    unconfirmed = UserFactory(email="new@example.com", last_activity_at=LAST_USE)
    EmailAddress.objects.create(user=unconfirmed, email=unconfirmed.email, verified=False)
    assert retention_sweep(now=NOTICE_DUE).noticed == 0


def test_an_account_never_used_counts_from_its_sign_up(reference_data):
    with time_machine.travel(LAST_USE, tick=False):
        UserFactory(email="never@example.com", last_activity_at=None)
    assert retention_sweep(now=NOTICE_DUE - timedelta(days=1)).noticed == 0
    assert retention_sweep(now=NOTICE_DUE).noticed == 1


def test_dry_run_counts_what_the_sweep_does_and_changes_nothing(idle, reference_data):
    UserFactory(email="busy@example.com", last_activity_at=NOTICE_DUE - timedelta(days=3))
    dry = retention_sweep(now=NOTICE_DUE, dry_run=True)
    assert not InactivityNotice.objects.exists() and not OutboxEmail.objects.exists()
    assert not RetentionRun.objects.exists()
    real = retention_sweep(now=NOTICE_DUE)
    assert (dry.noticed, dry.reminded, dry.removed, dry.held) == (
        real.noticed,
        real.reminded,
        real.removed,
        real.held,
    )
    assert RetentionRun.objects.get().counts["noticed"] == 1


def test_the_command_prints_one_json_object_of_integer_counts(idle, capsys):
    with time_machine.travel(NOTICE_DUE, tick=False):
        call_command("retention_sweep", "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    for key in ("noticed", "reminded", "removed", "held", "skipped"):
        assert isinstance(data[key], int)
    assert data["noticed"] == 1
    assert not InactivityNotice.objects.exists()


def test_the_keep_link_shows_a_button_and_keeping_cancels_the_removal(idle, client):
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    url = retention_notices.keep_url(notice).split("://", 1)[1].split("/", 1)[1]
    url = "/" + url
    page = client.get(url)
    assert page.status_code == 200 and b"Keep my records" in page.content
    idle.refresh_from_db()
    assert idle.last_activity_at == LAST_USE  # a mail scanner opening the link keeps nothing
    kept_at = NOTICE_DUE + timedelta(days=3)
    with time_machine.travel(kept_at, tick=False):
        assert client.post(url).status_code == 200
    idle.refresh_from_db()
    assert idle.last_activity_at == kept_at and idle.last_activity_kind == "keep my records"
    assert retention_sweep(now=kept_at + timedelta(hours=1)).cancelled == 1


def test_a_forged_keep_link_is_not_found(idle, client):
    assert client.get("/privacy/keep/eyJ1IjoxfQ:forged/").status_code == 404
    assert client.post("/privacy/keep/eyJ1IjoxfQ:forged/").status_code == 404


def _noticed_and_delivered(idle) -> InactivityNotice:
    retention_sweep(now=NOTICE_DUE)
    notice = InactivityNotice.objects.get()
    _deliver(notice, NOTICE_DUE)
    retention_sweep(now=NOTICE_DUE + timedelta(hours=1))
    notice.refresh_from_db()
    return notice


def test_removal_runs_the_erasure_engine_at_the_removal_time_and_not_before(idle, rex_of_idle):
    from django.core.management import call_command as run

    from dsar.models import ErasureCertificate
    from records.models import Animal

    notice = _noticed_and_delivered(idle)
    assert retention_sweep(now=notice.removal_at - timedelta(minutes=1)).removed == 0
    counts = retention_sweep(now=notice.removal_at)
    assert counts.removed == 1
    idle.refresh_from_db()
    assert idle.email != "idle@example.com" and not idle.is_active and idle.full_name == ""
    assert not Animal.objects.filter(pk=rex_of_idle.pk).exists()
    notice.refresh_from_db()
    assert notice.state == State.REMOVED
    certificate = ErasureCertificate.objects.get()
    assert certificate.reference.startswith("RET-")
    run("dsar_verify_certificate", certificate.reference)  # exits 0 when genuine
    assert retention_sweep(now=notice.removal_at + timedelta(days=1)).removed == 0


def test_a_hold_placed_after_the_notice_stops_the_removal_and_is_reported(idle, dpo):
    notice = _noticed_and_delivered(idle)
    dsar_services.legal_hold_place(subject=idle, reason="Claim", actor=dpo)
    counts = retention_sweep(now=notice.removal_at + timedelta(days=1))
    assert (counts.removed, counts.held) == (0, 1)
    notice.refresh_from_db()
    idle.refresh_from_db()
    assert notice.state == State.HELD and idle.email == "idle@example.com"


def test_a_sign_up_never_confirmed_is_removed_after_30_days(reference_data):
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    with time_machine.travel(joined, tick=False):
        new = UserFactory(email="new@example.com", last_activity_at=None)
    EmailAddress.objects.create(user=new, email=new.email, verified=False, primary=True)
    assert retention_sweep(now=joined + timedelta(days=29)).unconfirmed_removed == 0
    assert retention_sweep(now=joined + timedelta(days=30)).unconfirmed_removed == 1
    new.refresh_from_db()
    assert new.email != "new@example.com"
    assert not EmailAddress.objects.filter(email="new@example.com").exists()
