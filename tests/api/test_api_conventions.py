"""What every list and every refusal has in common: pagination, throttling, one error
format, and query counts that do not grow with the list."""

from __future__ import annotations

import pytest
from rest_framework.throttling import UserRateThrottle

from records.models import AnimalAccess, CoOwnerInvitation, Permission
from records.services import invitation_create
from tests.factories import AnimalFactory, UserFactory, species

pytestmark = pytest.mark.django_db


def test_lists_are_paginated(alice_api, alice):
    for n in range(5):
        AnimalFactory(owner=alice, name=f"Hen {n}", species=species("chicken"))

    first = alice_api.get("/api/v1/animals/?page_size=2").json()
    last = alice_api.get("/api/v1/animals/?page_size=2&page=3").json()

    assert first["count"] == 5
    assert [a["name"] for a in first["results"]] == ["Hen 0", "Hen 1"]
    assert "page=2" in first["next"]
    assert [a["name"] for a in last["results"]] == ["Hen 4"]
    assert last["next"] is None


def test_a_page_past_the_end_is_a_404_in_the_error_format(alice_api):
    response = alice_api.get("/api/v1/animals/?page=9")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_herd_members_are_listed_with_the_group_filter(alice_api, alice):
    herd = AnimalFactory(
        owner=alice, name="Flock", species=species("sheep"), is_group=True, head_count=2
    )
    AnimalFactory(owner=alice, name="Dolly", species=species("sheep"), group=herd)
    AnimalFactory(owner=alice, name="Rex")

    names = [
        a["name"] for a in alice_api.get(f"/api/v1/animals/?group={herd.pk}").json()["results"]
    ]

    assert names == ["Dolly"]


def test_too_many_requests_are_throttled_in_the_error_format(alice_api, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")

    codes = [alice_api.get("/api/v1/animals/").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    response = alice_api.get("/api/v1/animals/")
    assert response.json()["error"]["code"] == "throttled"
    assert "Retry-After" in response


def test_invitation_and_co_owner_lists_do_not_grow_in_queries(
    alice_api, alice, rex, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            animal = AnimalFactory(owner=alice)
            invitation_create(
                animal=animal, invited_by=alice, email=UserFactory().email, permission="view"
            )
            AnimalAccess.objects.create(animal=rex, user=UserFactory(), permission=Permission.VIEW)
            other = AnimalFactory()
            CoOwnerInvitation.objects.create(
                animal=other,
                invited_by=other.owner,
                email=alice.email,
                expires_at=other.created_at,
            )

    urls = [
        "/api/v1/invitations/sent/",
        "/api/v1/invitations/received/",
        f"/api/v1/animals/{rex.pk}/co-owners/",
        f"/api/v1/animals/{rex.pk}/invitations/",
    ]
    add(2)
    baseline = {}
    for url in urls:
        with django_assert_max_num_queries(8) as captured:
            assert alice_api.get(url).status_code == 200
        baseline[url] = len(captured.captured_queries)
    add(15)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            assert alice_api.get(url).status_code == 200
