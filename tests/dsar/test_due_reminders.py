"""The DPO is emailed 7, 3 and 1 days before a case is due, once per step, whatever the
number of runs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from dsar import services as svc
from dsar.models import CaseEventKind, DueReminder, RequestType, Status
from dsar.reminders import dsar_remind_due
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice, dpo):
    case = case_for(alice, datetime(2026, 3, 2, 9, tzinfo=UTC), type=RequestType.ERASURE)
    mail.outbox.clear()
    return case  # due 2 April 2026


def test_reminders_go_7_3_and_1_days_before_and_once_each(case, dpo):
    due = date(2026, 4, 2)
    sent_on = {}
    for offset in range(14, -1, -1):
        today = due - timedelta(days=offset)
        count = dsar_remind_due(today=today) + dsar_remind_due(today=today)  # run twice
        if count:
            sent_on[offset] = count
    assert sent_on == {7: 1, 3: 1, 1: 1}
    assert [m.to for m in mail.outbox] == [[dpo.email]] * 3
    assert case.events.filter(kind=CaseEventKind.EMAIL).count() == 3


def test_a_missed_run_catches_up_with_the_nearest_step(case):
    assert dsar_remind_due(today=date(2026, 3, 28)) == 1  # 5 days left: the 7-day step
    assert DueReminder.objects.get().days_before == 7
    assert dsar_remind_due(today=date(2026, 3, 29)) == 0
    assert dsar_remind_due(today=date(2026, 3, 31)) == 1  # 2 days left: the 3-day step


def test_the_assignee_is_reminded_and_closed_or_extended_cases_follow_their_dates(case, dpo, carol):
    svc.dsar_assign(request=case, assignee=dpo, actor=dpo)
    svc.dsar_verify(request=case, actor=case.subject, method="re-authentication")
    case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
    svc.dsar_extend(request=case, actor=dpo, reason="Complex", today=date(2026, 3, 20))
    assert dsar_remind_due(today=date(2026, 3, 26)) == 0  # the old date no longer counts
    assert dsar_remind_due(today=date(2026, 5, 26)) == 1  # extended to 2 June: 7 days before
    assert mail.outbox[-1].to == [dpo.email]
