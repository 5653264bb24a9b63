"""Due reminders (issue 11): what is due is one selector, de-duplicated across practices and
the owner; a reminder stops once the dose is recorded; only owners who turned care
reminders on get them, never a restricted or withdrawn one; each is sent once per due item
and lead time; the owner sees the same items on the web and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse
from rest_framework.test import APIClient

from consent.models import Purpose
from consent.services import consent_grant, consent_withdraw
from records import reminders
from records.models import CareReminder, EntryKind
from records.practices import services as practice_services
from records.reminders import care_reminders_send, due_items
from records.selectors import get_animal_for_user
from tests.factories import AnimalFactory, EntryFactory
from vetpass.accounts.services import restriction_apply
from vetpass.outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def reminders_on(user):
    consent_grant(subject=user, purpose=Purpose.CARE_REMINDERS, channel="web")


def dose(animal, product, given, due, **extra):
    return EntryFactory(
        animal=animal,
        kind=EntryKind.VACCINATION,
        vaccine_product=product,
        occurred_on=given,
        next_due_on=due,
        **extra,
    )


def emails_to(address):
    return [e for e in OutboxEmail.objects.order_by("pk") if address in e.to]


def send(day):
    return care_reminders_send(today=day)


# --- what is due: one selector --------------------------------------------------------


def test_doses_of_one_vaccine_from_two_practices_and_the_owner_are_one_due_item(
    alice, rex, carol, dave, riverside, hilltop
):
    reminders_on(alice)
    practice_services.favorite_create(owner=alice, practice=riverside)
    practice_services.favorite_create(owner=alice, practice=hilltop)
    for vet in (carol, dave):
        practice_services.clinical_entry_create(
            vis=get_animal_for_user(vet, rex.pk),
            author=vet,
            kind=EntryKind.VACCINATION,
            vaccine_product="Nobivac L4" if vet == carol else " NOBIVAC l4",
            occurred_on=dt.date(2025, 6, 1) if vet == carol else dt.date(2025, 6, 20),
            next_due_on=dt.date(2026, 6, 20),
        )
    due = TODAY + dt.timedelta(days=7)
    dose(rex, "nobivac L4 ", dt.date(2025, 6, 25), due)  # the owner's own record, latest

    items = list(due_items(animals=rex.__class__.objects.filter(pk=rex.pk)))
    assert [(i.due_key, i.next_due_on) for i in items] == [("vaccination:nobivac l4", due)]

    assert send(TODAY).reminders == 1
    assert len(emails_to(alice.email)) == 1
    assert CareReminder.objects.get().lead_days == 7


def test_a_dose_recorded_by_a_practice_stops_the_reminders(alice, rex, carol, riverside, hilltop):
    reminders_on(alice)
    practice_services.favorite_create(owner=alice, practice=riverside)
    practice_services.favorite_create(owner=alice, practice=hilltop)
    dose(rex, "Rabies", dt.date(2023, 7, 1), dt.date(2026, 7, 1))  # due in 30 days

    assert send(TODAY).reminders == 1  # the 30-day reminder
    practice_services.clinical_entry_create(
        vis=get_animal_for_user(carol, rex.pk),
        author=carol,
        kind=EntryKind.VACCINATION,
        vaccine_product="rabies",
        occurred_on=TODAY,
        next_due_on=dt.date(2029, 6, 1),
    )
    for day in (dt.date(2026, 6, 24), dt.date(2026, 7, 1)):  # the 7-day and on-the-day dates
        assert send(day).reminders == 0
    assert len(emails_to(alice.email)) == 1


def test_a_dose_the_owner_records_stops_the_reminders_even_without_a_new_due_date(alice, rex):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    dose(rex, "RABIES", dt.date(2026, 6, 1), None)

    assert send(TODAY).reminders == 0
    assert reminders.owner_due_items(user=alice, today=TODAY) == []


def test_other_vaccines_and_animals_keep_their_own_reminders(alice, rex):
    reminders_on(alice)
    bella = AnimalFactory(owner=alice, name="Bella")
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    dose(rex, "Nobivac L4", dt.date(2025, 6, 8), dt.date(2026, 6, 8))
    dose(bella, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))

    assert send(TODAY).reminders == 3
    [email] = emails_to(alice.email)  # one email for the owner's three items
    assert "Rex: Nobivac L4" in email.body and "Rex: Rabies" in email.body
    assert "Bella: Rabies" in email.body


def test_a_deceased_animal_gets_no_reminders(alice, rex):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    rex.deceased = True
    rex.save()

    assert send(TODAY).reminders == 0


# --- consent and restriction ----------------------------------------------------------


def test_only_an_owner_who_turned_care_reminders_on_gets_them(alice, rex, bob, tom):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    dose(tom, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))  # bob never said yes

    assert send(TODAY).reminders == 1
    assert emails_to(bob.email) == []


def test_a_withdrawn_owner_gets_none(alice, rex):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    consent_withdraw(subject=alice, purpose=Purpose.CARE_REMINDERS, channel="web")

    assert send(TODAY).reminders == 0
    assert [e.to for e in OutboxEmail.objects.all() if alice.email in e.to] == []


def test_a_restricted_owner_gets_none(alice, rex, dpo):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    restriction_apply(user=alice, reason="Accuracy contested (Art. 18(1)(a))", actor=dpo)

    assert send(TODAY).reminders == 0
    assert emails_to(alice.email) == []


# --- once per due item and lead time --------------------------------------------------


def test_each_lead_time_is_sent_once_and_a_missed_run_catches_up_once(alice, rex):
    reminders_on(alice)
    due = dt.date(2026, 7, 1)
    dose(rex, "Rabies", dt.date(2023, 7, 1), due)

    assert send(TODAY).reminders == 1  # 30 days ahead
    assert send(TODAY).reminders == 0  # the same run again
    assert send(dt.date(2026, 6, 20)).reminders == 0  # 11 days ahead: the 30-day one is sent
    assert send(dt.date(2026, 6, 26)).reminders == 1  # the 7-day step, caught up late
    assert send(dt.date(2026, 6, 27)).reminders == 0
    assert send(due).reminders == 1
    assert send(due + dt.timedelta(days=1)).reminders == 0  # overdue: no more emails
    assert sorted(CareReminder.objects.values_list("lead_days", flat=True)) == [0, 7, 30]
    assert len(emails_to(alice.email)) == 3


def test_the_database_refuses_a_second_reminder_for_the_same_lead_time(alice, rex):
    row = dict(
        owner=alice,
        animal=rex,
        due_key="vaccination:rabies",
        what="Rabies",
        due_on=TODAY,
        lead_days=0,
    )
    CareReminder.objects.create(**row)
    with pytest.raises(IntegrityError):
        CareReminder.objects.create(**row)


def test_a_failure_while_writing_the_emails_leaves_no_reminder_rows(alice, rex, monkeypatch):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(reminders, "outbox_enqueue", broken)
    with pytest.raises(RuntimeError):
        send(TODAY)
    assert not CareReminder.objects.exists()
    monkeypatch.undo()
    assert send(TODAY).reminders == 1


def test_the_sweep_works_in_chunks(alice, rex):
    reminders_on(alice)
    for i in range(5):
        dose(rex, f"Vaccine {i}", dt.date(2025, 6, 8), dt.date(2026, 6, 8))

    run = care_reminders_send(today=TODAY, size=2)

    assert (run.reminders, run.chunks) == (5, 3)
    assert len(emails_to(alice.email)) == 3  # one email per owner per chunk


# --- the owner's list: web and API ----------------------------------------------------


def test_the_web_list_and_the_api_show_the_same_due_items(alice, alice_client, rex, bob, tom):
    reminders_on(alice)
    dose(rex, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    dose(rex, "Nobivac L4", dt.date(2024, 3, 1), dt.date(2025, 3, 1))
    dose(tom, "Feline flu", dt.date(2025, 6, 8), dt.date(2026, 6, 8))  # bob's cat
    send(TODAY)

    html = alice_client.get(reverse("records:reminder_list")).content.decode()
    assert 'data-reminders="on"' in html
    assert "Rabies" in html and "Nobivac L4" in html and "Feline flu" not in html
    assert "overdue since 1 Mar 2025" in html

    api = APIClient()
    api.force_authenticate(alice)
    data = api.get("/api/v1/reminders/").json()
    assert data["email_reminders"] is True
    assert data["lead_days"] == [0, 7, 30]
    assert [(i["what"], i["state"], i["due_on"]) for i in data["items"]] == [
        ("Nobivac L4", "overdue", "2025-03-01"),
        ("Rabies", "soon", "2026-06-08"),
    ]
    assert [r["lead_days"] for r in data["items"][1]["reminded"]] == [7]


def test_the_list_says_reminders_are_off_for_a_restricted_owner(alice, alice_client, rex, dpo):
    reminders_on(alice)
    restriction_apply(user=alice, reason="Accuracy contested (Art. 18(1)(a))", actor=dpo)

    html = alice_client.get(reverse("records:reminder_list")).content.decode()
    assert "we send you no reminders" in html
    api = APIClient()
    api.force_authenticate(alice)
    assert api.get("/api/v1/reminders/").json()["email_reminders"] is False


def test_turning_reminders_on_from_the_list_records_consent_in_the_ledger(alice, alice_client):
    from consent.selectors import consent_given

    page = alice_client.get(reverse("records:reminder_list")).content.decode()
    assert 'data-reminders="off"' in page
    alice_client.post(
        reverse("consent:consent_change"),
        {"purpose": Purpose.CARE_REMINDERS, "scope": "", "action": "grant"},
    )
    assert consent_given(alice, Purpose.CARE_REMINDERS)


def test_the_api_list_takes_a_fixed_number_of_queries(alice, rex, django_assert_max_num_queries):
    for i in range(10):
        animal = AnimalFactory(owner=alice, name=f"Pet {i}")
        dose(animal, "Rabies", dt.date(2025, 6, 8), dt.date(2026, 6, 8))
    api = APIClient()
    api.force_authenticate(alice)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/reminders/").json()["items"]) == 10


# --- erasure --------------------------------------------------------------------------


def test_erasure_deletes_the_owners_reminders_and_no_one_elses(alice, rex, bob, tom, dpo):
    import json
    from io import StringIO

    from django.core.management import call_command

    for owner, animal in ((alice, rex), (bob, tom)):
        reminders_on(owner)
        dose(animal, "Rabies", dt.date(2023, 6, 8), dt.date(2026, 6, 8))
    assert send(TODAY).reminders == 2

    out = StringIO()
    call_command("dsar_erase", "--email", alice.email, "--reason", "Asked", "--json", stdout=out)

    manifest = json.loads(out.getvalue())["manifest"]["tables"]
    assert manifest["records.CareReminder"]["deleted"] == 1
    assert list(CareReminder.objects.values_list("owner__email", flat=True)) == [bob.email]


# --- treatments: a medication with a next-due date is a due item too ------------------


def test_a_treatment_with_a_next_due_date_is_reminded_until_its_next_dose(alice, rex, client):
    reminders_on(alice)
    client.force_login(alice)
    # The owner records a flea treatment through the web form, with when the next is due.
    response = client.post(
        reverse("records:entry_add", args=[rex.pk]) + "?kind=medication",
        {
            "occurred_on": "2026-03-08",
            "medication_name": "Bravecto",
            "dose": "1 chew",
            "next_due_on": "2026-06-08",
        },
    )
    assert response.status_code == 302, response.content[:500]
    (item,) = reminders.owner_due_items(user=alice, today=TODAY)
    assert (item.kind, item.what, item.due_on) == (
        EntryKind.MEDICATION,
        "Bravecto",
        dt.date(2026, 6, 8),
    )
    assert send(TODAY).reminders == 1  # the 7-day reminder
    assert "Bravecto" in emails_to(alice.email)[0].body

    EntryFactory(
        animal=rex, kind=EntryKind.MEDICATION, medication_name="bravecto", occurred_on=TODAY
    )
    assert reminders.owner_due_items(user=alice, today=TODAY) == []
    assert send(dt.date(2026, 6, 8)).reminders == 0
