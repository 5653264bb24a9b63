"""The owner's access log reads as lines, not a flood (issue 7 §2.8): the reads of one
person, practice, grant, view and animal within one clock hour are one line with a count
and the first and last time, on the web and in the API; the web list is paged 50 lines a
page with plain links; the number of queries does not grow with the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from records.models import AccessLog, AccessLogGrant
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _read(owner, viewer, practice, animal, view, minutes_ago):
    return AccessLog.objects.create(
        viewer=viewer,
        practice=practice,
        owner=owner,
        animal=animal,
        view=view,
        grant_kind=AccessLogGrant.FAVORITE,
        grant_id=1,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def flood(now, alice, rex, carol, riverside):
    """Carol opens Rex 12 times between 09:05 and 09:55, the client list once at 09:30."""
    for minute in range(5, 60, 5):
        _read(alice, carol, riverside, rex, "animal", 60 - minute)  # 09:05 … 09:55
    _read(alice, carol, riverside, rex, "animal", 5)  # 09:55
    _read(alice, carol, riverside, None, "client list", 30)  # 09:30


def test_reads_within_an_hour_are_one_line_with_a_count_and_times_on_the_web(flood, alice, carol):
    html = client_for(alice).get("/access-log/").content.decode()

    assert html.count('<td data-label="Who">Carol Vet</td>') == 2
    assert '<td data-label="Times" data-access-count>12</td>' in html
    assert "2 Mar 2026 09:05–09:55" in html
    assert '<td data-label="Times" data-access-count>1</td>' in html


def test_the_api_gives_the_same_lines(flood, alice):
    body = client_for(alice).get("/api/v1/access-log/").json()

    assert body["count"] == 2
    animal, client_list = body["results"]
    assert (animal["view"], animal["animal_name"], animal["count"]) == ("animal", "Rex", 12)
    assert animal["first_at"].startswith("2026-03-02T09:05")
    assert animal["last_at"].startswith("2026-03-02T09:55")
    assert (client_list["view"], client_list["animal"], client_list["count"]) == (
        "client list",
        None,
        1,
    )


def test_reads_in_another_hour_or_of_another_view_are_other_lines(
    now, alice, rex, carol, riverside
):
    _read(alice, carol, riverside, rex, "animal", 5)
    _read(alice, carol, riverside, rex, "animal", 65)  # the hour before
    _read(alice, carol, riverside, rex, "entry", 5)

    body = client_for(alice).get("/api/v1/access-log/").json()

    assert body["count"] == 3


def test_the_web_list_is_paged_fifty_lines_with_plain_links(
    now, alice, rex, carol, riverside, django_assert_max_num_queries
):
    for hour in range(3):
        _read(alice, carol, riverside, rex, "animal", 60 * hour + 1)
    client = client_for(alice)
    with django_assert_max_num_queries(50) as few:
        client.get("/access-log/")
    for hour in range(3, 120):
        _read(alice, carol, riverside, rex, "animal", 60 * hour + 1)

    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get("/access-log/").content.decode()
    assert first.count('data-label="Who"') == 50
    assert 'href="?page=2" rel="next"' in first and "Page 1 of 3" in first
    last = client.get("/access-log/?page=3").content.decode()
    assert last.count('data-label="Who"') == 20
    assert 'href="?page=2" rel="prev"' in last
    assert client.get("/access-log/?page=99").status_code == 200


def test_another_owners_reads_are_not_in_my_log(now, alice, bob, tom, carol, riverside):
    _read(bob, carol, riverside, tom, "animal", 5)

    assert client_for(alice).get("/api/v1/access-log/").json()["count"] == 0
