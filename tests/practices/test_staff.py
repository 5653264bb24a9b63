"""The practice administrator manages staff; staff leave and ask to join other practices."""

import re

import pytest
from django.core import mail

from records.models import JoinRequest, PracticeMembership
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(reference_data, riverside):
    user = UserFactory(email="pat.admin@example.com", full_name="Pat Admin")
    MembershipFactory(practice=riverside, user=user, is_practice_admin=True)
    return user


def test_admin_creates_a_staff_account_and_they_are_emailed_a_set_password_link(
    admin, riverside, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            f"/workspace/{riverside.pk}/staff/new/",
            {"full_name": "Nina Nurse", "email": "Nina@Example.com", "role": "nurse"},
        )
    assert response.status_code == 302
    member = PracticeMembership.objects.get(user__email="nina@example.com")
    assert (member.practice, member.role, member.user.has_usable_password()) == (
        riverside,
        "nurse",
        False,
    )
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert b"password" in response.content.lower()


def test_admin_sees_errors_beside_fields_and_nothing_is_created(admin, riverside, carol):
    page = (
        client_for(admin)
        .post(
            f"/workspace/{riverside.pk}/staff/new/",
            {"full_name": "Carol Again", "email": carol.email, "role": "nurse"},
        )
        .content.decode()
    )
    assert "There is a problem" in page and 'href="#id_email"' in page
    assert "already has a VetPass account" in page and 'value="Carol Again"' in page
    assert PracticeMembership.objects.filter(practice=riverside).count() == 2


def test_admin_amends_details(admin, riverside, carol):
    member = carol.memberships.get()
    response = client_for(admin).post(
        f"/workspace/{riverside.pk}/staff/{member.pk}/",
        {"full_name": "Carol Vet MRCVS", "role": "vet_surgeon", "job_title": "Clinical lead"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    carol.refresh_from_db()
    assert (member.job_title, carol.full_name) == ("Clinical lead", "Carol Vet MRCVS")


def test_admin_of_another_practice_cannot_see_our_staff(admin, riverside, hilltop, dave):
    member = dave.memberships.get()
    client = client_for(admin)
    assert client.get(f"/workspace/{hilltop.pk}/staff/").status_code == 404
    assert client.get(f"/workspace/{riverside.pk}/staff/{member.pk}/").status_code == 404


def test_staff_who_leave_lose_the_workspace_at_once(favorite, carol, riverside, rex):
    client = client_for(carol)
    assert client.get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").status_code == 200
    client.post(f"/workspace/{riverside.pk}/leave/")
    assert carol.memberships.get().left_at is not None
    assert client.get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").status_code == 404
    assert client.get(f"/api/v1/workspace/{riverside.pk}/clients/").status_code == 404


def test_join_request_is_approved_by_the_other_practices_admin(admin, riverside, dave):
    client_for(dave).post(
        "/workspace/join/", {"practice": riverside.pk, "role": "vet_surgeon", "message": "Hi"}
    )
    join_request = JoinRequest.objects.get()
    # dave cannot approve himself: he is not riverside's administrator
    assert (
        client_for(dave)
        .post(
            f"/workspace/{riverside.pk}/join-requests/{join_request.pk}/", {"decision": "approve"}
        )
        .status_code
        == 404
    )
    client_for(admin).post(
        f"/workspace/{riverside.pk}/join-requests/{join_request.pk}/", {"decision": "approve"}
    )
    assert PracticeMembership.objects.filter(
        user=dave, practice=riverside, left_at__isnull=True
    ).exists()


def test_admin_edits_the_practice_profile(admin, riverside):
    from records.models import Service

    grooming = Service.objects.get(slug="grooming")
    response = client_for(admin).post(
        f"/workspace/{riverside.pk}/profile/",
        {
            "name": "Riverside Vets",
            "town": "Bristol",
            "postcode": "BS1 4DJ",
            "latitude": "51.45",
            "longitude": "",
            "services": [grooming.pk],
            "participates": "on",
        },
    )
    assert "Give both latitude and longitude, or neither." in response.content.decode()
    riverside.refresh_from_db()
    assert not riverside.services.exists()


def test_the_last_administrator_cannot_leave_and_nothing_changes(admin, riverside):
    membership = admin.memberships.get()
    response = client_for(admin).post(f"/workspace/{riverside.pk}/leave/")
    assert response.status_code == 400
    assert "needs another administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_at is None


def test_an_administrator_may_leave_once_another_one_exists(admin, riverside, carol):
    carol_membership = carol.memberships.get()
    carol_membership.is_practice_admin = True
    carol_membership.save()
    response = client_for(admin).post(f"/workspace/{riverside.pk}/leave/")
    assert response.status_code == 302
    assert admin.memberships.get().left_at is not None
