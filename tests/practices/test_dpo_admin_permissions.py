"""The DPO reads favorites, shares, record requests and the access log in the admin, as
the README promises, and everything else they need for a case, read-only (issue 7 §1.5):
the permissions come with the is_dpo flag, in code, so a fresh install has them."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from records.models import AccessLog, Favorite
from tests.conftest import mfa_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client(dpo):
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return mfa_client_for(dpo)


def test_the_dpo_reads_favorites_shares_requests_and_the_access_log(
    dpo_client, favorite, emergency_share, record_request
):
    AccessLog.objects.create(
        viewer_id=1, owner_id=favorite.owner_id, view="x", grant_kind="favorite", grant_id=1
    )
    objects = {
        "favorite": favorite,
        "emergencyshare": emergency_share,
        "recordrequest": record_request,
        "accesslog": AccessLog.objects.first(),
    }
    for model, obj in objects.items():
        assert dpo_client.get(reverse(f"admin:records_{model}_changelist")).status_code == 200
        assert (
            dpo_client.get(reverse(f"admin:records_{model}_change", args=[obj.pk])).status_code
            == 200
        )
        assert dpo_client.get(reverse(f"admin:records_{model}_add")).status_code == 403
        assert (
            dpo_client.get(reverse(f"admin:records_{model}_delete", args=[obj.pk])).status_code
            == 403
        )


@pytest.mark.parametrize(
    "url",
    [
        "admin:records_animal_changelist",
        "admin:records_entry_changelist",
        "admin:records_practice_changelist",
        "admin:records_practicemembership_changelist",
        "admin:accounts_user_changelist",
        "admin:consent_consentevent_changelist",
    ],
)
def test_the_dpo_reads_the_rest_of_a_case_in_the_admin(dpo_client, favorite, url):
    assert dpo_client.get(reverse(url)).status_code == 200


def test_the_dpo_changes_and_deletes_nothing_in_the_admin(dpo_client, dpo, favorite, rex, alice):
    assert dpo.has_perm("records.view_animal")
    assert not any(
        dpo.has_perm(f"records.{action}_{model}")
        for action in ("add", "change", "delete")
        for model in ("animal", "favorite", "practice", "practicemembership")
    )
    assert (
        dpo_client.post(
            reverse("admin:records_animal_delete", args=[rex.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        dpo_client.post(
            reverse("admin:records_practice_change", args=[favorite.practice_id]), {"name": "x"}
        ).status_code
        == 403
    )
    assert Favorite.objects.filter(pk=favorite.pk).exists()
    rex.refresh_from_db()


def test_the_flag_alone_gives_nothing_without_staff_status(dpo):
    dpo.is_staff = False
    dpo.save()
    assert not dpo.has_perm("records.view_favorite")
