"""The workspace's client list (web and API) costs the same number of queries for 20
clients as for 200, on the first page and on a later one (keyset pages, no count), and
logs exactly the clients it shows: one access-log row per client on the page, none for
the clients not shown."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import AccessRead
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, UserFactory, species

pytestmark = pytest.mark.django_db

PAGE = 50
# A count of the open record requests, as the ORM or the client list's statement writes it.
RECORD_REQUEST_COUNT = re.compile(r'COUNT\(\*\)(?: AS "__COUNT")?\s+FROM "?RECORDS_RECORDREQUEST"?')


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


def url_for(kind, practice, page=1, client=None):
    """The URL of the list's `page`th page, found by following the next links (keyset
    pages have no numbers)."""
    url = (
        f"/workspace/{practice.pk}/"
        if kind == "web"
        else f"/api/v1/workspace/{practice.pk}/clients/"
    )
    for _ in range(page - 1):
        response = client.get(url)
        if kind == "api":
            url = response.json()["next"]
        else:
            found = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
            url = f"/workspace/{practice.pk}/" + html.unescape(found.group(1))
    return url


def shown_clients(kind, response):
    """How many client rows the page shows."""
    if kind == "api":
        return len(response.json()["results"])
    return response.content.decode().count("<tr>") - 1  # less the header row


@pytest.mark.parametrize("kind", ["web", "api"])
def test_client_list_queries_do_not_grow_with_clients(
    kind, carol, riverside, django_assert_max_num_queries
):
    client = client_for(carol)
    add_clients(20, riverside)
    small, response = count(client, url_for(kind, riverside))
    assert shown_clients(kind, response) == 20
    add_clients(180, riverside)
    for page in (1, 3):
        url = url_for(kind, riverside, page, client)
        with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(small):
            response = client.get(url)
        assert shown_clients(kind, response) == PAGE
        # Keyset pages: nothing counts the practice's clients (issue 10); the one count
        # left is of the open record requests the page shows (on PostgreSQL the web page
        # reads it inside its one statement, so every COUNT( is looked at, not each query).
        for sql in (q["sql"].upper() for q in ctx.captured_queries):
            assert sql.count("COUNT(") == len(RECORD_REQUEST_COUNT.findall(sql)), sql
    assert small <= 15
    if kind == "api":
        assert "count" not in response.json()


@pytest.mark.parametrize("kind", ["web", "api"])
def test_client_list_logs_exactly_the_clients_on_the_page(kind, carol, riverside):
    add_clients(120, riverside)
    client = client_for(carol)
    for page, expected in ((1, PAGE), (3, 20)):
        url = url_for(kind, riverside, page, client)
        before = set(AccessRead.objects.values_list("form", "id"))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        # Statements that write (the web page's one statement on PostgreSQL writes the log
        # in a CTE, WITH … INSERT).
        inserts = [q for q in ctx.captured_queries if "INSERT INTO" in q["sql"].upper()]
        written = [
            r
            for r in AccessRead.objects.values("form", "id", "view", "owner_id")
            if (r["form"], r["id"]) not in before
        ]
        assert len(inserts) <= 2  # set-based: never one statement per client
        assert shown_clients(kind, response) == expected
        assert len(written) == expected
        assert {r["view"] for r in written} == {"client list"}
        if connection.vendor == "postgresql":  # one list row names every client shown
            assert len(inserts) == 1
            assert {(r["form"], r["id"]) for r in written} == {("list", written[0]["id"])}
        if kind == "api":
            shown = {row["owner"]["id"] for row in response.json()["results"]}
            assert {r["owner_id"] for r in written} == shown
