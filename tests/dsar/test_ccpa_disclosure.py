"""California Civil Code §1798.83: once a calendar year per person, VetPass answers that it
discloses no personal information to third parties for their direct marketing, for the
calendar year before the request; the answer is emailed when the case completes; a second
request in the same calendar year is refused with the date the next one is possible."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from consent.models import Purpose
from dsar import casework, intake
from dsar import services as svc
from dsar.disclosure import disclosure_refusal, disclosure_text, disclosure_year
from dsar.models import Channel, RequestType, Status
from tests.conftest import mfa_client_for
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db
MARCH = datetime(2027, 3, 10, 9, tzinfo=UTC)
DISCLOSURE = RequestType.CCPA_DISCLOSURE


@pytest.fixture
def carla(alice):
    """A Californian owner."""
    alice.country, alice.region = "US", "CA"
    alice.save()
    assert alice.jurisdiction == "us-ca"
    return alice


def _started(user, received=MARCH):
    case = case_for(user, received, type=DISCLOSURE, jurisdiction="us-ca")
    with time_machine.travel(received, tick=False):
        svc.dsar_verify(request=case, actor=user, method="re-authentication")
        return svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=None)


def test_the_disclosure_covers_the_year_before_and_says_we_disclose_none(carla, reference_data):
    case = _started(carla)
    text = disclosure_text(case)
    assert disclosure_year(MARCH.date()) == 2026
    assert "calendar year 2026" in text
    assert (
        "VetPass does not disclose personal information to third parties for their "
        "direct-marketing purposes" in text
    )
    assert "direct marketing: none." in text
    # the purposes that do share with third parties are named, as never for marketing
    assert "Sharing with a practice you favorited" in text
    assert "once each calendar year" in text


def test_a_marketing_purpose_that_disclosed_to_third_parties_would_be_listed(carla):
    Purpose.objects.filter(code="marketing_sms").update(
        third_party_disclosure=True, pii_categories="Contact details; Identity"
    )
    text = disclosure_text(_started(carla))
    assert "does not disclose" not in text
    assert "Categories of personal information disclosed: Contact details, Identity." in text


def test_completing_the_case_emails_the_disclosure_to_the_subject(carla, dpo):
    case = _started(carla)
    mail.outbox.clear()
    with time_machine.travel(MARCH, tick=False):
        casework.dsar_complete(request=case, actor=dpo, reply="")
    (sent,) = mail.outbox
    assert sent.to == [carla.email] and case.reference in sent.subject
    assert "calendar year 2026" in sent.body and "does not disclose" in sent.body
    case.refresh_from_db()
    assert case.status == Status.COMPLETED


def test_the_dpos_reply_comes_before_the_disclosure_through_the_admin(carla, dpo):
    case = _started(carla)
    mail.outbox.clear()
    response = mfa_client_for(dpo).post(
        f"/admin/dsar/datasubjectrequest/{case.pk}/act/complete/", {"text": "Dear Carla,"}
    )
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.body.startswith("Dear Carla,\n\nCalifornia Civil Code section 1798.83")


def test_a_second_request_in_the_same_calendar_year_is_refused_with_the_next_date(carla):
    _started(carla)
    with pytest.raises(ValidationError) as second:
        case_for(
            carla, datetime(2027, 12, 31, 9, tzinfo=UTC), type=DISCLOSURE, jurisdiction="us-ca"
        )
    message = second.value.message_dict["type"][0]
    assert "already asked for this disclosure" in message and "in 2027" in message
    assert "01 January 2028" in message
    # the next calendar year is a new year, even a day later
    case_for(carla, datetime(2028, 1, 1, 9, tzinfo=UTC), type=DISCLOSURE, jurisdiction="us-ca")


def test_refused_and_unverified_requests_do_not_use_up_the_year(carla, dpo):
    first = case_for(carla, MARCH, type=DISCLOSURE, jurisdiction="us-ca")
    svc.dsar_refuse(request=first, actor=dpo, reason="Sent by mistake")
    assert disclosure_refusal(email=carla.email, subject=carla, received=MARCH.date()) is None


def test_a_person_without_an_account_is_counted_by_address(reference_data):
    def public():
        with time_machine.travel(MARCH, tick=False):
            return intake.dsar_intake_public(
                type=DISCLOSURE,
                email="shopper@example.com",
                name="Sam Shopper",
                postcode="94110",
                jurisdiction="us-ca",
            )

    public()
    with pytest.raises(ValidationError, match="01 January 2028"):
        public()
    other = svc.dsar_create(
        type=DISCLOSURE,
        email="other@example.com",
        jurisdiction="us-ca",
        channel=Channel.PUBLIC_FORM,
        received_at=MARCH,
    )
    assert other.pk


def test_the_privacy_centre_shows_the_refusal_beside_the_choice(carla, password):
    from tests.conftest import client_for

    _started(carla)
    with time_machine.travel(datetime(2027, 6, 1, 9, tzinfo=UTC), tick=True):
        client = client_for(carla)
        assert client.post("/accounts/reauthenticate/", {"password": password}).status_code == 302
        response = client.post("/privacy/requests/", {"type": DISCLOSURE})
    assert response.status_code == 200
    assert "01 January 2028" in response.content.decode()
