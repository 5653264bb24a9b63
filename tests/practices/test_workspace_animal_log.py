"""The vet's animal page writes its access-log row in the statement that reads the entries
(issue 10): still exactly one row per view, also when no entry is shown, and none when
the page answers 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.models import AccessLog, AccessLogGrant
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db


def _page(practice, animal):
    return reverse("practices:workspace_animal", args=[practice.pk, animal.pk])


def test_each_view_writes_one_row_naming_the_grant(favorite, carol, riverside, rex):
    EntryFactory(animal=rex, title="Booster")
    client = client_for(carol)
    for expected in (1, 2):
        response = client.get(_page(riverside, rex))
        assert response.status_code == 200
        assert "Booster" in response.content.decode()
        assert AccessLog.objects.filter(viewer=carol, animal=rex).count() == expected
    row = AccessLog.objects.filter(viewer=carol).latest("id")
    assert (row.owner_id, row.practice_id) == (rex.owner_id, riverside.pk)
    assert row.view == "animal record"
    assert (row.grant_kind, row.grant_id) == (AccessLogGrant.FAVORITE, favorite.pk)


def test_a_page_with_no_entries_is_logged_too(favorite, carol, riverside, rex):
    assert not rex.entries.exists()
    assert client_for(carol).get(_page(riverside, rex)).status_code == 200
    assert AccessLog.objects.filter(viewer=carol, animal=rex).count() == 1


def test_an_animal_the_practice_may_not_see_is_a_404_and_not_logged(favorite, carol, riverside):
    stranger = AnimalFactory(name="Hidden")
    assert client_for(carol).get(_page(riverside, stranger)).status_code == 404
    assert not AccessLog.objects.filter(viewer=carol).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_the_row_is_written_by_the_entries_statement(favorite, carol, riverside, rex):
    client = client_for(carol)
    client.get(_page(riverside, rex))
    with CaptureQueriesContext(connection) as ctx:
        client.get(_page(riverside, rex))
    writes = [q["sql"] for q in ctx.captured_queries if "INSERT INTO records_accesslog" in q["sql"]]
    assert len(writes) == 1
    assert "FROM records_entry" in writes[0]
