"""People and grants for the practice tests, on top of tests/conftest.py's alice, bob,
rex, tom, riverside (carol's practice) and hilltop (dave's practice):

- favorite: alice favorited Riverside (all animals, all records) and said she is
  already a client, so there is an open record request
- lena: was a vet at Riverside and left
- erin: a vet at Harbour Emergency Clinic, which redeemed alice's emergency share of Rex
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from records.practices import services as svc
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def favorite(now, alice, rex, riverside, carol):
    return svc.favorite_create(owner=alice, practice=riverside, already_client=True)


@pytest.fixture
def record_request(favorite):
    return favorite.requests.get()


@pytest.fixture
def lena(reference_data, riverside):
    user = UserFactory(email="lena.left@example.com", full_name="Lena Left")
    MembershipFactory(practice=riverside, user=user, left_at=timezone.now() - timedelta(days=1))
    return user


@pytest.fixture
def harbour(db):
    return PracticeFactory(name="Harbour Emergency Clinic", town="Bristol", postcode="BS8 1TH")


@pytest.fixture
def erin(reference_data, harbour):
    user = UserFactory(email="erin.vet@example.com", full_name="Erin Emergency")
    MembershipFactory(practice=harbour, user=user)
    return user


@pytest.fixture
def emergency_share(now, alice, rex, erin, harbour):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    return svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour)
