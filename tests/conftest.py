"""Fixed, named people for permission tests (as in healthchecks' alice/bob/charlie):

- alice: an owner, with the dog Rex
- bob: another owner, with the cat Tom
- carol: a vet at Riverside Vets (the practice the e2e and practice tests favorite)
- dave: a vet at Hilltop Vets (another practice)
- dpo: the data protection officer
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, AnimalFactory, MembershipFactory, PracticeFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits and DRF's throttles count in the cache: one test's sign-ins
    must not throttle the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_data(db):
    """Species, breeds, purposes and policies; re-created when a transactional test flushed them."""
    from consent.models import PolicyDocument, PolicyVersion, Purpose
    from consent.reference_data import load_purposes_and_policies
    from records.models import Breed, Species
    from records.reference_data import load_species

    if not Species.objects.exists():
        load_species(Species, Breed)
    if not Purpose.objects.exists():
        load_purposes_and_policies(Purpose, PolicyDocument, PolicyVersion)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def alice(reference_data):
    return UserFactory(email="alice@example.com", full_name="Alice Owner")


@pytest.fixture
def bob(reference_data):
    return UserFactory(email="bob@example.com", full_name="Bob Other")


@pytest.fixture
def rex(alice):
    return AnimalFactory(owner=alice, name="Rex", microchip="985141000123456")


@pytest.fixture
def tom(bob):
    from tests.factories import species

    return AnimalFactory(owner=bob, name="Tom", species=species("cat"))


@pytest.fixture
def riverside(db):
    return PracticeFactory(name="Riverside Vets", town="Bristol", postcode="BS1 4DJ")


@pytest.fixture
def hilltop(db):
    return PracticeFactory(
        name="Hilltop Vets", town="Leeds", postcode="LS1 4AP", latitude=53.7997, longitude=-1.5492
    )


@pytest.fixture
def carol(reference_data, riverside):
    user = UserFactory(email="carol.vet@example.com", full_name="Carol Vet")
    MembershipFactory(practice=riverside, user=user)
    return user


@pytest.fixture
def dave(reference_data, hilltop):
    user = UserFactory(email="dave.vet@example.com", full_name="Dave Vet")
    MembershipFactory(practice=hilltop, user=user)
    return user


@pytest.fixture
def dpo(reference_data):
    return UserFactory(email="dpo@example.com", full_name="Dee P. O.", is_dpo=True, is_staff=True)


def app_session_token(user, password: str = PASSWORD) -> str:
    """The session token the mobile app gets by signing in through allauth's headless API
    (the address verified first, as a signed-up app user's is)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="vetpass.accounts.backends.ModelBackend")
    return client


def sign_in_with_mfa(client: Client, user) -> Client:
    """Sign `client` in as `user` the way the admin asks (vetpass.admin.admin_mfa_missing):
    with an authenticator app (set up here when missing), used in this session. The
    session records it as allauth's own MFA step does (tests/accounts/test_mfa_admin.py
    signs in through the real pages once, to prove this stands for them)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import RequestFactory

    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        totp = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user, backend="vetpass.accounts.backends.ModelBackend")
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    request.session.save()
    return client


def mfa_client_for(user) -> Client:
    """A client signed in as `user` with MFA (the admin's gate)."""
    return sign_in_with_mfa(Client(), user)


@pytest.fixture
def alice_client(alice):
    return client_for(alice)


@pytest.fixture
def bob_client(bob):
    return client_for(bob)


@pytest.fixture
def carol_client(carol):
    return client_for(carol)


@pytest.fixture
def dave_client(dave):
    return client_for(dave)
