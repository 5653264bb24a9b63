"""Co-owner invitations and co-owners over the API."""

from __future__ import annotations

import pytest
from django.core import mail

from records.models import AnimalAccess, CoOwnerInvitation, Permission

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(alice_api, rex, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(
            f"/api/v1/animals/{rex.pk}/invitations/",
            {"email": "Bob@Example.com", "permission": "edit"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    return CoOwnerInvitation.objects.get(pk=response.json()["id"])


def test_owner_invites_by_email_and_the_invitee_is_told(invitation, rex):
    assert (invitation.animal, invitation.email, invitation.permission) == (
        rex,
        "bob@example.com",
        "edit",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@example.com"]


def test_sent_and_received_lists(invitation, alice_api, bob_api):
    sent = alice_api.get("/api/v1/invitations/sent/").json()["results"]
    received = bob_api.get("/api/v1/invitations/received/").json()["results"]

    assert [i["id"] for i in sent] == [invitation.pk]
    assert "token" not in sent[0]
    assert [i["token"] for i in received] == [invitation.token]
    assert received[0]["invited_by_name"] == "Alice Owner"
    assert alice_api.get("/api/v1/invitations/received/").json()["results"] == []


def test_invitee_accepts_and_the_animal_is_shared(invitation, bob_api, bob, rex):
    response = bob_api.post(
        "/api/v1/invitations/accept/", {"token": invitation.token}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert AnimalAccess.objects.get(animal=rex, user=bob).permission == Permission.EDIT
    assert [a["name"] for a in bob_api.get("/api/v1/animals/").json()["results"]] == ["Rex"]
    again = bob_api.post("/api/v1/invitations/accept/", {"token": invitation.token}, format="json")
    assert again.status_code == 400


def test_someone_else_cannot_use_the_token(invitation, alice_api, rex):
    response = alice_api.post(
        "/api/v1/invitations/accept/", {"token": invitation.token}, format="json"
    )

    assert response.status_code == 404
    assert not AnimalAccess.objects.exists()


def test_invitee_declines(invitation, bob_api):
    response = bob_api.post(
        "/api/v1/invitations/decline/", {"token": invitation.token}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert not AnimalAccess.objects.exists()


def test_owner_revokes_and_the_token_stops_working(invitation, alice_api, bob_api):
    response = alice_api.post(f"/api/v1/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"

    accept = bob_api.post("/api/v1/invitations/accept/", {"token": invitation.token}, format="json")
    assert accept.status_code == 400
    assert bob_api.post(f"/api/v1/invitations/{invitation.pk}/revoke/").status_code == 404


def test_inviting_twice_or_an_existing_co_owner_is_a_field_error(invitation, alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/invitations/", {"email": "bob@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


def test_a_bad_email_or_permission_is_a_field_error(alice_api, rex):
    response = alice_api.post(
        f"/api/v1/animals/{rex.pk}/invitations/",
        {"email": "not-an-email", "permission": "own"},
        format="json",
    )
    assert set(response.json()["error"]["fields"]) == {"email", "permission"}
    assert not CoOwnerInvitation.objects.exists()


def test_co_owners_listed_and_removed(invitation, alice_api, bob_api, rex, bob):
    bob_api.post("/api/v1/invitations/accept/", {"token": invitation.token}, format="json")

    co_owners = alice_api.get(f"/api/v1/animals/{rex.pk}/co-owners/").json()["results"]
    assert [(c["email"], c["permission"]) for c in co_owners] == [("bob@example.com", "edit")]

    response = alice_api.delete(f"/api/v1/animals/{rex.pk}/co-owners/{co_owners[0]['id']}/")
    assert response.status_code == 204
    assert not AnimalAccess.objects.exists()
    assert bob_api.get(f"/api/v1/animals/{rex.pk}/").status_code == 404


def test_a_co_owner_may_give_up_their_own_access(alice, bob, rex, bob_api):
    access = AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)

    response = bob_api.delete(f"/api/v1/animals/{rex.pk}/co-owners/{access.pk}/")

    assert response.status_code == 204
    assert not AnimalAccess.objects.exists()


def test_a_co_owner_cannot_remove_another_co_owner(alice, bob, rex, bob_api):
    from tests.factories import UserFactory

    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)
    other = AnimalAccess.objects.create(animal=rex, user=UserFactory(), permission=Permission.VIEW)

    response = bob_api.delete(f"/api/v1/animals/{rex.pk}/co-owners/{other.pk}/")

    assert response.status_code == 404
    assert AnimalAccess.objects.count() == 2


def test_only_the_owner_invites(alice, bob, rex, bob_api):
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)

    response = bob_api.post(
        f"/api/v1/animals/{rex.pk}/invitations/", {"email": "c@example.com"}, format="json"
    )

    assert response.status_code == 404
    assert not CoOwnerInvitation.objects.exists()
