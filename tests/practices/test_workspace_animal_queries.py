"""The vet's animal page (issue 10): a fixed number of queries however many records the
animal has and however many clients the practice has, none of them a search of the
consent ledger; and the client's name shown follows the favorite it is seen through."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response.content.decode()


def test_animal_page_queries_are_flat(alice, rex, carol, riverside):
    svc.favorite_create(owner=alice, practice=riverside)
    EntryFactory(animal=rex)
    client = client_for(carol)
    url = f"/workspace/{riverside.pk}/animals/{rex.pk}/"
    client.get(url)  # the session's first request warms caches
    few, page = queries(client, url)
    assert alice.display_name in page
    for _ in range(30):
        EntryFactory(animal=rex)
    for _ in range(20):
        other = UserFactory()
        AnimalFactory(owner=other)
        svc.favorite_create(owner=other, practice=riverside)
    many, page = queries(client, url)
    assert len(many) == len(few)
    assert not [sql for sql in many if "consent_consentevent" in sql]


def test_animal_page_hides_the_name_when_the_favorite_does_not_share_it(
    alice, rex, carol, riverside
):
    svc.favorite_create(owner=alice, practice=riverside, share_profile=False)
    _, page = queries(client_for(carol), f"/workspace/{riverside.pk}/animals/{rex.pk}/")
    assert alice.display_name not in page and "name not shared" in page
