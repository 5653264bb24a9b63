"""Favorite = consent = access: the ledger grant, the client registration and the
practice's access are made and ended together, or not at all."""

import pytest
from django.http import Http404

from consent.models import ConsentEvent
from consent.selectors import consent_given
from records.models import ClientRegistration, Favorite, RecordRequest
from records.practices import services as svc
from records.practices.services import favorites as favorite_services
from records.selectors import animals_visible_to, get_animal_for_user

pytestmark = pytest.mark.django_db
SCOPE = "practice:{}"


def state(alice, carol, riverside):
    """(ledger says granted, active registration, active favorite, carol sees alice's animals)"""
    return (
        consent_given(alice, "practice_sharing", SCOPE.format(riverside.pk)),
        ClientRegistration.objects.filter(
            owner=alice, practice=riverside, ended_at__isnull=True
        ).exists(),
        Favorite.objects.filter(owner=alice, practice=riverside, ended_at__isnull=True).exists(),
        animals_visible_to(carol).filter(owner=alice).exists(),
    )


def test_favorite_grants_registers_and_gives_access_together(alice, rex, carol, riverside):
    assert state(alice, carol, riverside) == (False, False, False, False)
    svc.favorite_create(owner=alice, practice=riverside)
    assert state(alice, carol, riverside) == (True, True, True, True)
    event = ConsentEvent.objects.get(subject_user=alice)
    assert event.action == "grant" and event.scope == SCOPE.format(riverside.pk)
    assert "Riverside Vets" in event.wording


def test_unfavorite_withdraws_ends_registration_and_access_together(alice, rex, carol, riverside):
    favorite = svc.favorite_create(owner=alice, practice=riverside, already_client=True)
    svc.favorite_delete(favorite=favorite)
    assert state(alice, carol, riverside) == (False, False, False, False)
    assert list(
        ConsentEvent.objects.filter(subject_user=alice)
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["grant", "withdraw"]
    assert RecordRequest.objects.get().status == RecordRequest.Status.CLOSED
    with pytest.raises(Http404):
        get_animal_for_user(carol, rex.pk)


def test_favorite_that_fails_after_the_ledger_write_leaves_nothing(
    alice, rex, carol, riverside, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("registration step failed")

    monkeypatch.setattr(favorite_services, "_registration_for", broken)
    with pytest.raises(RuntimeError):
        svc.favorite_create(owner=alice, practice=riverside)
    assert not ConsentEvent.objects.filter(subject_user=alice).exists()
    assert not Favorite.objects.exists()
    assert state(alice, carol, riverside) == (False, False, False, False)


def test_favorite_that_fails_when_sharing_scope_is_saved_leaves_nothing(
    alice, rex, carol, riverside, monkeypatch
):
    from records.models import Favorite as FavoriteModel

    def broken(*args, **kwargs):
        raise RuntimeError("scope step failed")

    monkeypatch.setattr(FavoriteModel.objects, "create", broken)
    with pytest.raises(RuntimeError):
        svc.favorite_create(owner=alice, practice=riverside, all_animals=False, animals=[rex])
    assert not ConsentEvent.objects.exists()
    assert not ClientRegistration.objects.exists()
    assert state(alice, carol, riverside) == (False, False, False, False)


def test_unfavorite_that_fails_half_way_leaves_the_sharing_as_it_was(
    alice, rex, carol, riverside, monkeypatch
):
    favorite = svc.favorite_create(owner=alice, practice=riverside)

    def broken(**kwargs):
        raise RuntimeError("after the withdraw event")

    monkeypatch.setattr(favorite_services, "activity_record", broken)
    with pytest.raises(RuntimeError):
        svc.favorite_delete(favorite=favorite)
    assert ConsentEvent.objects.filter(subject_user=alice).count() == 1
    assert state(alice, carol, riverside) == (True, True, True, True)


def test_a_withdrawal_in_the_ledger_alone_ends_access_at_once(alice, rex, carol, riverside):
    """The ledger is asked at the moment of access (rule 4), so even a withdrawal written
    elsewhere (say, from the consent centre) stops the practice seeing the records."""
    from consent.services import consent_withdraw

    svc.favorite_create(owner=alice, practice=riverside)
    consent_withdraw(
        subject=alice, purpose="practice_sharing", scope=SCOPE.format(riverside.pk), channel="web"
    )
    assert not animals_visible_to(carol).exists()
    with pytest.raises(Http404):
        get_animal_for_user(carol, rex.pk)


def test_favorite_again_after_unfavorite_starts_a_new_registration(alice, rex, carol, riverside):
    first = svc.favorite_create(owner=alice, practice=riverside)
    svc.favorite_delete(favorite=first)
    svc.favorite_create(owner=alice, practice=riverside)
    assert state(alice, carol, riverside) == (True, True, True, True)
    assert ClientRegistration.objects.filter(owner=alice).count() == 2


def test_cannot_favorite_twice(alice, riverside):
    from django.core.exceptions import ValidationError

    svc.favorite_create(owner=alice, practice=riverside)
    with pytest.raises(ValidationError) as exc:
        svc.favorite_create(owner=alice, practice=riverside)
    assert "practice" in exc.value.message_dict
    assert ConsentEvent.objects.filter(subject_user=alice).count() == 1


def test_restricted_owner_cannot_start_new_sharing(alice, riverside):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    alice.restricted_at = timezone.now()
    alice.save()
    with pytest.raises(ValidationError):
        svc.favorite_create(owner=alice, practice=riverside)
    assert not ConsentEvent.objects.exists()


def test_sharing_ends_by_itself_on_the_end_date(alice, rex, carol, riverside, time_machine):
    from datetime import UTC, date, datetime

    time_machine.move_to(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False)
    svc.favorite_create(owner=alice, practice=riverside, ends_on=date(2026, 3, 10))
    assert animals_visible_to(carol).filter(pk=rex.pk).exists()
    time_machine.move_to(datetime(2026, 3, 11, 9, tzinfo=UTC), tick=False)
    assert not animals_visible_to(carol).filter(pk=rex.pk).exists()


def test_staff_who_left_see_nothing_at_once(alice, rex, carol, riverside):
    from records.models import PracticeMembership

    svc.favorite_create(owner=alice, practice=riverside)
    membership = PracticeMembership.objects.get(user=carol)
    svc.membership_leave(membership=membership)
    assert not animals_visible_to(carol).exists()
    with pytest.raises(Http404):
        get_animal_for_user(carol, rex.pk)


def test_changing_the_scope_records_a_new_grant_and_narrows_access_at_once(
    alice, rex, carol, riverside
):
    from records.models import EntryKind
    from tests.factories import AnimalFactory, EntryFactory

    fido = AnimalFactory(owner=alice, name="Fido")
    EntryFactory(animal=rex, kind=EntryKind.CLINICAL_NOTE, notes="Private note")
    favorite = svc.favorite_create(owner=alice, practice=riverside)
    assert set(animals_visible_to(carol)) == {rex, fido}
    svc.favorite_update(
        favorite=favorite,
        share_profile=False,
        all_animals=False,
        animals=[rex],
        kinds=[EntryKind.VACCINATION],
    )
    assert list(animals_visible_to(carol)) == [rex]
    assert get_animal_for_user(carol, rex.pk).kinds == {EntryKind.VACCINATION}
    events = list(ConsentEvent.objects.filter(subject_user=alice).order_by("sequence"))
    assert [e.action for e in events] == ["grant", "grant"]
    assert "vaccination only" not in events[0].wording.lower()
    assert "vaccination of Rex" in events[1].wording


def test_api_change_of_scope_with_a_bad_kind_changes_nothing(alice, rex, riverside):
    from tests.conftest import client_for

    favorite = svc.favorite_create(owner=alice, practice=riverside)
    response = client_for(alice).patch(
        f"/api/v1/favorites/{favorite.pk}/",
        {"kinds": ["horoscope"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "kinds" in response.json()["error"]["fields"]
    favorite.refresh_from_db()
    assert favorite.kinds == []
    assert ConsentEvent.objects.filter(subject_user=alice).count() == 1
