"""The privacy centre on the web: every purpose with its state, one-click changes that work
without JavaScript, the full history, and a Kantara receipt for any event."""

import json

import pytest

from consent.models import ConsentEvent
from consent.selectors import consent_given
from consent.services import consent_grant, consent_withdraw

KANTARA_FIELDS = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "language",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
}
PURPOSE_FIELDS = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "primaryPurpose",
    "termination",
    "thirdPartyDisclosure",
    "thirdPartyName",
}
CONTROLLER_FIELDS = {
    "piiController",
    "contact",
    "address",
    "email",
    "phone",
    "piiControllerUrl",
}


def test_the_centre_lists_every_purpose_with_its_current_state(alice, alice_client):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    consent_grant(subject=alice, purpose="practice_sharing", scope="practice:7", channel="web")
    response = alice_client.get("/privacy/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Marketing email", "Tracking pixels", "De-identified analytics", "Research"):
        assert name in page
    assert 'id="purpose-marketing_email"' in page
    assert "Turn off marketing email" in page
    assert "Turn on research and statistics" in page
    assert "Practice 7" in page  # the scope, labelled


def test_one_click_withdraws_and_the_state_changes_at_once(alice, alice_client):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    response = alice_client.post(
        "/privacy/consents/", {"purpose": "marketing_email", "scope": "", "action": "withdraw"}
    )
    assert response.status_code == 302
    assert not consent_given(alice, "marketing_email")
    event = ConsentEvent.objects.filter(subject_key=f"user:{alice.pk}").last()
    assert (event.action, event.channel, event.actor_id) == ("withdraw", "web", alice.pk)
    assert "Marketing email" in event.wording  # the words shown are kept


def test_a_bad_change_shows_the_error_and_changes_nothing(alice, alice_client):
    before = ConsentEvent.objects.count()
    response = alice_client.post(
        "/privacy/consents/", {"purpose": "no-such-purpose", "action": "grant"}
    )
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Choose a purpose from the list." in response.content
    response = alice_client.post(
        "/privacy/consents/", {"purpose": "practice_sharing", "scope": "", "action": "grant"}
    )
    assert response.status_code == 400
    assert ConsentEvent.objects.count() == before


def test_history_shows_every_event_newest_first(alice, alice_client):
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    consent_withdraw(subject=alice, purpose="marketing_email", channel="api")
    page = alice_client.get("/privacy/history/").content.decode()
    assert page.index("Withdrew") < page.index("Granted")
    assert page.count('class="receipt-link"') == 2


def test_a_receipt_has_the_kantara_fields(alice, alice_client):
    event = consent_grant(
        subject=alice, purpose="practice_sharing", scope="practice:3", channel="web"
    )
    response = alice_client.get(f"/privacy/receipts/{event.pk}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    receipt = json.loads(response.content)
    assert set(receipt) >= KANTARA_FIELDS
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["piiPrincipalId"] == alice.email
    assert receipt["consentTimestamp"] == int(event.created_at.timestamp())
    assert set(receipt["piiControllers"][0]) >= CONTROLLER_FIELDS
    (purpose,) = receipt["services"][0]["purposes"]
    assert set(purpose) >= PURPOSE_FIELDS
    assert purpose["thirdPartyDisclosure"] is True
    assert purpose["thirdPartyName"] == "Practice 3"
    assert purpose["consentType"] == "EXPLICIT"
    assert receipt["policyUrl"].endswith("/privacy/policies/privacy/1.0/")


def test_the_receipt_id_is_stable_for_an_event(alice, alice_client):
    event = consent_grant(subject=alice, purpose="research", channel="web")
    first = json.loads(alice_client.get(f"/privacy/receipts/{event.pk}.json").content)
    again = json.loads(alice_client.get(f"/privacy/receipts/{event.pk}.json").content)
    assert first["consentReceiptID"] == again["consentReceiptID"]


def test_another_persons_receipt_is_not_found(alice, bob, bob_client):
    event = consent_grant(subject=alice, purpose="research", channel="web")
    assert bob_client.get(f"/privacy/receipts/{event.pk}.json").status_code == 404


@pytest.mark.parametrize("path", ["/privacy/", "/privacy/history/"])
def test_the_centre_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_centre_and_history_do_not_grow_queries_with_history_length(
    alice, alice_client, django_assert_max_num_queries
):
    for _ in range(30):
        consent_grant(subject=alice, purpose="marketing_email", channel="web")
        consent_withdraw(subject=alice, purpose="marketing_email", channel="web")
    with django_assert_max_num_queries(8):
        alice_client.get("/privacy/")
    with django_assert_max_num_queries(8):
        alice_client.get("/privacy/history/")
