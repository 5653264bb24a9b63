"""Issue 7 §2.8 (first half): a client the practice sees through both a favorite and an
emergency share it redeemed is one row of the client list — web and API, counted once,
paged once, logged once — with every animal either grant shares; the list's query
count does not grow with such clients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from records.models import AccessRead
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, UserFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def both_grants(owner, practice, staff, *, favorite_animals, share_animals):
    svc.favorite_create(owner=owner, practice=practice, all_animals=False, animals=favorite_animals)
    share = svc.emergency_share_create(owner=owner, animals=share_animals)
    svc.emergency_share_redeem(code=share.code, user=staff, practice=practice)
    return share


def test_favorite_and_redeemed_share_make_one_row(now, alice, rex, carol, riverside):
    fido = AnimalFactory(owner=alice, name="Fido")
    both_grants(alice, riverside, carol, favorite_animals=[rex], share_animals=[fido])

    body = api_for(carol).get(f"/api/v1/workspace/{riverside.pk}/clients/").json()
    assert body["next"] is None and body["previous"] is None
    [row] = body["results"]
    assert row["owner"]["id"] == alice.pk
    assert row["grant"] == "favorite"
    assert row["grants"] == ["favorite", "emergency_share"]
    assert row["emergency_share_until"] is not None
    assert [a["name"] for a in row["animals"]] == ["Fido", "Rex"]
    assert AccessRead.objects.filter(view="client list", owner_id=alice.pk).count() == 1

    page = client_for(carol).get(f"/workspace/{riverside.pk}/").content.decode()
    assert "Showing 1 client." in page
    assert page.count("Alice Owner") == 1
    assert "Favorite" in page and "Emergency share until" in page


def test_paging_counts_each_client_once_and_queries_stay_flat(now, carol, riverside):
    def add(n):
        for _ in range(n):
            owner = UserFactory()
            pets = [AnimalFactory(owner=owner), AnimalFactory(owner=owner)]
            both_grants(owner, riverside, carol, favorite_animals=pets[:1], share_animals=pets)

    client = api_for(carol)
    url = f"/api/v1/workspace/{riverside.pk}/clients/?page_size=5"
    add(6)
    with CaptureQueriesContext(connection) as small:
        first = client.get(url).json()
    add(30)
    third = client.get(client.get(client.get(url).json()["next"]).json()["next"]).json()
    assert len(third["results"]) == 5
    with CaptureQueriesContext(connection) as large:
        body = client.get(third["next"]).json()
    assert len(large.captured_queries) <= len(small.captured_queries)
    assert len(first["results"]) == len(body["results"]) == 5
    seen = []
    page = client.get(url).json()
    while True:
        seen += [row["owner"]["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert len(seen) == len(set(seen)) == 36
