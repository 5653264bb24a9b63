"""Only DPO users with MFA reach the casework (issue 8 §4): an authenticator app, and this
session signed in with it (allauth records each authentication method in the session).
The rule is one function, vetpass.admin.admin_mfa_missing; is_dpo_request (the DSAR
admin, the ledger, accounts, legal holds) and the admin's middleware both ask it. A DPO
without MFA is sent to allauth's MFA pages with a message, never a 500 or a bare 403."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from records.models import AccessLog
from tests.conftest import client_for, mfa_client_for, sign_in_with_mfa
from tests.dsar.conftest import case_for
from tests.factories import PASSWORD
from vetpass.admin import MFA_NOT_SET_UP, MFA_NOT_USED, admin_mfa_missing, is_dpo_request

pytestmark = pytest.mark.django_db

CASES = "/admin/dsar/datasubjectrequest/"
# Every DPO admin that asks is_dpo_request: casework, legal holds, the ledger, accounts.
DPO_PAGES = [
    CASES,
    "/admin/dsar/legalhold/",
    "/admin/consent/consentevent/",
    "/admin/accounts/user/",
]


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _request_for(client: Client, user):
    request = RequestFactory().get(CASES)
    request.user = user
    request.session = client.session
    return request


def test_the_rule_needs_an_authenticator_and_a_session_signed_in_with_it(dpo, alice):
    # no authenticator app
    assert admin_mfa_missing(_request_for(client_for(dpo), dpo)) == MFA_NOT_SET_UP
    # recovery codes alone are no authenticator
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert admin_mfa_missing(_request_for(client_for(dpo), dpo)) == MFA_NOT_SET_UP
    TOTP.activate(dpo, generate_totp_secret())
    # set up, but this session was not signed in with it
    request = _request_for(client_for(dpo), dpo)
    assert admin_mfa_missing(request) == MFA_NOT_USED
    assert not is_dpo_request(request)
    # signed in with it
    request = _request_for(mfa_client_for(dpo), dpo)
    assert admin_mfa_missing(request) is None
    assert is_dpo_request(request)
    # another person's MFA in the session does not count for the DPO
    alice_session = mfa_client_for(alice).session
    request = RequestFactory().get(CASES)
    request.user, request.session = dpo, alice_session
    assert admin_mfa_missing(request) == MFA_NOT_USED
    # MFA proves who signed in; it does not make someone a DPO
    request = _request_for(mfa_client_for(alice), alice)
    assert admin_mfa_missing(request) is None
    assert not is_dpo_request(request)


@pytest.mark.parametrize("url", DPO_PAGES)
def test_a_dpo_without_an_authenticator_is_sent_to_set_one_up(dpo, alice, url):
    case_for(alice, datetime.now(UTC))
    client = client_for(dpo)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("set up an authenticator app" in m for m in said)
    assert AccessLog.objects.count() == 0  # nothing was shown


@pytest.mark.parametrize("url", DPO_PAGES)
def test_a_dpo_whose_session_did_not_use_mfa_is_asked_for_a_code(dpo, url):
    TOTP.activate(dpo, generate_totp_secret())
    response = client_for(dpo).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next={url.replace('/', '%2F')}"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("confirm a code from your authenticator app" in m for m in said)


def test_a_case_action_posted_without_mfa_changes_nothing(dpo, alice):
    case = case_for(alice, datetime.now(UTC))
    TOTP.activate(dpo, generate_totp_secret())
    response = client_for(dpo).post(f"{CASES}{case.pk}/act/note/", {"text": "no MFA"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not case.events.filter(text="no MFA").exists()


def test_the_dpo_signs_in_through_allauth_with_a_code_and_reaches_the_cases(dpo):
    """The real pages: password, then the authenticator's code, then the casework. This is
    what tests/conftest.py sign_in_with_mfa stands for."""
    EmailAddress.objects.create(user=dpo, email=dpo.email, primary=True, verified=True)
    secret = generate_totp_secret()
    TOTP.activate(dpo, secret)
    client = Client()
    step = client.post(reverse("account_login"), {"login": dpo.email, "password": PASSWORD})
    assert step.status_code == 302 and step["Location"] == reverse("mfa_authenticate")
    signed_in = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert signed_in.status_code == 302, signed_in.content[:500]
    assert client.get(CASES).status_code == 200


def test_a_dpo_confirms_a_code_and_goes_back_to_the_page_they_asked_for(dpo):
    """A session signed in before the authenticator was set up: allauth's re-authentication
    with the code records MFA in the session, and the DPO lands where they were going."""
    secret = generate_totp_secret()
    TOTP.activate(dpo, secret)
    client = client_for(dpo)
    sent = client.get(CASES)
    confirmed = client.post(sent["Location"], {"code": _code(secret)})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == CASES
    assert client.get(CASES).status_code == 200


def test_a_helper_signed_in_session_is_refused_once_the_authenticator_is_removed(dpo):
    client = sign_in_with_mfa(Client(), dpo)
    assert client.get(CASES).status_code == 200
    Authenticator.objects.filter(user=dpo).delete()
    response = client.get(CASES)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
