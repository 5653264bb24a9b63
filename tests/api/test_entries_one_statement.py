"""An animal's entries list checks the owner's side (their own animal, or one shared with
them) in the page's own statement (issue 10): one query where the look was a query of its
own. Everyone else is answered by records.selectors.get_animal_for_user as before: the same
404 whatever the page asked, and a practice's look still access-logged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import AccessLog, AnimalAccess, Permission
from tests.api.conftest import api_client_for
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

PAGES = ["", "?page=1", "?page=2", "?page=0", "?page=-1", "?page=abc", "?page=last", "?page=9"]


def _url(animal_pk: object, query: str = "") -> str:
    return f"/api/v1/animals/{animal_pk}/entries/{query}"


@pytest.mark.parametrize("query", PAGES)
def test_an_animal_the_user_may_not_see_answers_the_selectors_404_whatever_the_page(
    bob_api, rex, query
):
    EntryFactory.create_batch(3, animal=rex)

    response = bob_api.get(_url(rex.pk, query))

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_an_animal_that_does_not_exist_answers_the_same_404(alice_api, pk):
    response = alice_api.get(_url(pk))

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one statement is PostgreSQL's (records.api_lean)"
)
def test_the_owner_and_a_co_owner_get_the_page_in_one_query(alice_api, bob, rex):
    EntryFactory.create_batch(3, animal=rex)
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)
    for client in (alice_api, api_client_for(bob)):
        client.get(_url(rex.pk))  # warm

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(_url(rex.pk))

        assert response.json()["count"] == 3
        assert len(ctx.captured_queries) == 1, ctx.captured_queries


def test_an_empty_page_of_a_visible_animal_is_its_own_answer(alice_api, rex):
    assert alice_api.get(_url(rex.pk)).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    EntryFactory(animal=rex)
    response = alice_api.get(_url(rex.pk, "?page=2"))
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Invalid page")


def test_a_practice_still_sees_through_its_grant_and_is_logged(alice, rex, carol, riverside):
    from records.practices import services as practice_services

    practice_services.favorite_create(owner=alice, practice=riverside, already_client=True)
    EntryFactory.create_batch(2, animal=rex, kind="vaccination")
    before = AccessLog.objects.count()

    response = api_client_for(carol).get(_url(rex.pk))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert AccessLog.objects.count() == before + 1
