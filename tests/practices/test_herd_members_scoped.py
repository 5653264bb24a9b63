"""Issue 7 §1.2: a herd's member list goes through the visibility selector. Practice
staff see the names of the members the owner shared with them — each written to the
access log — and nothing of the others; a co-owner sees those shared with them."""

from __future__ import annotations

import pytest

from records.models import AccessRead, AnimalAccess, Permission
from records.practices import services as svc
from records.selectors import get_animal_for_user, herd_members
from tests.conftest import client_for
from tests.factories import AnimalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flock(now, alice, carol, riverside):
    herd = AnimalFactory(owner=alice, name="Flock", is_group=True, head_count=2)
    dolly = AnimalFactory(owner=alice, name="Dolly", group=herd)
    shaun = AnimalFactory(owner=alice, name="Shaun", group=herd)
    # Riverside sees the herd and Dolly, not Shaun.
    svc.favorite_create(owner=alice, practice=riverside, all_animals=False, animals=[herd, dolly])
    return herd, dolly, shaun


def test_staff_see_only_the_shared_members_and_each_is_logged(flock, carol):
    herd, dolly, shaun = flock
    page = client_for(carol).get(f"/animals/{herd.pk}/").content.decode()
    assert "Dolly" in page and "Shaun" not in page
    logged = AccessRead.objects.filter(viewer=carol, view="herd member")
    assert list(logged.values_list("animal_id", flat=True)) == [dolly.pk]
    assert not AccessRead.objects.filter(animal_id=shaun.pk).exists()


def test_the_selector_gives_each_person_their_members(flock, alice, bob, carol):
    herd, dolly, shaun = flock
    assert herd_members(alice, get_animal_for_user(alice, herd.pk)) == [dolly, shaun]
    assert herd_members(carol, get_animal_for_user(carol, herd.pk)) == [dolly]
    AnimalAccess.objects.create(animal=herd, user=bob, permission=Permission.VIEW)
    AnimalAccess.objects.create(animal=shaun, user=bob, permission=Permission.VIEW)
    assert herd_members(bob, get_animal_for_user(bob, herd.pk)) == [shaun]
    page = client_for(bob).get(f"/animals/{herd.pk}/").content.decode()
    assert "Shaun" in page and "Dolly" not in page


def test_a_member_page_names_its_herd_only_to_who_may_see_the_herd(now, alice, carol, riverside):
    herd = AnimalFactory(owner=alice, name="Secret Flock", is_group=True, head_count=1)
    dolly = AnimalFactory(owner=alice, name="Dolly", group=herd)
    svc.favorite_create(owner=alice, practice=riverside, all_animals=False, animals=[dolly])
    page = client_for(carol).get(f"/animals/{dolly.pk}/").content.decode()
    assert "Dolly" in page and "Secret Flock" not in page
    assert "Secret Flock" in client_for(alice).get(f"/animals/{dolly.pk}/").content.decode()
