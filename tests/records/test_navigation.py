"""Where people land and what the navigation offers (issue 7 §2.4): the owner reaches their
practices and emergency shares from every page; practice staff and the DPO with no animals
of their own land where their work is, and someone who is both staff and owner still gets
the owner's dashboard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from records.services import invitation_create
from tests.conftest import client_for
from tests.factories import AnimalFactory

pytestmark = pytest.mark.django_db


def _main_nav(html: str) -> str:
    match = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert match, "no main navigation"
    return match.group(0)


@pytest.mark.parametrize("url_name", ["records:home", "records:animal_list", "consent:home"])
def test_owner_navigation_links_to_their_practices_and_emergency_shares(
    alice_client, rex, url_name
):
    nav = _main_nav(alice_client.get(reverse(url_name)).content.decode())

    assert f'href="{reverse("practices:favorites")}"' in nav
    assert "Your practices" in nav
    assert f'href="{reverse("practices:emergency_shares")}"' in nav
    assert "Emergency shares" in nav


def test_practice_staff_without_animals_land_on_their_workspace(carol):
    response = client_for(carol).get(reverse("records:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("practices:workspace_home")


def test_dpo_without_animals_lands_on_the_admin(dpo):
    response = client_for(dpo).get(reverse("records:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_dpo_navigation_links_to_the_admin(dpo):
    nav = _main_nav(client_for(dpo).get(reverse("consent:home")).content.decode())

    assert f'href="{reverse("admin:index")}"' in nav


def test_staff_who_own_an_animal_still_get_the_owners_dashboard(carol):
    AnimalFactory(owner=carol, name="Pip")

    response = client_for(carol).get(reverse("records:home"))

    assert response.status_code == 200
    assert "Pip" in response.content.decode()


def test_staff_invited_to_an_animal_see_the_invitation_on_the_dashboard(carol, alice, rex):
    invitation_create(animal=rex, invited_by=alice, email=carol.email, permission="view")

    response = client_for(carol).get(reverse("records:home"))

    assert response.status_code == 200
    assert "Answer the invitation" in response.content.decode()


def test_new_owner_without_animals_gets_the_owners_dashboard(bob_client):
    response = bob_client.get(reverse("records:home"))

    assert response.status_code == 200
    assert "You have not added an animal yet" in response.content.decode()
