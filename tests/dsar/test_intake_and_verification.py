"""Intake and verification of data-subject requests: a reference and an acknowledgement at
once; a single-use, expiring link plus a match against the account; nothing skips it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from dsar import intake
from dsar.models import CaseEventKind, Channel, DataSubjectRequest, RequestType, Status

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def alice_uk(alice):
    alice.full_name = "Alice Owner"
    alice.postcode = "SW1A 1AA"
    alice.country = "GB"
    alice.save()
    return alice


def _public(**overrides):
    data = {
        "type": RequestType.ERASURE,
        "email": "alice@example.com",
        "name": "alice  owner",
        "postcode": "sw1a1aa",
        "jurisdiction": "uk",
    }
    data.update(overrides)
    return intake.dsar_intake_public(**data)


def _link_token() -> tuple[str, str]:
    body = next(m.body for m in reversed(mail.outbox) if "Confirm your request" in m.subject)
    reference, token = re.search(r"/requests/verify/([^/]+)/([^/]+)/", body).groups()
    return reference, token


def test_a_public_request_is_acknowledged_and_awaits_the_emailed_link(alice_uk):
    case = _public()
    assert case.status == Status.AWAITING_VERIFICATION
    assert case.subject == alice_uk
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"We received your request {case.reference}",
        f"Confirm your request {case.reference}",
    ]
    assert case.events.filter(kind=CaseEventKind.EMAIL).count() == 2
    # Only the token's hash is stored.
    _, token = _link_token()
    case.refresh_from_db()
    assert token not in case.verification_token_hash and len(case.verification_token_hash) == 64


def test_the_link_and_two_matching_details_verify_it_once(alice_uk):
    case = _public()
    reference, token = _link_token()
    verified = intake.dsar_verify_link(reference=reference, token=token)
    assert verified.pk == case.pk and verified.status == Status.VERIFIED
    assert verified.verification_method == "email link and 3 matching data points"
    with pytest.raises(ValidationError):  # single use
        intake.dsar_verify_link(reference=reference, token=token)


@pytest.mark.parametrize("bad", ["wrong", "", "x" * 43])
def test_a_wrong_token_is_refused_and_changes_nothing(alice_uk, bad):
    case = _public()
    with pytest.raises(ValidationError):
        intake.dsar_verify_link(reference=case.reference, token=bad)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_VERIFICATION and case.verification_token_hash


def test_details_that_do_not_match_the_account_are_left_to_the_dpo(alice_uk):
    _public(name="Mallory", postcode="EC1A 1BB")
    reference, token = _link_token()
    case = intake.dsar_verify_link(reference=reference, token=token)
    assert case.status == Status.AWAITING_VERIFICATION
    assert "1 of 2 data points" in case.events.filter(kind=CaseEventKind.NOTE).get().text


def test_specific_pieces_need_three_points_and_the_signed_declaration(alice_uk):
    with pytest.raises(ValidationError) as error:
        _public(type=RequestType.ACCESS)
    assert "declaration" in error.value.message_dict
    assert not DataSubjectRequest.objects.exists()
    _public(type=RequestType.ACCESS, declaration=True)
    reference, token = _link_token()
    case = intake.dsar_verify_link(reference=reference, token=token)
    assert case.status == Status.VERIFIED
    assert case.verification_method == "email link and 3 matching data points"
    assert case.declaration_signed_at is not None


def test_an_expired_link_is_refused_and_the_request_closes_itself(alice_uk):
    with time_machine.travel(NOW, tick=False):
        case = _public()
        reference, token = _link_token()
    with time_machine.travel(NOW + timedelta(days=7, seconds=1), tick=False):
        with pytest.raises(ValidationError):
            intake.dsar_verify_link(reference=reference, token=token)
        assert intake.dsar_close_unverified() == 1
        assert intake.dsar_close_unverified() == 0  # safe to run twice
    case.refresh_from_db()
    assert case.status == Status.CLOSED_UNVERIFIED and not case.verification_token_hash


def test_a_person_without_an_account_is_verified_by_the_link(reference_data):
    case = _public(email="nobody@example.com", name="No Body", postcode="AB1 2CD")
    assert case.subject is None
    reference, token = _link_token()
    assert intake.dsar_verify_link(reference=reference, token=token).status == Status.VERIFIED


def test_the_public_form_cannot_flood_an_inbox(reference_data):
    for _ in range(intake.PER_ADDRESS_PER_DAY):
        _public(email="victim@example.com", name="V", postcode="AB1 2CD")
    sent = len(mail.outbox)
    with pytest.raises(ValidationError):
        _public(email="Victim@Example.com", name="V", postcode="AB1 2CD")
    assert len(mail.outbox) == sent
    assert DataSubjectRequest.objects.count() == intake.PER_ADDRESS_PER_DAY


def test_the_public_form_is_limited_per_client(reference_data):
    for n in range(intake.PER_CLIENT_PER_HOUR):
        _public(email=f"p{n}@example.com", name="P", postcode="AB1 2CD", client="10.9.9.9")
    with pytest.raises(ValidationError):
        _public(email="p99@example.com", name="P", postcode="AB1 2CD", client="10.9.9.9")


def test_a_signed_in_request_is_verified_by_the_reauthentication(alice_uk):
    case = intake.dsar_intake_signed_in(user=alice_uk, type=RequestType.PORTABILITY)
    assert (case.status, case.verification_method) == (Status.VERIFIED, "re-authentication")
    assert case.channel == Channel.WEB and case.jurisdiction == "uk"
    assert mail.outbox[0].subject == f"We received your request {case.reference}"


def test_the_public_form_and_link_work_in_the_browser_flow(client, alice_uk):
    page = client.get("/privacy/requests/new/")
    assert page.status_code == 200
    bad = client.post("/privacy/requests/new/", {"type": "erasure", "email": "not-an-email"})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    assert not DataSubjectRequest.objects.exists()
    sent = client.post(
        "/privacy/requests/new/",
        {
            "type": "erasure",
            "name": "Alice Owner",
            "email": "alice@example.com",
            "postcode": "SW1A 1AA",
            "country": "GB",
        },
    )
    case = DataSubjectRequest.objects.get()
    assert case.reference.encode() in sent.content
    reference, token = _link_token()
    url = f"/privacy/requests/verify/{reference}/{token}/"
    assert client.get(url).status_code == 200  # a mail scanner's GET confirms nothing
    case.refresh_from_db()
    assert case.status == Status.AWAITING_VERIFICATION
    assert client.post(url).status_code == 200
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert client.post(url).status_code == 404


def test_a_signed_in_request_from_the_privacy_centre_needs_a_fresh_sign_in(
    client_for_alice_fresh, alice_uk, password
):
    stale = client_for_alice_fresh(fresh=False)
    assert stale.get("/privacy/requests/").status_code == 200
    refused = stale.post("/privacy/requests/", {"type": "portability"})
    assert refused.status_code == 302 and "/reauthenticate/" in refused["Location"]
    assert not DataSubjectRequest.objects.exists()

    fresh = client_for_alice_fresh(fresh=True)
    bad = fresh.post("/privacy/requests/", {"type": "nonsense"})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    sent = fresh.post("/privacy/requests/", {"type": "portability"}, follow=True)
    case = DataSubjectRequest.objects.get()
    assert case.subject == alice_uk and case.status == Status.VERIFIED
    assert case.reference.encode() in sent.content


@pytest.fixture
def client_for_alice_fresh(alice_uk, password):
    from tests.conftest import client_for

    def make(*, fresh: bool):
        client = client_for(alice_uk)
        if fresh:  # allauth's own re-authentication page, as the redirect leads to
            response = client.post("/accounts/reauthenticate/", {"password": password})
            assert response.status_code == 302, response.content[:500]
        return client

    return make
