"""Co-owners through the web: invite -> accept -> the invitee sees the animal; a view-only
co-owner cannot edit; only the invited person can answer."""

import re

import pytest
from django.urls import reverse

from records.models import AnimalAccess, CoOwnerInvitation
from tests.conftest import client_for
from tests.factories import UserFactory


def invite(client, animal, email, permission="view"):
    return client.post(
        reverse("records:co_owners", args=[animal.pk]), {"email": email, "permission": permission}
    )


def link_from(mail) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", mail.body).group(1)


@pytest.mark.django_db(transaction=True)
def test_invitee_accepts_and_then_sees_the_animal(
    alice_client, rex, bob, bob_client, mailoutbox, reference_data
):
    assert bob_client.get(reverse("records:animal_detail", args=[rex.pk])).status_code == 404
    response = invite(alice_client, rex, "bob@example.com", "view")
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["bob@example.com"]
    url = link_from(mailoutbox[0])

    page = bob_client.get(url)
    assert "Accept" in page.content.decode()
    accepted = bob_client.post(url, {"answer": "accept"})
    assert accepted.status_code == 302
    detail = bob_client.get(reverse("records:animal_detail", args=[rex.pk]))
    assert detail.status_code == 200 and "view only" in detail.content.decode()
    assert "Rex" in bob_client.get(reverse("records:home")).content.decode()
    # View-only: every edit URL is a 404 and nothing changes.
    assert bob_client.get(reverse("records:animal_edit", args=[rex.pk])).status_code == 404
    assert bob_client.get(reverse("records:entry_add", args=[rex.pk])).status_code == 404
    assert bob_client.get(reverse("records:co_owners", args=[rex.pk])).status_code == 404
    # The invitation cannot be answered twice.
    again = bob_client.post(url, {"answer": "accept"})
    assert "already been answered" in again.content.decode()


@pytest.mark.django_db
def test_edit_co_owner_can_add_records(alice, rex, bob, bob_client):
    from records import services

    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="edit"
    )
    bob_client.post(
        reverse("records:invitation_answer", args=[invitation.token]), {"answer": "accept"}
    )
    response = bob_client.post(
        reverse("records:entry_add", args=[rex.pk]) + "?kind=clinical_note",
        {"occurred_on": "2026-01-01", "notes": "Walked 5 km"},
    )
    assert response.status_code == 302
    assert rex.entries.get().author == bob


@pytest.mark.django_db
def test_someone_else_cannot_open_the_invitation(alice, rex, bob):
    from records import services

    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )
    carl = client_for(UserFactory(email="carl@example.com"))
    url = reverse("records:invitation_answer", args=[invitation.token])
    assert carl.get(url).status_code == 404
    assert carl.post(url, {"answer": "accept"}).status_code == 404
    assert not AnimalAccess.objects.exists()


@pytest.mark.django_db
def test_invalid_invitation_email_shows_a_field_error(alice_client, rex):
    response = invite(alice_client, rex, "not-an-email")
    assert 'id="id_email-error"' in response.content.decode()
    own = invite(alice_client, rex, "alice@example.com")
    assert "You already own this animal." in own.content.decode()
    assert not CoOwnerInvitation.objects.exists()


@pytest.mark.django_db
def test_owner_withdraws_an_invitation_and_removes_a_co_owner(alice, alice_client, rex, bob):
    from records import services

    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )
    alice_client.post(reverse("records:invitation_revoke", args=[rex.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"

    access = AnimalAccess.objects.create(animal=rex, user=bob, permission="view")
    alice_client.post(reverse("records:access_remove", args=[rex.pk, access.pk]))
    assert not AnimalAccess.objects.exists()
    assert client_for(bob).get(reverse("records:animal_detail", args=[rex.pk])).status_code == 404


@pytest.mark.django_db
def test_co_owner_declines(alice, rex, bob, bob_client):
    from records import services

    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )
    bob_client.post(
        reverse("records:invitation_answer", args=[invitation.token]), {"answer": "decline"}
    )
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert bob_client.get(reverse("records:animal_detail", args=[rex.pk])).status_code == 404


@pytest.mark.django_db
def test_animal_page_lists_co_owners_and_invites_from_there(alice_client, rex, bob):
    AnimalAccess.objects.create(animal=rex, user=bob, permission="edit")
    html = alice_client.get(reverse("records:animal_detail", args=[rex.pk])).content.decode()
    assert "Bob Other" in html and "view and edit" in html
    assert f'action="{reverse("records:co_owners", args=[rex.pk])}"' in html
    assert 'id="invite_email"' in html


@pytest.mark.django_db
def test_a_co_owner_cannot_remove_another_co_owner_but_can_remove_themself(alice, rex, bob):
    from records import services as record_services
    from records.models import AnimalAccess
    from tests.conftest import client_for
    from tests.factories import UserFactory

    carl = UserFactory(email="carl@example.com")
    for person in (bob, carl):
        invitation = record_services.invitation_create(
            animal=rex, invited_by=alice, email=person.email, permission="edit"
        )
        record_services.invitation_accept(token=invitation.token, user=person)
    carl_access = AnimalAccess.objects.get(animal=rex, user=carl)
    bob_access = AnimalAccess.objects.get(animal=rex, user=bob)

    url = f"/animals/{rex.pk}/co-owners/{carl_access.pk}/remove/"
    assert client_for(bob).post(url).status_code == 404
    assert AnimalAccess.objects.filter(pk=carl_access.pk).exists()

    own = client_for(bob).post(f"/animals/{rex.pk}/co-owners/{bob_access.pk}/remove/")
    assert own.status_code == 302 and own["Location"] == "/"
    assert not AnimalAccess.objects.filter(pk=bob_access.pk).exists()
