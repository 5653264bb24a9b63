"""The workspace's client list is paged for large practices: ordered in SQL by the
client's name then the client, read by keyset (a cursor, no count — issue 10), the same on
the web (next/previous links that work without JavaScript) and in the API
({next, previous, results}), searchable by the client's
name, email (only where they share their profile) or the name of an animal they share —
never by what the grant hides."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from records.models import AccessLogGrant, AccessRead
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_named(practice, full_name, *, email=None, animals=("Rex",), **favorite):
    owner = UserFactory(full_name=full_name, **({"email": email} if email else {}))
    pets = [AnimalFactory(owner=owner, name=name) for name in animals]
    svc.favorite_create(owner=owner, practice=practice, **favorite)
    return owner, pets


def api_clients(client, practice, **params):
    response = client.get(f"/api/v1/workspace/{practice.pk}/clients/", params)
    assert response.status_code == 200
    return response.json()


def test_api_pages_through_every_client_once_in_name_order(carol, riverside, alice, rex, now):
    names = ["zoe Young", "Adam Ant", "adam Ant", "Bea Best", "Carl Cole", "Dina Dale", "Ed Eel"]
    owners = [client_named(riverside, n)[0] for n in names]
    # A client seen only through an emergency share does not share her name: she is
    # listed under a label, after the clients listed by name (issue 7 §1.7).
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    svc.emergency_share_redeem(code=share.code, user=carol, practice=riverside)
    client = client_for(carol)

    first = api_clients(client, riverside, page_size=3)
    assert "count" not in first and first["previous"] is None
    seen, body, pages = [], first, []
    while True:
        pages.append([row["owner"]["id"] for row in body["results"]])
        seen += [(row["owner"]["name"], row["grant"]) for row in body["results"]]
        if not body["next"]:
            break
        body = client.get(body["next"]).json()
    assert body["previous"] and [len(p) for p in pages] == [3, 3, 2]
    # And back again: each previous link leads to the same pages, in the same order.
    back = []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back.append([row["owner"]["id"] for row in body["results"]])
    assert back == pages[-2::-1]
    expected = sorted(
        [(o.full_name, "favorite", o.pk) for o in owners], key=lambda t: (t[0].lower(), t[2])
    )
    assert seen[:-1] == [(name, grant) for name, grant, _ in expected]
    assert seen[-1][1] == "emergency_share" and seen[-1][0].endswith("(name not shared)")
    assert alice.full_name not in str(seen)


def link(page, rel):
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', page)
    return found and html.unescape(found.group(1))


def test_web_page_links_lead_to_the_next_clients_and_keep_the_search(carol, riverside):
    for i in range(55):
        client_named(riverside, f"Client {i:02d}", animals=("Fido",))
    client_named(riverside, "Zed Last", animals=("Other",))
    client = client_for(carol)
    page = client.get(f"/workspace/{riverside.pk}/").content.decode()
    # No total is shown: counting a large practice's clients is what made the page slow.
    assert "Showing 50 clients on this page." in page
    assert "Client 49" in page and "Client 50" not in page and "Zed Last" not in page
    assert link(page, "prev") is None and link(page, "next").startswith("cursor=")
    page = client.get(f"/workspace/{riverside.pk}/?{link(page, 'next')}").content.decode()
    assert "Client 50" in page and "Zed Last" in page and "Client 49" not in page
    assert link(page, "next") is None
    page = client.get(f"/workspace/{riverside.pk}/?{link(page, 'prev')}").content.decode()
    assert "Client 00" in page and "Client 49" in page and "Client 50" not in page

    page = client.get(f"/workspace/{riverside.pk}/?q=fido").content.decode()
    assert "Showing 50 clients matching “fido” on this page." in page
    following = link(page, "next")
    assert following.startswith("q=fido&cursor=")
    page = client.get(f"/workspace/{riverside.pk}/?{following}").content.decode()
    assert "Client 54" in page and "Zed Last" not in page and "Client 49" not in page
    assert link(page, "prev").startswith("q=fido&cursor=")
    # A cursor that was tampered with shows the first page rather than an error.
    page = client.get(f"/workspace/{riverside.pk}/?cursor=nonsense").content.decode()
    assert "Client 00" in page


def test_search_matches_name_email_where_shared_and_shared_animals_only(carol, riverside):
    client_named(riverside, "Nina Name", email="nina@example.com")
    client_named(riverside, "Hidden Profile", email="hidden@example.com", share_profile=False)
    owner = UserFactory(full_name="Picky Owner")
    shared = AnimalFactory(owner=owner, name="Biscuit")
    AnimalFactory(owner=owner, name="Secretpet")
    svc.favorite_create(owner=owner, practice=riverside, all_animals=False, animals=[shared])
    client_named(riverside, "All Shared", animals=("Mango",))
    client = client_for(carol)

    def names(q):
        return [row["owner"]["name"] for row in api_clients(client, riverside, q=q)["results"]]

    assert names("nina") == ["Nina Name"]
    assert names("NINA@example") == ["Nina Name"]
    assert names("hidden@example.com") == []  # email of a client who does not share it
    assert names("hidden profile") == []  # nor the name (issue 7 §1.7)
    # Found by the animal the favorite shares, under a label, after the named clients.
    named, label = names("rex")
    assert named == "Nina Name"
    assert label.startswith("Client ") and label.endswith("(name not shared)")
    assert names("biscuit") == ["Picky Owner"]
    assert names("secretpet") == []  # an animal the favorite does not share
    assert names("mango") == ["All Shared"]
    page = client.get(f"/workspace/{riverside.pk}/?q=secretpet").content.decode()
    assert "No client matches" in page and "Picky Owner" not in page


def test_only_clients_on_the_page_are_in_their_access_log(carol, riverside):
    owners = [client_named(riverside, f"Person {i}")[0] for i in range(5)]
    client = client_for(carol)
    first = api_clients(client, riverside, page_size=2)
    logged = AccessRead.objects.filter(view="client list")
    assert sorted(logged.values_list("owner_id", flat=True)) == [owners[0].pk, owners[1].pk]
    before = logged.order_by("-pk").first().pk
    assert client.get(first["next"]).status_code == 200
    second = logged.filter(pk__gt=before)
    assert sorted(second.values_list("owner_id", flat=True)) == [owners[2].pk, owners[3].pk]
    assert set(logged.values_list("grant_kind", flat=True)) == {AccessLogGrant.FAVORITE}
    assert not AccessRead.objects.filter(owner_id=owners[4].pk).exists()
    client.get(f"/workspace/{riverside.pk}/?q=person 4")
    assert AccessRead.objects.filter(owner_id=owners[4].pk).count() == 1
    assert AccessRead.objects.count() == 5


def test_clients_of_other_practices_and_ended_grants_are_not_listed_or_counted(
    carol, riverside, now
):
    other = PracticeFactory(name="Elsewhere")
    MembershipFactory(practice=other)
    client_named(other, "Not Ours")
    client_named(riverside, "Ours")
    ended, _ = client_named(riverside, "Ended", ends_on=(timezone.now() + timedelta(days=1)).date())
    body = api_clients(client_for(carol), riverside)
    assert [row["owner"]["name"] for row in body["results"]] == ["Ended", "Ours"]
    svc.favorite_delete(favorite=ended.favorites.get(), channel="web")
    body = api_clients(client_for(carol), riverside)
    assert [row["owner"]["name"] for row in body["results"]] == ["Ours"]


def test_api_bad_cursor_answers_in_the_error_format(carol, riverside):
    client_named(riverside, "Only One")
    for cursor in ("nonsense", "WzEsIngiLCJ5IiwxXQ", "W10"):  # not base64 JSON, wrong shapes
        response = client_for(carol).get(
            f"/api/v1/workspace/{riverside.pk}/clients/", {"cursor": cursor}
        )
        assert response.status_code == 400
        assert "cursor" in response.json()["error"]["fields"]
    response = client_for(carol).get(f"/api/v1/workspace/{riverside.pk}/clients/", {"q": "x" * 101})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_keyset_pages_neither_skip_nor_repeat_clients_with_equal_keys(carol, riverside, now):
    """Equal names, hidden names (all sort as "") and share-only clients across page
    boundaries, forward and back: the owner id breaks every tie."""
    same = [client_named(riverside, "Same Name")[0] for _ in range(4)]
    hidden = [client_named(riverside, f"Hidden {i}", share_profile=False)[0] for i in range(3)]
    shared_only = []
    for _ in range(3):
        owner, pets = UserFactory(), []
        pets.append(AnimalFactory(owner=owner))
        share = svc.emergency_share_create(owner=owner, animals=pets)
        svc.emergency_share_redeem(code=share.code, user=carol, practice=riverside)
        shared_only.append(owner)
    client = client_for(carol)
    body, pages = api_clients(client, riverside, page_size=3), []
    while True:
        pages.append([row["owner"]["id"] for row in body["results"]])
        if not body["next"]:
            break
        body = client.get(body["next"]).json()
    seen = [pk for page in pages for pk in page]
    named = sorted(o.pk for o in same)
    unnamed = sorted(o.pk for o in hidden + shared_only)
    assert seen == named + unnamed
    back = []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back.append([row["owner"]["id"] for row in body["results"]])
    assert back == pages[-2::-1]


def test_the_stored_sort_key_follows_renames_and_the_profile_choice(carol, riverside):
    """Favorite.list_name is kept by database triggers, whatever door changes the account
    or the favorite: the list's order follows at once."""
    bea, _ = client_named(riverside, "Bea Best")
    cid, _ = client_named(riverside, "Cid Cole")
    client = client_for(carol)

    def order():
        return [row["owner"]["id"] for row in api_clients(client, riverside)["results"]]

    assert order() == [bea.pk, cid.pk]
    bea.full_name = "Zara Zed"  # a rename through any door (here a plain save)
    bea.save(update_fields=["full_name"])
    assert order() == [cid.pk, bea.pk]
    assert bea.favorites.get().list_name == "zara zed"
    bea.full_name = ""
    bea.save(update_fields=["full_name"])  # no name: the email is the shown name
    assert bea.favorites.get().list_name == bea.email.lower()
    favorite = cid.favorites.get()
    svc.favorite_update(favorite=favorite, share_profile=False, all_animals=True)
    favorite.refresh_from_db()
    assert favorite.list_name == ""  # a hidden name does not sort the list
    assert order() == [bea.pk, cid.pk]
