"""Emergency shares: a code for a practice that is not favorited, limited in time,
redeemed by that practice's staff, notified to the owner, revocable."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from records.practices import services as svc
from records.selectors import get_animal_for_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_default_share_lasts_72_hours(now, alice, rex, settings):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    assert share.expires_at - now == timedelta(hours=72) == settings.EMERGENCY_SHARE_DEFAULT


def test_redeeming_staff_see_the_animal_until_expiry(
    now, alice, rex, erin, harbour, time_machine, django_capture_on_commit_callbacks
):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    with pytest.raises(Http404):
        get_animal_for_user(erin, rex.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.emergency_share_redeem(code=share.code.lower(), user=erin, practice=harbour)
    assert get_animal_for_user(erin, rex.pk).via == share
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "Harbour Emergency Clinic" in mail.outbox[0].body
    time_machine.shift(timedelta(hours=71, minutes=59))
    assert client_for(erin).get(f"/workspace/{harbour.pk}/animals/{rex.pk}/").status_code == 200
    time_machine.shift(timedelta(minutes=2))
    assert client_for(erin).get(f"/workspace/{harbour.pk}/animals/{rex.pk}/").status_code == 404


def test_revoked_share_stops_access_at_once(emergency_share, alice, rex, erin, harbour):
    response = client_for(alice).post(f"/emergency-shares/{emergency_share.pk}/revoke/")
    assert response.status_code == 302
    assert client_for(erin).get(f"/workspace/{harbour.pk}/animals/{rex.pk}/").status_code == 404


def test_share_named_for_one_practice_cannot_be_used_by_another(
    now, alice, rex, dave, hilltop, harbour
):
    share = svc.emergency_share_create(owner=alice, animals=[rex], practice=harbour)
    with pytest.raises(ValidationError):
        svc.emergency_share_redeem(code=share.code, user=dave, practice=hilltop)


def test_expired_code_is_refused(now, alice, rex, erin, harbour, time_machine):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    time_machine.shift(timedelta(hours=73))
    with pytest.raises(ValidationError):
        svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour)


def test_share_reads_are_logged_under_the_share(emergency_share, alice, rex, erin, harbour):
    from records.models import AccessLog

    client_for(erin).get(f"/workspace/{harbour.pk}/animals/{rex.pk}/")
    row = AccessLog.objects.get(owner=alice)
    assert (row.grant_kind, row.grant_id, row.practice_id) == (
        "emergency_share",
        emergency_share.pk,
        harbour.pk,
    )


def test_web_redeem_form_reports_a_bad_code_beside_the_field(erin, harbour):
    page = (
        client_for(erin).post(f"/workspace/{harbour.pk}/redeem/", {"code": "NOPE"}).content.decode()
    )
    assert "There is a problem" in page and 'href="#id_code"' in page


@pytest.mark.parametrize("hours", [0, 721])
def test_share_length_is_checked_by_the_service_on_web_and_api(alice, rex, hours):
    from records.models import EmergencyShare
    from tests.conftest import client_for

    client = client_for(alice)
    web = client.post("/emergency-shares/", {"animals": [rex.pk], "hours": hours})
    api = client.post(
        "/api/v1/emergency-shares/",
        {"animals": [rex.pk], "hours": hours},
        content_type="application/json",
    )
    assert "between 1 and 720 hours" in web.content.decode()
    assert api.status_code == 400 and "hours" in api.json()["error"]["fields"]
    assert not EmergencyShare.objects.exists()
