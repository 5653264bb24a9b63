"""The workspace's pages (issue 10) reverse their links once per practice instead of once
per link: the links must still be exactly what reverse() gives, under a script prefix
too; and the vet's animal page reads the VCPR date from the entries it shows, which must
still be the latest examination written by this practice, whatever kinds the favorite
shares."""

import datetime as dt
import re

import pytest
from django.urls import resolve, reverse, set_script_prefix

from records.models import EntryKind, EntrySource
from records.practices import services as svc
from records.practices.workspace_urls import animal_url, entry_create_url, workspace_urls
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory, PracticeFactory

pytestmark = pytest.mark.django_db

NAV = {
    "clients": "practices:workspace",
    "requests": "practices:request_queue",
    "appointments": "practices:workspace_appointments",
    "inbox": "practices:workspace_inbox",
    "redeem": "practices:redeem",
    "staff": "practices:staff_list",
    "profile": "practices:practice_profile",
    "availability": "practices:availability",
    "leave": "practices:leave",
}


@pytest.mark.parametrize("prefix", ["/", "/vetpass/"])
def test_workspace_links_are_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for practice_pk, animal_pk in [(7, 12), (123, 9), (5, 2147483647)]:
            urls = workspace_urls(practice_pk)
            for key, name in NAV.items():
                assert urls[key] == reverse(name, args=[practice_pk])
            assert animal_url(urls, animal_pk) == reverse(
                "practices:workspace_animal", args=[practice_pk, animal_pk]
            )
            assert entry_create_url(urls, animal_pk) == reverse(
                "practices:workspace_entry_create", args=[practice_pk, animal_pk]
            )
            assert urls["clients"].startswith(prefix)
    finally:
        set_script_prefix("/")


def test_client_list_links_open_each_animal_in_this_practice(alice, rex, carol, riverside):
    svc.favorite_create(owner=alice, practice=riverside)
    tess = AnimalFactory(owner=alice, name="Tess")
    page = client_for(carol).get(f"/workspace/{riverside.pk}/").content.decode()
    links = re.findall(r'<a href="([^"]+)">(Rex|Tess)</a>', page)
    assert sorted(links, key=lambda x: x[1]) == [
        (reverse("practices:workspace_animal", args=[riverside.pk, rex.pk]), "Rex"),
        (reverse("practices:workspace_animal", args=[riverside.pk, tess.pk]), "Tess"),
    ]
    for href, _ in links:
        match = resolve(href)
        assert match.view_name == "practices:workspace_animal"


def test_vcpr_date_is_this_practices_latest_examination_when_other_kinds_are_hidden(
    alice, rex, carol, riverside
):
    svc.favorite_create(
        owner=alice, practice=riverside, all_kinds=False, kinds=[EntryKind.VACCINATION]
    )
    other = PracticeFactory(name="Elsewhere Vets")
    for day, practice in [(1, riverside), (5, riverside), (20, other)]:
        EntryFactory(
            animal=rex,
            kind=EntryKind.EXAMINATION,
            occurred_on=dt.date(2026, 3, day),
            practice=practice,
            source=EntrySource.PRACTICE,
            author=carol,
        )
    page = client_for(carol).get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").content.decode()
    assert "established by the clinical examination of 5 March 2026" in page
    links = re.findall(r'href="([^"]+/entries/new/)[^"]*"', page)
    assert set(links) == {reverse("practices:workspace_entry_create", args=[riverside.pk, rex.pk])}
