"""Issue 7 §1.3: a restricted owner (Art. 18) starts no new sharing and gets no practice
writes — refused in the service, so the web and the API give the same answer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from records import services
from records.models import AnimalAccess, CoOwnerInvitation, EmergencyShare, Entry
from records.practices import services as svc
from tests.conftest import client_for
from vetpass.accounts.services import restriction_apply

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def restrict(user, dpo):
    restriction_apply(user=user, reason="Art. 18 request, case 12: accuracy contested", actor=dpo)
    user.refresh_from_db()


# --- an emergency share made before the restriction --------------------------------------


@pytest.fixture
def old_share(now, alice, rex, dpo):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    restrict(alice, dpo)
    return share


def _not_redeemed(share):
    share.refresh_from_db()
    assert share.redeemed_at is None and share.practice_id is None
    assert not mail.outbox


def test_the_service_refuses_to_redeem_a_restricted_owners_share(old_share, erin, harbour):
    with pytest.raises(ValidationError) as exc:
        svc.emergency_share_redeem(code=old_share.code, user=erin, practice=harbour)
    assert "restricted" in " ".join(exc.value.message_dict["code"])
    _not_redeemed(old_share)


def test_web_and_api_refuse_the_redemption_with_the_same_message(old_share, erin, harbour):
    page = client_for(erin).post(f"/workspace/{harbour.pk}/redeem/", {"code": old_share.code})
    assert page.status_code == 200 and "restricted" in page.content.decode()
    response = api_for(erin).post(
        f"/api/v1/workspace/{harbour.pk}/emergency-shares/redeem/",
        {"code": old_share.code},
        format="json",
    )
    assert response.status_code == 400
    assert "restricted" in " ".join(response.json()["error"]["fields"]["code"])
    _not_redeemed(old_share)
    assert not EmergencyShare.objects.filter(redeemed_at__isnull=False).exists()


# --- importing records into a restricted owner's animals ---------------------------------

CSV = "animal,kind,date,vaccine_product\n{rex},vaccination,2025-06-01,Nobivac DHP\n"


def test_the_service_imports_nothing_for_a_restricted_owner(record_request, alice, rex, carol, dpo):
    restrict(alice, dpo)
    record_request.refresh_from_db()
    for dry_run in (True, False):
        result = svc.record_request_import(
            record_request=record_request,
            membership=carol.memberships.get(),
            content=CSV.format(rex=rex.pk).encode(),
            filename="records.csv",
            dry_run=dry_run,
        )
        assert not result.is_clean and result.imported == 0
        assert "restricted" in str(result.errors[0])
    assert not Entry.objects.exists()


def test_web_and_api_import_nothing_for_a_restricted_owner(
    record_request, alice, rex, carol, riverside, dpo
):
    restrict(alice, dpo)
    url = f"/workspace/{riverside.pk}/requests/{record_request.pk}/"
    upload = SimpleUploadedFile("records.csv", CSV.format(rex=rex.pk).encode(), "text/csv")
    page = client_for(carol).post(url, {"check": "1", "file": upload})
    assert "restricted" in page.content.decode()
    upload = SimpleUploadedFile("records.csv", CSV.format(rex=rex.pk).encode(), "text/csv")
    response = api_for(carol).post(
        f"/api/v1/workspace/{riverside.pk}/requests/{record_request.pk}/import/",
        {"file": upload, "dry_run": "false"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["imported"] == 0
    assert "restricted" in response.json()["errors"][0]["message"]
    assert not Entry.objects.exists()


# --- co-owner invitations ----------------------------------------------------------------


def test_a_restricted_owner_cannot_invite_a_co_owner_through_any_door(alice, rex, dpo):
    restrict(alice, dpo)
    with pytest.raises(ValidationError):
        services.invitation_create(
            animal=rex, invited_by=alice, email="friend@example.com", permission="view"
        )
    page = client_for(alice).post(
        f"/animals/{rex.pk}/co-owners/", {"email": "friend@example.com", "permission": "view"}
    )
    assert page.status_code == 200 and "restricted" in page.content.decode()
    response = api_for(alice).post(
        f"/api/v1/animals/{rex.pk}/invitations/",
        {"email": "friend@example.com", "permission": "view"},
        format="json",
    )
    assert response.status_code == 400
    assert "restricted" in str(response.json()["error"]["fields"])
    assert not CoOwnerInvitation.objects.exists()


def test_an_invitation_sent_before_the_restriction_cannot_be_accepted(alice, rex, bob, dpo):
    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email=bob.email, permission="view"
    )
    restrict(alice, dpo)
    response = api_for(bob).post(
        "/api/v1/invitations/accept/", {"token": invitation.token}, format="json"
    )
    assert response.status_code == 400
    page = client_for(bob).post(f"/invitations/{invitation.token}/", {"answer": "accept"})
    assert "restricted" in page.content.decode()
    assert not AnimalAccess.objects.exists()
