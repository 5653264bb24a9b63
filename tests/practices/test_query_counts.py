"""The workspace's client list (web and API) costs the same number of queries for 20
clients as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import practice_services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, UserFactory, species

pytestmark = pytest.mark.django_db


def add_clients(n, practice):
    cat = species("cat")
    for _ in range(n):
        owner = UserFactory()
        AnimalFactory(owner=owner)
        AnimalFactory(owner=owner, species=cat)
        chosen = AnimalFactory(owner=owner)
        if owner.pk % 2:
            svc.favorite_create(owner=owner, practice=practice)
        else:
            svc.favorite_create(owner=owner, practice=practice, all_animals=False, animals=[chosen])


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("kind", ["web", "api"])
def test_client_list_queries_do_not_grow_with_clients(
    kind, carol, riverside, django_assert_max_num_queries
):
    client = client_for(carol)
    url = (
        f"/workspace/{riverside.pk}/"
        if kind == "web"
        else f"/api/v1/workspace/{riverside.pk}/clients/"
    )
    add_clients(20, riverside)
    small, _ = count(client, url)
    add_clients(180, riverside)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    body = response.content.decode()
    if kind == "web":
        assert body.count("/animals/") >= 200 + 100 * 2
    else:
        assert len(response.json()["results"]) == 200
    assert small <= 15
