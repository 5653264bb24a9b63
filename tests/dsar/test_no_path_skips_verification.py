"""No path — a duplicate, a request entered by staff, an agent — skips verification unless
the DPO records why (issue 8 §2). One rule (dsar.services.verification_refusal) guards
every way to "verified"; the status machine's own move to it is closed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dsar import intake
from dsar import services as svc
from dsar.models import CaseEvent, CaseEventKind, Channel, DataSubjectRequest, RequestType, Status
from tests.conftest import mfa_client_for
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def alice_uk(alice):
    alice.full_name, alice.postcode, alice.country = "Alice Owner", "SW1A 1AA", "GB"
    alice.save()
    return alice


def _link(reference: str) -> str:
    body = next(
        m.body for m in reversed(mail.outbox) if f"Confirm your request {reference}" in m.subject
    )
    return re.search(rf"/requests/verify/{reference}/([^/]+)/", body).group(1)


def _public(**overrides):
    data = {
        "type": RequestType.ERASURE,
        "email": "alice@example.com",
        "name": "Alice Owner",
        "postcode": "SW1A 1AA",
        "jurisdiction": "uk",
    }
    return intake.dsar_intake_public(**{**data, **overrides})


def _staff_entered(dpo, **overrides):
    data = {
        "type": RequestType.ERASURE,
        "email": "alice@example.com",
        "name": "Alice Owner",
        "postcode": "SW1A 1AA",
        "jurisdiction": "uk",
        "channel": Channel.STAFF,
        "entered_by": dpo,
    }
    return svc.dsar_create(**{**data, **overrides})


def _unchanged(case, status):
    case.refresh_from_db()
    assert case.status == status and case.verified_at is None


# --- the one rule --------------------------------------------------------------------------


def test_the_status_machine_alone_never_verifies(alice, dpo):
    case = case_for(alice, NOW)
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError, match="verified only by a verification"):
        svc.dsar_transition(request=case, to=Status.VERIFIED, actor=dpo)
    _unchanged(case, Status.RECEIVED)
    assert CaseEvent.objects.count() == events


def test_a_fresh_sign_in_verifies_only_the_persons_own_signed_in_request(alice_uk, bob, dpo):
    own = case_for(alice_uk, NOW)
    for actor in (None, dpo, bob):
        with pytest.raises(ValidationError):
            svc.dsar_verify(request=own, actor=actor, method="re-authentication")
    _unchanged(own, Status.RECEIVED)
    entered = _staff_entered(dpo, subject=alice_uk)
    with pytest.raises(ValidationError, match="made while signed in"):
        svc.dsar_verify(request=entered, actor=alice_uk, method="re-authentication")
    _unchanged(entered, Status.RECEIVED)
    assert svc.dsar_verify(request=own, actor=alice_uk, method="re-authentication").verified_at


def test_the_link_cannot_be_claimed_without_being_used(alice_uk):
    case = _public()
    with pytest.raises(ValidationError, match="once it is used"):
        svc.dsar_verify(request=case, actor=None, method="email link and 3 matching data points")
    with pytest.raises(ValidationError, match="Unknown verification method"):
        svc.dsar_verify(request=case, actor=None, method="trust me")
    _unchanged(case, Status.AWAITING_VERIFICATION)


def test_only_the_dpo_verifies_without_the_checks_and_only_saying_why(alice_uk, carol, dpo):
    case = _staff_entered(dpo, subject=alice_uk)
    with pytest.raises(ValidationError, match="Only the DPO"):
        svc.dsar_verify(request=case, actor=carol, method="waived", waived_reason="I know her")
    with pytest.raises(ValidationError, match="Say why"):
        svc.dsar_verify(request=case, actor=dpo, method="waived", waived_reason=" ")
    _unchanged(case, Status.RECEIVED)
    case = svc.dsar_verify(
        request=case, actor=dpo, method="waived", waived_reason="Passport copy on file"
    )
    assert case.verification_waived_reason == "Passport copy on file"
    assert case.events.filter(to_status=Status.VERIFIED, actor=dpo, text="waived").exists()


# --- staff-entered -------------------------------------------------------------------------


def test_a_request_entered_by_staff_is_verified_by_the_link_like_a_public_one(alice_uk, dpo):
    case = _staff_entered(dpo, subject=alice_uk)
    mail.outbox.clear()
    case = intake.dsar_verification_link_send(request=case, actor=dpo)
    assert case.status == Status.AWAITING_VERIFICATION
    assert mail.outbox[0].to == ["alice@example.com"]
    assert case.events.filter(kind=CaseEventKind.EMAIL, actor=dpo).exists()
    with pytest.raises(ValidationError, match="sent once"):
        intake.dsar_verification_link_send(request=case, actor=dpo)
    verified = intake.dsar_verify_link(reference=case.reference, token=_link(case.reference))
    assert verified.status == Status.VERIFIED
    assert verified.verification_method.startswith("email link")


def test_a_staff_entered_request_whose_details_do_not_match_waits_for_the_dpo(alice_uk, dpo):
    case = _staff_entered(dpo, subject=alice_uk, postcode="ZZ1 1ZZ", name="Someone Else")
    intake.dsar_verification_link_send(request=case, actor=dpo)
    intake.dsar_verify_link(reference=case.reference, token=_link(case.reference))
    _unchanged(case, Status.AWAITING_VERIFICATION)
    # a used link is not an unused one: the expiry sweep leaves it on the DPO's queue
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        assert intake.dsar_close_unverified() == 0
    _unchanged(case, Status.AWAITING_VERIFICATION)


def test_the_dpo_sends_the_link_from_the_case_page(alice_uk, dpo):
    case = _staff_entered(dpo, subject=alice_uk)
    client = mfa_client_for(dpo)
    url = f"/admin/dsar/datasubjectrequest/{case.pk}/act/"
    assert client.post(url + "send_link/", {}).status_code == 302
    _unchanged(case, Status.AWAITING_VERIFICATION)
    public = _public(email="bob@example.com", name="Bob")
    refused = client.post(
        f"/admin/dsar/datasubjectrequest/{public.pk}/act/send_link/", {"text": ""}
    )
    assert refused.status_code == 200 and b"entered by staff" in refused.content


# --- agents --------------------------------------------------------------------------------


def test_an_agents_request_waits_for_the_dpo_to_check_the_authority(alice_uk, dpo):
    authority = SimpleUploadedFile("authority.pdf", b"%PDF-1.4\n", "application/pdf")
    case = _public(
        type=RequestType.CCPA_DELETE,
        jurisdiction="us-ca",
        email="agent@example.com",
        agent_authorisation=authority,
    )
    assert case.channel == Channel.AGENT
    intake.dsar_verify_link(reference=case.reference, token=_link(case.reference))
    _unchanged(case, Status.AWAITING_VERIFICATION)
    assert case.events.filter(kind=CaseEventKind.NOTE, text__contains="signed authority").exists()
    with pytest.raises(ValidationError):  # the link's own method cannot be claimed for it
        svc.dsar_verify(request=case, actor=None, method="email link (no account)")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        assert intake.dsar_close_unverified() == 0

    client = mfa_client_for(dpo)
    url = f"/admin/dsar/datasubjectrequest/{case.pk}/act/waive/"
    missing = client.post(url, {"text": ""})
    assert missing.status_code == 200 and b"Say why" in missing.content
    _unchanged(case, Status.AWAITING_VERIFICATION)
    assert client.post(url, {"text": "Authority signed by Alice, checked"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert case.verification_waived_reason == "Authority signed by Alice, checked"


def test_an_unused_link_still_closes_the_request_when_it_expires(alice_uk):
    case = _public()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        assert intake.dsar_close_unverified() == 1
    _unchanged(case, Status.CLOSED_UNVERIFIED)


# --- duplicates ----------------------------------------------------------------------------


def test_a_duplicate_is_flagged_to_the_dpo_and_verified_on_its_own(alice_uk):
    first = _public()
    intake.dsar_verify_link(reference=first.reference, token=_link(first.reference))
    first.refresh_from_db()
    assert first.status == Status.VERIFIED
    second = _public(email="ALICE@example.com")
    note = second.events.get(kind=CaseEventKind.NOTE)
    assert f"Possibly a duplicate of {first.reference}" in note.text
    _unchanged(second, Status.AWAITING_VERIFICATION)
    other_type = _public(type=RequestType.ACCESS, declaration=True)
    assert not other_type.events.filter(kind=CaseEventKind.NOTE).exists()
    assert DataSubjectRequest.objects.filter(status=Status.VERIFIED).count() == 1


def test_the_public_forms_limit_is_a_message_on_the_form_not_a_500(client, reference_data):
    data = {
        "type": "erasure",
        "email": "flood@example.com",
        "name": "Flo Od",
        "postcode": "SW1A 1AA",
        "country": "GB",
    }
    answers = [client.post("/privacy/requests/new/", data) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert "try again tomorrow" in answers[-1].content.decode()
    assert DataSubjectRequest.objects.filter(email="flood@example.com").count() == 3
