import pytest
from django.urls import reverse

from records import services
from records.models import Animal, Entry
from tests.conftest import client_for
from tests.factories import EntryFactory


@pytest.mark.django_db
def test_owner_confirms_then_deletes_an_animal_with_its_records(alice_client, rex):
    EntryFactory(animal=rex)
    confirm = alice_client.get(reverse("records:animal_delete", args=[rex.pk]))
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert Animal.objects.filter(pk=rex.pk).exists()  # a GET deletes nothing

    response = alice_client.post(reverse("records:animal_delete", args=[rex.pk]))
    assert response.status_code == 302
    assert not Animal.objects.filter(pk=rex.pk).exists()
    assert not Entry.objects.filter(animal_id=rex.pk).exists()


@pytest.mark.django_db
def test_a_co_owner_who_may_edit_still_cannot_delete_the_animal(alice, rex, bob):
    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email=bob.email, permission="edit"
    )
    services.invitation_accept(token=invitation.token, user=bob)
    response = client_for(bob).post(reverse("records:animal_delete", args=[rex.pk]))
    assert response.status_code == 404
    assert Animal.objects.filter(pk=rex.pk).exists()
