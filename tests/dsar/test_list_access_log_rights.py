"""Issue 10: the access log's list form (records.ListAccessLog) under every right, like the
AccessLog rows it replaces for list pages: erasure keeps it for its 6 years (the owner's and
the viewer's); the owner's export holds her reads of it and nothing of the other clients a
list row names; the export's summary counts them among the practice's reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from dsar.erasure import engine
from dsar.export.summary import recipients
from dsar.personal_data_map import Person
from records.models import ListAccessLog
from records.practices import services as practice_services
from tests.conftest import client_for
from tests.dsar.test_export import _build, _data, _working_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the list form is PostgreSQL's"),
]

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def seen(alice, bob, carol, riverside):
    """carol opens Riverside's client list, which shows alice and bob."""
    with time_machine.travel(NOW, tick=False):
        favorites = [
            practice_services.favorite_create(owner=o, practice=riverside) for o in (alice, bob)
        ]
        client_for(carol).get(f"/workspace/{riverside.pk}/")
    [row] = ListAccessLog.objects.all()
    return row, favorites


def _unchanged(row: ListAccessLog) -> bool:
    now = ListAccessLog.objects.get(pk=row.pk)
    fields = ("viewer_id", "practice_id", "view", "owners", "animals", "grant_kinds", "grant_ids")
    return all(getattr(now, f) == getattr(row, f) for f in fields)


def test_erasing_an_owner_or_the_viewer_keeps_the_list_row_whole(seen, alice, carol):
    row, _ = seen
    manifest = engine.erase_rows([Person.of(user=alice)])
    assert manifest.as_dict()["tables"]["records.ListAccessLog"]["kept"] == 1
    manifest = engine.erase_rows([Person.of(user=carol)])
    assert manifest.as_dict()["tables"]["records.ListAccessLog"]["kept"] == 1
    assert _unchanged(row)


def test_the_owners_export_holds_her_positions_only(
    seen, alice, bob, dpo, django_capture_on_commit_callbacks
):
    _, (alice_fav, bob_fav) = seen
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    data = _data(export)
    [row] = data["tables"]["records.ListAccessLog"]
    assert row["_scope"] == "own"
    assert (row["owners"], row["grant_ids"], row["grant_kinds"], row["animals"]) == (
        ["you"],
        [alice_fav.pk],
        ["favorite"],
        [None],
    )
    assert (row["viewer"], row["practice"], row["view"]) == (
        "Riverside Vets",
        "Riverside Vets",
        "client list",
    )
    text = json.dumps(data)
    assert str(bob.pk) not in json.dumps(row) and "bob@example.com" not in text


def test_the_vets_export_names_no_client_by_id(
    seen, alice, bob, carol, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(carol, dpo), dpo, django_capture_on_commit_callbacks)
    [row] = _data(export)["tables"]["records.ListAccessLog"]
    assert row["_scope"] == "activity"
    assert row["viewer"] == "you"
    assert row["owners"] == ["Riverside Vets", "Riverside Vets"]  # as AccessLog.owner reads


def test_the_summary_counts_list_reads_among_the_practices_reads(seen, alice):
    [read] = [r for r in recipients(Person.of(user=alice)) if r.how.startswith("read")]
    assert (read.name, read.count) == ("Riverside Vets", 1)
