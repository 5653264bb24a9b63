"""Real browser: an owner writes to a favorited practice about an animal (with a file),
the vet answers from the workspace inbox, and un-favoriting closes the conversation for
the practice while the owner keeps a read-only copy."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from records.practices import services as svc
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, AnimalFactory, MembershipFactory, PracticeFactory, UserFactory


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.mark.e2e
def test_owner_and_vet_exchange_messages_until_the_owner_unfavorites(
    live_server, e2e_data, new_page, tmp_path
):
    alice = verified(UserFactory(email="alice@example.com", full_name="Alice Owner"))
    rex = AnimalFactory(owner=alice, name="Rex")
    riverside = PracticeFactory(name="Riverside Vets", email="")
    carol = verified(UserFactory(email="carol.vet@example.com", full_name="Carol Vet"))
    MembershipFactory(practice=riverside, user=carol)
    favorite = svc.favorite_create(owner=alice, practice=riverside)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")

    owner = new_page()
    sign_in(owner, live_server, alice.email, PASSWORD)
    owner.goto(f"{live_server.url}/animals/{rex.pk}/")
    owner.get_by_role("link", name="Messages", exact=True).last.click()
    owner.get_by_text("No diagnosis, treatment or prescription by message").wait_for()
    owner.get_by_label("Practice").select_option(str(riverside.pk))
    owner.locator("textarea[name=body]").fill("Rex is limping a little.")
    owner.get_by_label("Attach a file (optional)").set_input_files(str(scan))
    owner.click("main form button[type=submit]:has-text('Send')")
    owner.get_by_role("heading", name="Rex — Riverside Vets").wait_for()
    assert "scan.pdf" in owner.content()

    vet = new_page()
    sign_in(vet, live_server, carol.email, PASSWORD)
    vet.goto(f"{live_server.url}/workspace/{riverside.pk}/messages/")
    row = vet.locator("tbody tr", has_text="Alice Owner")
    assert "1" in row.inner_text()
    row.get_by_role("link", name="Alice Owner").click()
    vet.get_by_text("Rex is limping a little.").wait_for()
    conversation_url = vet.url
    vet.locator("textarea[name=body]").fill("Please bring him in tomorrow.")
    vet.click("main form button[type=submit]:has-text('Send reply')")
    vet.get_by_text("Reply sent.").wait_for()

    owner.reload()
    owner.get_by_text("Please bring him in tomorrow.").wait_for()

    svc.favorite_delete(favorite=favorite)
    response = vet.goto(conversation_url)
    assert response is not None and response.status == 404
    owner.reload()
    owner.get_by_text("This conversation is closed").wait_for()
    assert owner.locator("main form button:has-text('Send')").count() == 0
