"""The Django admin changes data only through the services the web and the API call
(issue 7 §1.5): deleting an animal takes its files with it, a practice keeps one
administrator, and what has no service here (people's profiles, deleting a person or a
practice) is read-only or refused."""

from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from records.models import Animal, EntryKind, PracticeMembership
from tests.api.files import pdf, png
from tests.conftest import mfa_client_for
from tests.factories import AnimalFactory, EntryFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(reference_data):
    """VetPass staff with every permission (a superuser), past the admin's TOTP gate."""
    user = UserFactory(email="ops@vetpass.example", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return mfa_client_for(user)


def _animal_with_files(owner, name):
    animal = AnimalFactory(owner=owner, name=name, photo=png(f"{name}.png"))
    entry = EntryFactory(animal=animal, kind=EntryKind.DOCUMENT, document=pdf(f"{name}.pdf"))
    paths = [Path(settings.MEDIA_ROOT) / animal.photo.name, Path(entry.document.path)]
    assert all(p.exists() for p in paths)
    return animal, paths


def test_deleting_an_animal_in_the_admin_deletes_its_files(
    staff_client, alice, django_capture_on_commit_callbacks
):
    animal, paths = _animal_with_files(alice, "Rex")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:records_animal_delete", args=[animal.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Animal.objects.filter(pk=animal.pk).exists()
    assert not any(p.exists() for p in paths)


def test_delete_selected_in_the_admin_deletes_every_animals_files(
    staff_client, alice, bob, django_capture_on_commit_callbacks
):
    rex, rex_files = _animal_with_files(alice, "Rex")
    tom, tom_files = _animal_with_files(bob, "Tom")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:records_animal_changelist"),
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [rex.pk, tom.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Animal.objects.filter(pk__in=[rex.pk, tom.pk]).exists()
    assert not any(p.exists() for p in rex_files + tom_files)


def test_animals_cannot_be_added_or_changed_in_the_admin(staff_client, rex):
    assert staff_client.get(reverse("admin:records_animal_add")).status_code == 403
    staff_client.post(reverse("admin:records_animal_change", args=[rex.pk]), {"name": "Renamed"})
    rex.refresh_from_db()
    assert rex.name == "Rex"


@pytest.fixture
def pat(reference_data, riverside):
    """Riverside's only practice administrator."""
    user = UserFactory(email="pat.admin@example.com", full_name="Pat Admin")
    return MembershipFactory(practice=riverside, user=user, is_practice_admin=True)


def _membership_form(membership, **changes):
    return {
        "role": membership.role,
        "job_title": membership.job_title,
        "is_practice_admin": "on" if membership.is_practice_admin else "",
        **changes,
    }


def test_the_admin_cannot_demote_the_practices_last_administrator(staff_client, pat):
    url = reverse("admin:records_practicemembership_change", args=[pat.pk])
    response = staff_client.post(url, _membership_form(pat, is_practice_admin=""))
    assert response.status_code == 200
    assert "needs another administrator" in response.content.decode()
    pat.refresh_from_db()
    assert pat.is_practice_admin


def test_the_admin_demotes_an_administrator_when_another_remains(staff_client, pat, carol):
    carol_membership = carol.memberships.get()
    PracticeMembership.objects.filter(pk=carol_membership.pk).update(is_practice_admin=True)
    url = reverse("admin:records_practicemembership_change", args=[pat.pk])
    response = staff_client.post(
        url, _membership_form(pat, is_practice_admin="", job_title="Reception")
    )
    assert response.status_code == 302
    pat.refresh_from_db()
    assert (pat.is_practice_admin, pat.job_title) == (False, "Reception")


def test_the_last_administrator_cannot_be_marked_as_left_in_the_admin(staff_client, pat, carol):
    carol_membership = carol.memberships.get()
    response = staff_client.post(
        reverse("admin:records_practicemembership_changelist"),
        {"action": "mark_left", ACTION_CHECKBOX_NAME: [pat.pk, carol_membership.pk]},
        follow=True,
    )
    assert "needs another administrator" in response.content.decode()
    pat.refresh_from_db()
    carol_membership.refresh_from_db()
    assert (pat.left_at, carol_membership.left_at) == (None, None)  # all or none

    staff_client.post(
        reverse("admin:records_practicemembership_changelist"),
        {"action": "mark_left", ACTION_CHECKBOX_NAME: [carol_membership.pk]},
    )
    carol_membership.refresh_from_db()
    assert carol_membership.left_at is not None


def test_memberships_practices_and_people_cannot_be_deleted_in_the_admin(
    staff_client, pat, riverside, alice
):
    for url in (
        reverse("admin:records_practicemembership_delete", args=[pat.pk]),
        reverse("admin:records_practice_delete", args=[riverside.pk]),
        reverse("admin:accounts_user_delete", args=[alice.pk]),
    ):
        assert staff_client.post(url, {"post": "yes"}).status_code == 403, url
    assert PracticeMembership.objects.filter(pk=pat.pk).exists()


def test_the_admin_puts_an_existing_account_on_a_practices_staff_once(staff_client, hilltop, bob):
    url = reverse("admin:records_practicemembership_add")
    form = {"practice": hilltop.pk, "user": bob.pk, "role": "vet_surgeon", "job_title": ""}
    assert staff_client.post(url, {**form, "is_practice_admin": "on"}).status_code == 302
    assert PracticeMembership.objects.get(user=bob, practice=hilltop).is_practice_admin
    again = staff_client.post(url, form)
    assert again.status_code == 200
    assert PracticeMembership.objects.filter(user=bob, practice=hilltop).count() == 1


def test_a_persons_profile_is_read_only_in_the_admin(staff_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="full_name"' not in page and 'name="email"' not in page
    assert "Alice Owner" in page
