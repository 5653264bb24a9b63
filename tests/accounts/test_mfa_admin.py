"""The Django admin holds everyone's data: whoever can open it (the DPO and privacy staff,
is_staff) must have an authenticator app (TOTP) set up first; practice staff never can."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from records.models import StaffRole
from tests.conftest import client_for, mfa_client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _with_totp(user):
    TOTP.activate(user, generate_totp_secret())
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return user


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_dpo_without_totp_is_sent_to_set_up_an_authenticator(dpo, path):
    response = client_for(dpo).get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_dpo_with_totp_opens_the_admin(dpo):
    response = mfa_client_for(_with_totp(dpo)).get("/admin/")

    assert response.status_code == 200
    assert "VetPass — data protection" in response.content.decode()


def test_recovery_codes_alone_do_not_open_the_admin(dpo):
    Authenticator.objects.create(
        user=dpo, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    response = client_for(dpo).get("/admin/")
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [StaffRole.VET_SURGEON, StaffRole.NURSE])
@pytest.mark.parametrize("has_totp", [False, True])
def test_practice_staff_can_never_open_the_admin(riverside, role, has_totp):
    staff = UserFactory()
    MembershipFactory(practice=riverside, user=staff, role=role)
    if has_totp:
        _with_totp(staff)
    client = client_for(staff)

    for path in ("/admin/", "/admin/accounts/user/", "/admin/records/animal/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path
    # The admin's login page, followed, does not let them in either.
    page = client.get("/admin/", follow=True)
    assert "Site administration" not in page.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_through_allauth(client, reference_data):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
