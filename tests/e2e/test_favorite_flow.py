"""Real browser: favoriting is the access grant, and un-favoriting takes it away.

An owner favorites a practice; the practice's vet signs in and sees the animal; the owner
un-favorites; the vet no longer can (404); the owner's access log shows the vet's read.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, AnimalFactory, MembershipFactory, PracticeFactory, UserFactory


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.mark.e2e
def test_favorite_gives_the_vet_access_and_unfavorite_takes_it_away(
    live_server, e2e_data, new_page
):
    alice = verified(UserFactory(email="alice@example.com", full_name="Alice Owner"))
    rex = AnimalFactory(owner=alice, name="Rex")
    riverside = PracticeFactory(name="Riverside Vets")
    carol = verified(UserFactory(email="carol.vet@example.com", full_name="Carol Vet"))
    MembershipFactory(practice=riverside, user=carol)

    owner = new_page()
    sign_in(owner, live_server, alice.email, PASSWORD)
    owner.goto(f"{live_server.url}/practices/{riverside.pk}/favorite/")
    owner.get_by_text("registers you as a client", exact=False).wait_for()
    owner.get_by_label("All kinds of record").check()  # an explicit choice, never preselected
    owner.click("form button[type=submit]:has-text('Favorite and share')")
    owner.get_by_role("heading", name="Sharing with Riverside Vets").wait_for()

    vet = new_page()
    sign_in(vet, live_server, carol.email, PASSWORD)
    vet.goto(f"{live_server.url}/workspace/")
    vet.get_by_role("heading", name="Clients").wait_for()
    vet.get_by_role("link", name="Rex").click()
    vet.get_by_role("heading", name="Rex").wait_for()
    animal_url = vet.url
    assert animal_url.endswith(f"/workspace/{riverside.pk}/animals/{rex.pk}/")

    owner.get_by_role("link", name="Stop sharing with this practice").click()
    owner.get_by_text("keeps, as its own clinical record", exact=False).wait_for()
    owner.click("form button[type=submit]:has-text('Stop sharing')")
    owner.get_by_role("heading", name="Your practices").wait_for()

    response = vet.goto(animal_url)
    assert response is not None and response.status == 404
    assert "Rex" not in vet.content()

    owner.goto(f"{live_server.url}/access-log/")
    row = owner.locator("tbody tr", has_text="Carol Vet").first
    row.wait_for()
    assert "Riverside Vets" in row.inner_text()
    assert "Rex" in row.inner_text()
