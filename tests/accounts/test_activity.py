"""Every use of a service moves the owner's last-activity time, through
accounts.services.activity_record (DESIGN.md, "what counts as using a service"); a mere
read does not. The retention jobs of a later issue read this time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from records import services
from records.models import AnimalAccess, CoOwnerInvitation, Permission
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 5, 4, 14, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts sign-ins in the cache; other tests' attempts must not count here."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quiet_alice(alice):
    """Alice, verified, last active at BEFORE."""
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    type(alice).objects.filter(pk=alice.pk).update(last_activity_at=BEFORE)
    alice.refresh_from_db()
    return alice


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _last_activity(user) -> tuple[dt.datetime | None, str]:
    user.refresh_from_db()
    return user.last_activity_at, user.last_activity_kind


def test_web_sign_in_moves_last_activity(quiet_alice, password):
    with time_machine.travel(NOW, tick=False):
        response = Client().post(
            "/accounts/login/", {"login": "alice@example.com", "password": password}
        )
    assert response.status_code == 302
    assert _last_activity(quiet_alice) == (NOW, "sign-in")


def test_failed_web_sign_in_does_not_move_last_activity(quiet_alice):
    with time_machine.travel(NOW, tick=False):
        Client().post("/accounts/login/", {"login": "alice@example.com", "password": "nope"})
    assert _last_activity(quiet_alice)[0] == BEFORE


def test_app_sign_in_moves_last_activity(quiet_alice, password):
    with time_machine.travel(NOW, tick=False):
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": "alice@example.com", "password": password},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert _last_activity(quiet_alice) == (NOW, "sign-in")


def test_adding_and_changing_a_record_through_the_web_services(quiet_alice, rex):
    with time_machine.travel(NOW, tick=False):
        entry = services.entry_create(
            animal=rex, author=quiet_alice, kind="clinical_note", notes="Limping"
        )
    assert _last_activity(quiet_alice) == (NOW, "record-change")

    later = NOW + dt.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        services.entry_update(entry=entry, actor=quiet_alice, notes="Better")
    assert _last_activity(quiet_alice)[0] == later


def test_adding_changing_and_deleting_a_record_through_the_api(quiet_alice, rex):
    api = _api(quiet_alice)
    with time_machine.travel(NOW, tick=False):
        created = api.post(
            f"/api/v1/animals/{rex.pk}/entries/",
            {"kind": "allergy", "allergen": "Chicken"},
            format="json",
        )
    assert created.status_code == 201
    assert _last_activity(quiet_alice) == (NOW, "record-change")

    for step, (method, kwargs) in enumerate(
        [("patch", {"data": {"severity": "mild"}, "format": "json"}), ("delete", {})], start=1
    ):
        when = NOW + dt.timedelta(hours=step)
        with time_machine.travel(when, tick=False):
            response = getattr(api, method)(f"/api/v1/entries/{created.json()['id']}/", **kwargs)
        assert response.status_code in (200, 204)
        assert _last_activity(quiet_alice)[0] == when


def test_changing_an_animal_through_the_api(quiet_alice, rex):
    with time_machine.travel(NOW, tick=False):
        _api(quiet_alice).patch(f"/api/v1/animals/{rex.pk}/", {"colour": "Red"}, format="json")
    assert _last_activity(quiet_alice) == (NOW, "record-change")


def test_accepting_an_invitation_moves_the_invitees_last_activity(quiet_alice, bob, tom):
    invitation = services.invitation_create(
        animal=tom, invited_by=bob, email=quiet_alice.email, permission=Permission.VIEW
    )
    with time_machine.travel(NOW, tick=False):
        response = _api(quiet_alice).post(
            "/api/v1/invitations/accept/", {"token": invitation.token}, format="json"
        )
    assert response.status_code == 200
    assert _last_activity(quiet_alice) == (NOW, "invitation")
    assert CoOwnerInvitation.objects.get().status == "accepted"


def test_a_mere_read_does_not_move_last_activity(quiet_alice, rex, bob, tom):
    EntryFactory(animal=rex)
    AnimalAccess.objects.create(animal=tom, user=quiet_alice, permission=Permission.VIEW)
    api = _api(quiet_alice)
    with time_machine.travel(NOW, tick=False):
        for url in (
            "/api/v1/animals/",
            f"/api/v1/animals/{rex.pk}/",
            f"/api/v1/animals/{rex.pk}/entries/",
            f"/api/v1/animals/{tom.pk}/entries/",
            "/api/v1/profile/",
            "/api/v1/invitations/received/",
        ):
            assert api.get(url).status_code == 200
    assert _last_activity(quiet_alice)[0] == BEFORE


def test_refused_bad_input_does_not_move_last_activity(quiet_alice, rex):
    with time_machine.travel(NOW, tick=False):
        response = _api(quiet_alice).post(
            f"/api/v1/animals/{rex.pk}/entries/",
            {"kind": "weight", "weight_value": "-3", "weight_unit": "kg"},
            format="json",
        )
    assert response.status_code == 400
    assert _last_activity(quiet_alice)[0] == BEFORE
