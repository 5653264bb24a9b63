import pytest
from allauth.account.models import EmailAddress

from vetpass.accounts.models import Session


@pytest.fixture
def verified_alice(alice):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    return alice


def test_a_web_sign_in_stores_the_account_beside_its_session(client, verified_alice, password):
    response = client.post(
        "/accounts/login/", {"login": verified_alice.email, "password": password}
    )
    assert response.status_code == 302
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.user_id == verified_alice.pk


def test_an_app_session_token_is_a_session_of_the_account(client, verified_alice, password):
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": verified_alice.email, "password": password},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    assert Session.objects.get(session_key=token).user_id == verified_alice.pk


def test_an_anonymous_session_has_no_account(client, db):
    session = client.session
    session["seen"] = True
    session.save()
    assert Session.objects.get(session_key=session.session_key).user_id is None
