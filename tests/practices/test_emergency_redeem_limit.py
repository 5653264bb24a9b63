"""Emergency-share codes cannot be guessed: after 5 wrong codes from one person, or 10
from one practice, within 15 minutes, every attempt is refused — a right code too — with
a field error on the code, through the web and the API alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from records.practices import services as svc
from tests.api.conftest import api_client_for
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
LIMITED = "Too many codes that did not work"


@pytest.fixture
def share(alice, rex, time_machine):
    time_machine.move_to(NOW)
    return svc.emergency_share_create(owner=alice, animals=[rex])


def _fail(user, practice, times):
    for n in range(times):
        with pytest.raises(ValidationError):
            svc.emergency_share_redeem(code=f"WRONG{n:05d}", user=user, practice=practice)


def test_after_five_wrong_codes_even_the_right_one_is_refused_for_15_minutes(
    share, erin, harbour, time_machine
):
    _fail(erin, harbour, 5)
    with pytest.raises(ValidationError) as refused:
        svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour)
    assert LIMITED in str(refused.value.message_dict["code"])
    share.refresh_from_db()
    assert share.redeemed_at is None
    time_machine.move_to(NOW + timedelta(minutes=16))
    assert svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour) == share


def test_the_practice_is_limited_however_many_staff_guess(share, erin, harbour):
    colleagues = [UserFactory() for _ in range(3)]
    for user in colleagues:
        MembershipFactory(practice=harbour, user=user)
    _fail(erin, harbour, 4)
    _fail(colleagues[0], harbour, 4)
    _fail(colleagues[1], harbour, 2)  # ten from the practice
    with pytest.raises(ValidationError, match=LIMITED):
        svc.emergency_share_redeem(code=share.code, user=colleagues[2], practice=harbour)


def test_the_web_form_shows_the_limit_beside_the_code(share, erin, harbour):
    client = client_for(erin)
    url = f"/workspace/{harbour.pk}/redeem/"
    for n in range(5):
        assert client.post(url, {"code": f"WRONG{n:05d}"}).status_code == 200
    response = client.post(url, {"code": share.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert LIMITED in page and 'href="#id_code"' in page
    share.refresh_from_db()
    assert share.redeemed_at is None


def test_the_api_answers_400_in_the_error_format(share, erin, harbour):
    api = api_client_for(erin)
    url = f"/api/v1/workspace/{harbour.pk}/emergency-shares/redeem/"
    for n in range(5):
        assert api.post(url, {"code": f"WRONG{n:05d}"}, format="json").status_code == 400
    response = api.post(url, {"code": share.code}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and LIMITED in error["fields"]["code"][0]
    share.refresh_from_db()
    assert share.redeemed_at is None
