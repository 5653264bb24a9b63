"""DPO casework in the admin: the queue with counts and due dates in words, and every
action through the services (the status machine refuses the rest)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from dsar import services as svc
from dsar.admin import due_in_words
from dsar.models import CaseEventKind, Status
from tests.conftest import client_for, mfa_client_for
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def dpo_client(dpo):
    return mfa_client_for(dpo)


def test_due_dates_are_said_in_words():
    today = date(2026, 3, 2)
    assert due_in_words(date(2026, 2, 28), today) == ("overdue by 2 days", "overdue")
    assert due_in_words(date(2026, 3, 2), today) == ("due today", "overdue")
    assert due_in_words(date(2026, 3, 3), today) == ("due in 1 day", "due-soon")
    assert due_in_words(date(2026, 3, 30), today) == ("due in 28 days", "ok")


def test_the_queue_counts_open_due_soon_and_overdue_cases(dpo_client, alice, bob):
    case_for(alice, datetime(2026, 1, 20, tzinfo=UTC))  # due 20 Feb: overdue
    case_for(bob, datetime(2026, 2, 5, tzinfo=UTC))  # due 5 Mar: within 7 days
    case_for(alice, datetime(2026, 2, 28, tzinfo=UTC))  # due 28 Mar
    with time_machine.travel(NOW, tick=False):
        page = dpo_client.get("/admin/dsar/datasubjectrequest/")
        overdue = dpo_client.get("/admin/dsar/datasubjectrequest/?due=overdue")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<strong>3</strong> open" in body
    assert "<strong>1</strong> due within 7 days" in body
    assert "<strong>1</strong> overdue" in body
    assert "overdue by 10 days" in body
    assert overdue.content.decode().count("overdue by") == 1


def test_the_dpo_works_a_case_through_the_buttons_and_each_step_is_recorded(dpo_client, dpo, alice):
    case = case_for(alice, NOW)
    svc.dsar_verify(request=case, actor=alice, method="re-authentication")
    url = f"/admin/dsar/datasubjectrequest/{case.pk}/act/"
    assert dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").status_code == 200
    # Completing before work has started is refused by the status machine.
    refused = dpo_client.post(url + "complete/", {"text": ""})
    assert refused.status_code == 200 and b"cannot become completed" in refused.content
    assert dpo_client.post(url + "start/", {"text": ""}).status_code == 302
    missing = dpo_client.post(url + "refuse/", {"text": " "})
    assert b"Write the reason" in missing.content
    assert dpo_client.post(url + "note/", {"text": "Called the owner"}).status_code == 302
    assert dpo_client.post(url + "assign_me/", {}).status_code == 302
    assert dpo_client.post(url + "complete/", {"text": "Sent the export"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.COMPLETED and case.assignee == dpo
    moves = list(case.events.filter(kind=CaseEventKind.STATUS).values_list("to_status", "actor"))
    assert moves[-2:] == [(Status.IN_PROGRESS, dpo.pk), (Status.COMPLETED, dpo.pk)]
    assert case.events.filter(kind=CaseEventKind.NOTE, actor=dpo).exists()


def test_only_the_dpo_reaches_the_cases(alice, carol, dpo_client):
    case = case_for(alice, NOW)
    for user in (alice, carol):
        response = client_for(user).get(f"/admin/dsar/datasubjectrequest/{case.pk}/act/start/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert dpo_client.get("/admin/dsar/datasubjectrequest/1/act/nonsense/").status_code == 404


def test_the_dpos_look_at_a_case_is_in_the_persons_access_log(dpo_client, dpo, alice, bob):
    from records.models import AccessRead

    case = case_for(alice, NOW)
    case_for(bob, NOW)
    dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/")
    assert list(AccessRead.objects.values_list("viewer", "owner", "grant_kind")) == [
        (dpo.pk, alice.pk, "admin")
    ]
    dpo_client.get("/admin/dsar/datasubjectrequest/")
    assert AccessRead.objects.filter(owner=bob).count() == 1
