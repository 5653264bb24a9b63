"""An owner's first visit in a real browser: sign up, confirm the email from the outbox,
add an animal, add a vaccination, and see it on the timeline."""

import re

import pytest


@pytest.mark.django_db(transaction=True)
def test_owner_signs_up_confirms_email_adds_animal_and_vaccination(
    live_server, e2e_data, page, mailoutbox
):
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.goto(f"{live_server.url}/")
    page.click("text=Create an account")
    page.fill("input[name=email]", "olive@example.com")
    page.fill("input[name=password1]", "a-long-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-unusual-passphrase")
    page.fill("input[name=full_name]", "Olive Owner")
    page.fill("input[name=date_of_birth]", "1990-04-05")
    page.select_option("select[name=country]", "GB")
    page.fill("input[name=region]", "Bristol")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Check your email')")

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = link.split("/accounts/", 1)[1]
    page.goto(f"{live_server.url}/accounts/{path}")
    page.click("main form button[type=submit]:has-text('Confirm')")
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        page.fill("input[name=login]", "olive@example.com")
        page.fill("input[name=password]", "a-long-unusual-passphrase")
        page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Your animals')")

    page.click("text=Add an animal or herd")
    page.fill("input[name=name]", "Bramble")
    page.select_option("select[name=species]", label="Dog")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=date_of_birth]", "2022-05-01")
    page.fill("input[name=microchip]", "985141000555666")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Bramble')")

    page.click("text=Add a record")
    page.check("input[name=kind][value=vaccination]")
    page.click("main form button[type=submit]")
    page.fill("input[name=vaccine_product]", "Nobivac L4")
    page.fill("input[name=batch_number]", "A1234")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Bramble')")

    timeline = page.locator("ol.timeline")
    assert "Nobivac L4" in timeline.inner_text()
    page.click("nav[aria-label='Filter records by kind'] >> text=Vaccination")
    assert "Nobivac L4" in page.locator("ol.timeline").inner_text()
    assert csp_violations == []
