"""The owner's pages read what they show once (issue 10): the animal page does not read
the animal a second time for its co-owner list, and the Workspace link's "is this person
practice staff?" is not asked again on every page (the workspace checks it itself)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EntryFactory, MembershipFactory
from vetpass.context_processors import practice_staff_forget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget():
    practice_staff_forget()
    yield
    practice_staff_forget()


def sql_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


def test_the_animal_page_reads_the_animal_once(alice_client, rex):
    url = reverse("records:animal_detail", args=[rex.pk])
    alice_client.get(url)

    queries = sql_of(lambda: alice_client.get(url))

    assert sum(q.startswith('SELECT "records_animal"') for q in queries) == 1, queries


def test_the_timeline_reads_its_page_and_its_total_in_one_query(alice_client, rex):
    EntryFactory.create_batch(3, animal=rex, kind="weight", weight_value=12, weight_unit="kg")
    url = reverse("records:animal_detail", args=[rex.pk])
    alice_client.get(url)

    queries = sql_of(lambda: alice_client.get(url))

    page_reads = [q for q in queries if "COUNT(*) OVER ()" in q]
    counts = [q for q in queries if q.startswith("SELECT COUNT(")]
    assert len(page_reads) == 1, queries
    assert counts == [], queries


@pytest.mark.parametrize(
    ("asked", "shown"), [("", 1), ("2", 2), ("abc", 1), ("0", 2), ("99", 2), ("-1", 2)]
)
def test_timeline_pages_answer_as_the_paginator_did(alice_client, rex, asked, shown):
    """A page that is not a number is the first; one past the end (or below 1) the last."""
    from records.views import TIMELINE_PAGE_SIZE

    EntryFactory.create_batch(TIMELINE_PAGE_SIZE + 3, animal=rex, kind="clinical_note")
    url = reverse("records:animal_detail", args=[rex.pk])

    html = alice_client.get(url, {"page": asked}).content.decode()

    assert f"Page {shown} of 2" in html
    assert html.count('<li class="entry ') == (TIMELINE_PAGE_SIZE if shown == 1 else 3)


def test_an_empty_timeline_says_so(alice_client, rex):
    html = alice_client.get(reverse("records:animal_detail", args=[rex.pk]), {"page": "3"})
    assert "No records yet." in html.content.decode()


def test_a_co_owner_still_gets_no_co_owner_list(alice_client, bob, rex):
    from records.models import AnimalAccess, Permission
    from tests.conftest import client_for

    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)
    html = client_for(bob).get(reverse("records:animal_detail", args=[rex.pk])).content.decode()

    assert "Rex" in html and 'id="co-owners-title"' not in html
    owners = alice_client.get(reverse("records:animal_detail", args=[rex.pk])).content.decode()
    assert 'id="co-owners-title"' in owners and bob.full_name in owners


def test_the_workspace_link_is_asked_once_and_follows_a_new_membership(
    alice, alice_client, riverside
):
    home = reverse("records:animal_list")
    alice_client.get(home)
    membership = [q for q in sql_of(lambda: alice_client.get(home)) if "practicemembership" in q]
    assert membership == []  # known from the first page
    assert "Workspace" not in alice_client.get(home).content.decode()

    MembershipFactory(practice=riverside, user=alice)

    assert "Workspace" in alice_client.get(home).content.decode()


def test_leaving_the_practice_hides_the_link(carol, carol_client):
    from django.utils import timezone

    home = reverse("records:animal_list")
    assert "Workspace" in carol_client.get(home).content.decode()

    membership = carol.memberships.get()
    membership.left_at = timezone.now()
    membership.save()

    assert "Workspace" not in carol_client.get(home).content.decode()
