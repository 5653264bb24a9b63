"""The privacy centre in a real browser: sign in, withdraw marketing, see it in the
history, download a Kantara consent receipt."""

import json
from pathlib import Path

from consent.services import consent_grant
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory


def _verified_owner():
    from allauth.account.models import EmailAddress

    user = UserFactory(email="owner.e2e@example.com", full_name="Olive Owner")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_withdraw_marketing_see_history_and_download_a_receipt(live_server, e2e_data, page):
    owner = _verified_owner()
    consent_grant(subject=owner, purpose="marketing_email", channel="web")

    page.goto(f"{live_server.url}/")
    page.click("#cookie-banner button[value=no]")  # essential only: the banner goes away
    assert page.locator("#cookie-banner").count() == 0

    sign_in(page, live_server, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/privacy/")
    card = page.locator("#purpose-marketing_email")
    assert card.locator("[data-state=granted]").count() == 1
    card.get_by_role("button", name="Turn off marketing email").click()
    page.wait_for_load_state()
    card = page.locator("#purpose-marketing_email")
    assert card.locator("[data-state=withdrawn]").count() == 1
    assert "Marketing email is now off." in page.content()

    page.get_by_role("link", name="History", exact=True).click()
    rows = page.locator("tr.event")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-action") == "withdraw"

    with page.expect_download() as download_info:
        rows.first.locator("a.receipt-link").click()
    download = download_info.value
    assert download.suggested_filename.startswith("consent-receipt-")
    receipt = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    for field in (
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
    ):
        assert field in receipt, field
    assert receipt["piiPrincipalId"] == owner.email
    assert receipt["vetpass"]["action"] == "withdraw"
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["purposeCategory"] == ["Marketing"]
    assert purpose["consentType"] == "EXPLICIT"
