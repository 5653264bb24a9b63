"""The ledger is the grant: however practice sharing is withdrawn — the practice page, the
privacy centre, the API, the DPO recording a letter — the favorite, the registration and
the access end in the same transaction; and sharing starts again only by favoriting."""

import pytest
from django.http import Http404

from consent.models import Action, ActorRole, Channel, ConsentEvent
from consent.selectors import consent_given
from consent.services import consent_record
from records.models import ClientRegistration, Favorite
from records.selectors import get_animal_for_user
from tests.conftest import client_for

SCOPE_FMT = "practice:{}"
CHANGE_URL = "/privacy/consents/"


def _change(client, practice, action):
    return client.post(
        CHANGE_URL,
        {"purpose": "practice_sharing", "scope": SCOPE_FMT.format(practice.pk), "action": action},
    )


def _assert_ended(favorite, carol, rex):
    favorite.refresh_from_db()
    assert favorite.ended_at is not None
    assert ClientRegistration.objects.get(pk=favorite.registration_id).ended_at is not None
    with pytest.raises(Http404):
        get_animal_for_user(carol, rex.pk)


@pytest.mark.django_db
def test_turning_sharing_off_in_the_privacy_centre_ends_the_favorite(
    alice_client, favorite, riverside, carol, rex
):
    assert get_animal_for_user(carol, rex.pk)  # shared before
    response = alice_client.post(
        CHANGE_URL,
        {
            "purpose": "practice_sharing",
            "scope": SCOPE_FMT.format(riverside.pk),
            "action": "withdraw",
        },
    )
    assert response.status_code == 302
    _assert_ended(favorite, carol, rex)
    assert not Favorite.objects.active().filter(owner=favorite.owner).exists()


@pytest.mark.django_db
def test_a_withdrawal_the_dpo_records_from_a_letter_ends_the_favorite(
    alice, favorite, riverside, carol, rex, dpo
):
    consent_record(
        subject=alice,
        purpose="practice_sharing",
        scope=SCOPE_FMT.format(riverside.pk),
        action=Action.WITHDRAW,
        channel=Channel.ADMIN,
        actor=dpo,
        actor_role=ActorRole.DPO,
        wording="Letter of 2 March 2026: stop sharing with Riverside Vets.",
    )
    _assert_ended(favorite, carol, rex)


@pytest.mark.django_db
def test_sharing_cannot_be_turned_back_on_from_the_privacy_centre(
    alice, alice_client, favorite, riverside, carol, rex
):
    from records.practices import services as svc

    svc.favorite_delete(favorite=favorite)
    events = ConsentEvent.objects.count()
    response = _change(alice_client, riverside, "grant")
    assert response.status_code == 400
    assert "favorite it again" in response.content.decode()
    assert ConsentEvent.objects.count() == events
    assert not consent_given(alice, "practice_sharing", SCOPE_FMT.format(riverside.pk))
    page = alice_client.get("/privacy/").content.decode()
    assert f'href="/practices/{riverside.pk}/"' in page


@pytest.mark.django_db
def test_unfavoriting_writes_one_withdraw_event(alice, favorite, riverside):
    from records.practices import services as svc

    before = ConsentEvent.objects.filter(action=Action.WITHDRAW).count()
    svc.favorite_delete(favorite=favorite)
    svc.favorite_delete(favorite=favorite)  # a second click changes nothing
    assert ConsentEvent.objects.filter(action=Action.WITHDRAW).count() == before + 1
    assert client_for(alice).get("/favorites/").status_code == 200
