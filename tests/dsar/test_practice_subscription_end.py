"""A practice's subscription ends (issue 9; Kontak policy): its administrators are told
once; a renewal inside the grace period cancels everything; without one, the client data
held for it is anonymised no earlier than the end + the grace period and no later than the
end + 3 months, while owners' own accounts, animals and records stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from consent.models import Action, ConsentEvent
from dsar import services as dsar_services
from dsar.models import PracticeSubscriptionEnd
from dsar.retention.practices import anonymise_on, practice_subscription_sweep
from records.models import (
    AccessLog,
    AccessLogGrant,
    Animal,
    ClientRegistration,
    EmergencyShare,
    Entry,
    EntrySource,
    Favorite,
    Practice,
    PracticeMembership,
    RecordRequest,
)
from records.practices.services.favorites import favorite_create
from tests.factories import AnimalFactory, EntryFactory, MembershipFactory, UserFactory
from vetpass.outbox.models import OutboxEmail

State = PracticeSubscriptionEnd.State
SET_UP = datetime(2027, 1, 10, 9, tzinfo=UTC)
ENDS_ON = date(2027, 1, 31)  # the subscription's last day
GRACE_ENDS = date(2027, 4, 1)  # 31 January + 60 days


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def sweep(day: date):
    with time_machine.travel(at(day), tick=False):
        return practice_subscription_sweep()


@dataclass
class World:
    riverside: Practice
    hilltop: Practice
    admin_email: str


@pytest.fixture
def world(alice, bob, rex, tom, riverside, hilltop, carol, dave) -> World:
    with time_machine.travel(SET_UP, tick=False):
        Practice.objects.filter(pk=riverside.pk).update(
            subscription_starts_on=date(2026, 1, 1), subscription_ends_on=ENDS_ON
        )
        riverside.refresh_from_db()
        admin = UserFactory(email="rita.admin@example.com", full_name="Rita Admin")
        MembershipFactory(practice=riverside, user=admin, is_practice_admin=True)
        favorite_create(owner=alice, practice=riverside, already_client=True)
        favorite_create(owner=bob, practice=riverside)
        favorite_create(owner=bob, practice=hilltop)
        EntryFactory(animal=rex, author=alice, notes="Alice's own note")
        EntryFactory(
            animal=rex,
            author=carol,
            practice=riverside,
            source=EntrySource.PRACTICE,
            notes="Riverside: vaccinated against rabies",
        )
        EntryFactory(
            animal=tom,
            author=carol,
            practice=riverside,
            source=EntrySource.IMPORT,
            notes="Imported from Riverside's system",
        )
        EntryFactory(
            animal=tom,
            author=dave,
            practice=hilltop,
            source=EntrySource.PRACTICE,
            notes="Hilltop: dental check",
        )
        EmergencyShare.objects.create(
            owner=alice,
            practice=riverside,
            redeemed_by=carol,
            redeemed_at=SET_UP,
            expires_at=SET_UP + timedelta(days=400),
        ).animals.set([rex])
        AccessLog.objects.create(
            viewer=carol,
            practice=riverside,
            owner=alice,
            animal=rex,
            view="animal",
            grant_kind=AccessLogGrant.FAVORITE,
        )
    return World(riverside=riverside, hilltop=hilltop, admin_email=admin.email)


def owners_own(*owners) -> dict:
    """What the owners hold as their own: accounts, animals, and every entry's content."""
    ids = [o.pk for o in owners]
    from vetpass.accounts.models import User

    return {
        "accounts": sorted(
            User.objects.filter(pk__in=ids).values_list("pk", "email", "full_name", "is_active")
        ),
        "animals": sorted(
            Animal.objects.filter(owner__in=ids).values_list("pk", "name", "microchip")
        ),
        "entries": sorted(
            Entry.objects.filter(animal__owner__in=ids).values_list(
                "pk", "kind", "notes", "occurred_on", "source"
            )
        ),
    }


def held_for(practice: Practice) -> dict:
    """Everything that ties clients or staff to the practice."""
    return {
        "registrations": sorted(
            ClientRegistration.objects.filter(practice=practice).values_list("pk", "owner_id")
        ),
        "favorites": sorted(
            Favorite.objects.filter(practice=practice).values_list("pk", "owner_id", "ended_at")
        ),
        "requests": sorted(RecordRequest.objects.filter(practice=practice).values_list("pk")),
        "shares": sorted(EmergencyShare.objects.filter(practice=practice).values_list("pk")),
        "entries": sorted(
            Entry.objects.filter(practice=practice).values_list("pk", "author_id", "notes")
        ),
        "staff": sorted(
            PracticeMembership.objects.filter(practice=practice, left_at__isnull=True).values_list(
                "user_id"
            )
        ),
    }


def notices_to() -> list[str]:
    return sorted(
        address for to in OutboxEmail.objects.values_list("to", flat=True) for address in to
    )


def test_anonymisation_date_is_the_grace_period_but_never_beyond_three_months(settings):
    assert anonymise_on(ENDS_ON) == GRACE_ENDS
    settings.PRACTICE_ANONYMISE_GRACE_DAYS = 200
    assert anonymise_on(ENDS_ON) == date(2027, 4, 30)


def test_administrators_are_told_once_when_the_subscription_ends(world):
    OutboxEmail.objects.all().delete()
    sweep(ENDS_ON)  # its last day: still subscribed
    assert not PracticeSubscriptionEnd.objects.exists()
    assert notices_to() == []

    counts = sweep(ENDS_ON + timedelta(days=1))
    assert (counts.ended, counts.notices) == (1, 1)
    end = PracticeSubscriptionEnd.objects.get()
    assert (end.practice_id, end.ended_on, end.anonymise_on) == (
        world.riverside.pk,
        ENDS_ON,
        GRACE_ENDS,
    )
    # The administrator, not the vet; hilltop (no end date) is not concerned.
    assert notices_to() == [world.admin_email]
    body = OutboxEmail.objects.get().body
    assert "01 April 2027" in body and "Riverside Vets" in body

    for day in (ENDS_ON + timedelta(days=1), ENDS_ON + timedelta(days=2), date(2027, 3, 1)):
        assert sweep(day).notices == 0
    assert notices_to() == [world.admin_email]
    assert PracticeSubscriptionEnd.objects.count() == 1


def test_renewal_inside_the_grace_period_cancels_the_anonymisation(world, alice, bob):
    sweep(ENDS_ON + timedelta(days=1))
    own, held = owners_own(alice, bob), held_for(world.riverside)
    with time_machine.travel(at(date(2027, 3, 15)), tick=False):
        Practice.objects.filter(pk=world.riverside.pk).update(
            subscription_ends_on=date(2028, 1, 31)
        )
    assert sweep(date(2027, 3, 16)).cancelled == 1
    for day in (GRACE_ENDS, date(2027, 4, 30), date(2027, 6, 1)):
        counts = sweep(day)
        assert counts.anonymised == 0 and counts.ended == 0
    assert PracticeSubscriptionEnd.objects.get().state == State.CANCELLED
    assert held_for(world.riverside) == held
    assert owners_own(alice, bob) == own


def test_a_renewal_taken_back_still_anonymises_within_three_months_of_the_end(world):
    sweep(ENDS_ON + timedelta(days=1))
    renewed = Practice.objects.filter(pk=world.riverside.pk)
    renewed.update(subscription_ends_on=date(2028, 1, 31))
    assert sweep(date(2027, 3, 1)).cancelled == 1
    renewed.update(subscription_ends_on=ENDS_ON)  # a mistake, corrected
    counts = sweep(date(2027, 3, 2))
    assert (counts.reopened, counts.notices) == (1, 0)
    assert sweep(GRACE_ENDS).anonymised == 1
    assert held_for(world.riverside)["registrations"] == []


def test_without_renewal_client_data_is_anonymised_after_the_grace_period(world, alice, bob):
    own = owners_own(alice, bob)
    hilltop = held_for(world.hilltop)
    held = held_for(world.riverside)
    logged = list(AccessLog.objects.values_list("pk", "viewer_id", "practice_id", "owner_id"))

    day = ENDS_ON + timedelta(days=1)
    while day < GRACE_ENDS:  # daily, as beat runs it: nothing before the end + grace
        assert sweep(day).anonymised == 0
        day += timedelta(days=7)
    assert sweep(GRACE_ENDS - timedelta(days=1)).anonymised == 0
    assert held_for(world.riverside) == held

    counts = sweep(GRACE_ENDS)
    assert counts.anonymised == 1
    end = PracticeSubscriptionEnd.objects.get()
    assert end.anonymise_on == GRACE_ENDS <= date(2027, 4, 30)  # within three months
    assert end.state == State.ANONYMISED and end.held_owners == 0

    # Nothing ties a client or a staff member to the practice any more.
    assert held_for(world.riverside) == {
        "registrations": [],
        "favorites": [],
        "requests": [],
        "shares": [],
        "entries": [],
        "staff": [],
    }
    # The owners keep their accounts, animals and every record's content.
    assert owners_own(alice, bob) == own
    detached = Entry.objects.filter(notes__startswith="Riverside") | Entry.objects.filter(
        notes__startswith="Imported"
    )
    assert list(detached.values_list("practice_id", "author_id").distinct()) == [(None, None)]
    share = EmergencyShare.objects.get(owner=alice)
    assert (share.practice_id, share.redeemed_by_id) == (None, None)
    assert share.revoked_at is not None
    # The ledger records the end of each owner's sharing with the practice.
    ended = ConsentEvent.objects.filter(
        action=Action.WITHDRAW, scope=f"practice:{world.riverside.pk}"
    )
    assert sorted(ended.values_list("subject_user_id", flat=True)) == sorted([alice.pk, bob.pk])
    # Another practice's data and the access log are untouched.
    assert held_for(world.hilltop) == hilltop
    assert list(AccessLog.objects.values_list("pk", "viewer_id", "practice_id", "owner_id")) == (
        logged
    )


def test_a_missed_day_still_anonymises_within_three_months(world, settings, alice, bob):
    settings.PRACTICE_ANONYMISE_GRACE_DAYS = 365  # a grace past the policy's limit
    sweep(ENDS_ON + timedelta(days=1))
    assert sweep(date(2027, 4, 29)).anonymised == 0
    assert sweep(date(2027, 4, 30)).anonymised == 1
    assert held_for(world.riverside)["registrations"] == []


def test_running_twice_reaches_the_same_end_state(world, alice, bob):
    sweep(ENDS_ON + timedelta(days=1))
    sweep(GRACE_ENDS)
    first = (held_for(world.riverside), held_for(world.hilltop), owners_own(alice, bob))
    events = ConsentEvent.objects.count()
    again = sweep(GRACE_ENDS)
    assert (again.anonymised, again.notices, again.tables) == (0, 0, {})
    assert (held_for(world.riverside), held_for(world.hilltop), owners_own(alice, bob)) == first
    assert ConsentEvent.objects.count() == events


def test_a_legal_hold_keeps_the_owners_data_at_the_practice_and_is_reported(world, alice, bob, dpo):
    with time_machine.travel(SET_UP, tick=False):
        hold = dsar_services.legal_hold_place(subject=bob, reason="Claim 2027-3", actor=dpo)
    sweep(ENDS_ON + timedelta(days=1))
    counts = sweep(GRACE_ENDS)
    assert counts.held == 1
    end = PracticeSubscriptionEnd.objects.get()
    assert (end.state, end.held_owners) == (State.HELD, 1)
    kept = held_for(world.riverside)
    assert [owner for _, owner in kept["registrations"]] == [bob.pk]
    assert [owner for _, owner, _ in kept["favorites"]] == [bob.pk]
    assert [notes for _, _, notes in kept["entries"]] == ["Imported from Riverside's system"]

    with time_machine.travel(at(date(2027, 4, 10)), tick=False):
        dsar_services.legal_hold_lift(hold=hold, actor=dpo)
    sweep(date(2027, 4, 11))
    end.refresh_from_db()
    assert (end.state, end.held_owners) == (State.ANONYMISED, 0)
    assert held_for(world.riverside)["registrations"] == []
    assert held_for(world.riverside)["entries"] == []


def test_the_practice_record_of_an_erased_owner_goes_with_the_practice(world, riverside):
    erased = UserFactory(email="erased-abc@erased.invalid", full_name="", is_active=False)
    with time_machine.travel(SET_UP, tick=False):
        kept = AnimalFactory(owner=erased, name="")
        EntryFactory(animal=kept, author=None, practice=riverside, source=EntrySource.PRACTICE)
        other = AnimalFactory(owner=erased, name="")
        EntryFactory(animal=other, author=None, practice=riverside)
        EntryFactory(animal=other, author=None, practice=world.hilltop)
    sweep(ENDS_ON + timedelta(days=1))
    sweep(GRACE_ENDS)
    assert not Animal.objects.filter(pk=kept.pk).exists()
    # Another practice's record still hangs off this one: it stays, with that record only.
    assert list(Entry.objects.filter(animal=other).values_list("practice_id", flat=True)) == [
        world.hilltop.pk
    ]


def test_a_sweep_that_fails_half_way_changes_nothing_and_the_rerun_finishes(
    world, alice, bob, monkeypatch
):
    from dsar.retention import practices

    sweep(ENDS_ON + timedelta(days=1))
    held, own, events = (
        held_for(world.riverside),
        owners_own(alice, bob),
        ConsentEvent.objects.count(),
    )

    class Broken:
        class objects:  # noqa: N801 - stands in for a model manager
            @staticmethod
            def filter(**kwargs):
                if "owner_id__in" not in kwargs:  # finding the owners works
                    return EmergencyShare.objects.filter(**kwargs)
                raise RuntimeError("the database went away")

    # The ledger events, the deletions of favorites and registrations have run by then.
    monkeypatch.setattr(practices, "EmergencyShare", Broken)
    with pytest.raises(RuntimeError):
        sweep(GRACE_ENDS)
    assert held_for(world.riverside) == held
    assert ConsentEvent.objects.count() == events
    assert PracticeSubscriptionEnd.objects.get().state == State.PENDING

    monkeypatch.undo()
    assert sweep(GRACE_ENDS).anonymised == 1
    assert held_for(world.riverside)["favorites"] == []
    assert owners_own(alice, bob) == own


def _unchanged_by_a_dry_run(world, *owners) -> tuple:
    return (
        sorted(PracticeSubscriptionEnd.objects.values_list("pk", "state", "closed_at")),
        OutboxEmail.objects.count(),
        ConsentEvent.objects.count(),
        held_for(world.riverside),
        owners_own(*owners),
    )


def _figures(counts) -> tuple:
    return (
        counts.ended,
        counts.notices,
        counts.due,
        counts.anonymised,
        counts.in_grace,
        counts.cancelled,
        counts.reopened,
    )


def test_a_dry_run_counts_what_the_sweep_does_on_each_day_and_changes_nothing(world, alice, bob):
    """Along the timeline (the end, the grace period, a renewal, its taking back, the
    anonymisation), the dry run of each day says what that day's sweep then does."""
    renewed = Practice.objects.filter(pk=world.riverside.pk)
    days = [
        (ENDS_ON, None),  # the last day: nothing yet
        (ENDS_ON + timedelta(days=1), None),  # told; in grace
        (date(2027, 3, 1), date(2028, 1, 31)),  # renewed: cancelled
        (date(2027, 3, 2), ENDS_ON),  # the renewal taken back: pending again
        (GRACE_ENDS, None),  # anonymised
        (GRACE_ENDS + timedelta(days=1), None),  # nothing left
    ]
    seen = []
    for day, ends_on in days:
        if ends_on is not None:
            renewed.update(subscription_ends_on=ends_on)
        before = _unchanged_by_a_dry_run(world, alice, bob)
        with time_machine.travel(at(day), tick=False):
            dry = practice_subscription_sweep(dry_run=True)
        assert _unchanged_by_a_dry_run(world, alice, bob) == before
        real = sweep(day)
        assert _figures(dry) == _figures(real), day
        seen.append(_figures(real))
    assert [(told, due, anonymised, grace) for told, _, due, anonymised, grace, *_ in seen] == [
        (0, 0, 0, 0),
        (1, 0, 0, 1),
        (0, 0, 0, 0),
        (0, 0, 0, 1),
        (0, 1, 1, 0),
        (0, 0, 0, 0),
    ]


def test_the_command_reports_the_practice_subscriptions_too(world, capsys):
    import json

    from django.core.management import call_command

    with time_machine.travel(at(GRACE_ENDS), tick=False):
        call_command("retention_sweep", "--dry-run", "--json")
        data = json.loads(capsys.readouterr().out)
        assert not PracticeSubscriptionEnd.objects.exists()  # still nothing changed
        assert (data["practices_told"], data["practices_due"], data["practices_anonymised"]) == (
            1,
            1,
            1,
        )
        assert data["practices_in_grace"] == 0 and data["practice_notices"] == 1
        call_command("retention_sweep", "--json")
        data = json.loads(capsys.readouterr().out)
    assert (data["practices_told"], data["practices_anonymised"]) == (1, 1)
    assert PracticeSubscriptionEnd.objects.get().state == State.ANONYMISED
    assert held_for(world.riverside)["registrations"] == []
