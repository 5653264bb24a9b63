"""The vet's client list page reads its clients, writes their access log and counts the
open requests in one PostgreSQL statement (records.practices.client_list, issue 10). Who
is shown, in which order, under which name, with which animals and grants, the cursors
either side and the log row written must be exactly what the ORM selectors the API reads
(workspace_client_page, workspace_client_rows, open_request_count) give — under every kind
of grant, ended grant, search and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records.models import EmergencyShare, Favorite, ListAccessLog, SharingState
from records.practices import client_list
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, MembershipFactory, PracticeFactory, UserFactory, species

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the one statement is PostgreSQL's"
    ),
]

SIZE = 3  # small pages, so that every kind of client meets a page boundary


def _client(practice, full_name, *animal_names, email=None, **favorite):
    owner = UserFactory(full_name=full_name, **({"email": email} if email else {}))
    pets = [AnimalFactory(owner=owner, name=name) for name in animal_names]
    if favorite.pop("favorite", True):
        if favorite.get("all_animals") is False:
            favorite.setdefault("animals", pets[:1])
        svc.favorite_create(owner=owner, practice=practice, **favorite)
    return owner, pets


def _share(owner, animals, staff, practice, *, hours=24):
    share = svc.emergency_share_create(owner=owner, animals=animals, hours=hours)
    svc.emergency_share_redeem(code=share.code, user=staff, practice=practice)
    return share


@pytest.fixture
def world(now, carol, riverside, alice, rex):
    """Riverside's clients, one of each kind, and some who are not (or no longer) clients."""
    svc.favorite_create(owner=alice, practice=riverside, already_client=True)
    _client(riverside, "Zoë <b>Zed</b>", "Tom & Jerry", "Tom & Jerry", "émile")
    _client(riverside, "adam ant", "Pip", email="adam_100%@example.com")
    _client(riverside, "Bea Best", "Bo", "Ax", all_animals=False, kinds=["vaccination"])
    _client(riverside, "Hidden Name", "Secret", share_profile=False)
    _client(riverside, "", "Nameless", email="no.name@example.com")
    restricted, _ = _client(riverside, "Rita Restricted", "Rolo")
    restricted.restricted_at = timezone.now()
    restricted.save(update_fields=["restricted_at"])
    both, pets = _client(riverside, "Both Grants", "Fav", "Shared", all_animals=False)
    _share(both, pets[1:], carol, riverside)
    only, pets = _client(riverside, "Share Only", "Sol", "Sun", favorite=False)
    _share(only, pets[:1], carol, riverside, hours=2)
    _share(only, pets[1:], carol, riverside, hours=48)
    unnamed_share, pets = _client(riverside, "Another Share", "Ana", favorite=False)
    _share(unnamed_share, pets, carol, riverside)
    # Not clients now: an ended favorite, sharing withdrawn in the ledger's projection, a
    # favorite whose end date passed, an expired and a revoked share, another practice's.
    ended, _ = _client(riverside, "Ended Favorite", "Gone")
    svc.favorite_delete(favorite=Favorite.objects.get(owner=ended))
    withdrawn, _ = _client(riverside, "Withdrawn Ledger", "Wes")
    SharingState.objects.filter(owner=withdrawn).update(granted=False)
    past, _ = _client(riverside, "Past End", "Pat")
    Favorite.objects.filter(owner=past).update(ends_on=timezone.localdate() - timedelta(days=1))
    expired, pets = _client(riverside, "Expired Share", "Exp", favorite=False)
    share = _share(expired, pets, carol, riverside)
    EmergencyShare.objects.filter(pk=share.pk).update(expires_at=timezone.now())
    revoked, pets = _client(riverside, "Revoked Share", "Rev", favorite=False)
    svc.emergency_share_revoke(share=_share(revoked, pets, carol, riverside))
    other = PracticeFactory(name="Elsewhere")
    _client(other, "Elsewhere Client", "Else")
    return riverside


def _log_rows(since):
    return [
        (r.viewer_id, r.practice_id, r.view, r.owners, r.animals, r.grant_kinds, r.grant_ids)
        for r in ListAccessLog.objects.filter(pk__gt=since).order_by("pk")
    ]


def _both(user, practice, **kwargs):
    """The page through the statement and through the ORM, each with the log it wrote."""
    last = ListAccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    fast = client_list.workspace_client_list(user, practice.pk, size=SIZE, **kwargs)
    fast_log = _log_rows(last)
    last = ListAccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    slow = client_list._through_orm(user, practice.pk, size=SIZE, **kwargs)
    return fast, fast_log, slow, _log_rows(last)


def _same(fast, fast_log, slow, slow_log):
    assert fast.lines == slow.lines
    assert fast.next == slow.next
    assert fast.previous == slow.previous
    assert fast.open_requests == slow.open_requests
    assert fast.membership.pk == slow.membership.pk
    assert fast.membership.practice.name == slow.membership.practice.name
    assert fast_log == slow_log
    assert len(fast_log) == (1 if fast.lines else 0)


@pytest.mark.parametrize("q", ["", "a", "tom & jerry", "hidden", "secret", "sol", "100%", "_"])
def test_every_page_forward_and_back_is_the_orm_selectors_page(world, carol, q):
    pages = []
    cursor = None
    while True:
        fast, fast_log, slow, slow_log = _both(carol, world, q=q, cursor=cursor)
        _same(fast, fast_log, slow, slow_log)
        pages.append([line.owner_id for line in fast.lines])
        if fast.next is None:
            break
        cursor = fast.next
    cursor = fast.previous
    back = []
    while cursor is not None:
        fast, fast_log, slow, slow_log = _both(carol, world, q=q, cursor=cursor)
        _same(fast, fast_log, slow, slow_log)
        back.insert(0, [line.owner_id for line in fast.lines])
        cursor = fast.previous
    assert back == pages[: len(back)]
    if not q:
        assert sum(len(p) for p in pages) == 10
        assert len(pages) == 4


def test_the_kinds_of_client_are_shown_as_the_orm_shows_them(world, carol, alice):
    fast = client_list.workspace_client_list(carol, world.pk, size=50)
    lines = {line.name: line for line in fast.lines}
    assert lines["Zoë <b>Zed</b>"].animals[0][1:] == ("Tom & Jerry", "Dog")
    assert [a[1] for a in lines["Zoë <b>Zed</b>"].animals] == [
        "Tom & Jerry",
        "Tom & Jerry",
        "émile",
    ]
    assert lines["no.name@example.com"].profile_shared
    assert lines["Bea Best"].some_kinds and len(lines["Bea Best"].animals) == 1
    assert lines["Rita Restricted"].restricted
    both = lines["Both Grants"]
    assert both.favorite and both.emergency_until is not None
    assert [a[1] for a in both.animals] == ["Fav", "Shared"]
    labelled = [line for line in fast.lines if not line.profile_shared]
    assert len(labelled) == 3 and not any(line.email for line in labelled)
    assert "Hidden Name" not in str(fast.lines)
    assert fast.open_requests == 1


def test_the_page_html_escapes_every_value_and_reads_in_one_statement(world, carol):
    client = client_for(carol)
    client.get(f"/workspace/{world.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/workspace/{world.pk}/").content.decode()
    assert len(ctx.captured_queries) == 1
    assert "Zoë &lt;b&gt;Zed&lt;/b&gt;" in page and "<b>Zed" not in page
    assert "Tom &amp; Jerry</a> (Dog)" in page
    assert "Favorite (some records only)" in page
    assert 'Favorite<br><span class="tag soon">Emergency share until' in page
    assert "Restricted: read-only" in page
    assert "Showing 10 clients." in page
    assert "1 open record request<" in page


def test_someone_not_on_the_staff_gets_404_and_nothing_is_read_or_logged(
    world, dave, reference_data
):
    left = UserFactory()
    MembershipFactory(practice=world, user=left, left_at=timezone.now())
    before = ListAccessLog.objects.count()
    for user in (dave, left):
        with pytest.raises(Http404):
            client_list.workspace_client_list(user, world.pk)
    assert ListAccessLog.objects.count() == before
    assert client_for(dave).get(f"/workspace/{world.pk}/").status_code == 404


def test_a_practice_without_clients_logs_nothing(now, carol, riverside):
    before = ListAccessLog.objects.count()
    page = client_list.workspace_client_list(carol, riverside.pk)
    assert page.lines == [] and page.next is None and page.previous is None
    assert ListAccessLog.objects.count() == before
    assert (
        "No client shares records"
        in client_for(carol).get(f"/workspace/{riverside.pk}/").content.decode()
    )


def test_species_name_is_read_from_the_animal(world, carol):
    cat = species("cat")
    owner, _ = _client(world, "Cat Person", favorite=True)
    AnimalFactory(owner=owner, name="Mog", species=cat)
    lines = client_list.workspace_client_list(carol, world.pk, q="cat person").lines
    assert lines[0].animals[0][1:] == ("Mog", cat.name)


def test_the_statement_without_a_search_stays_short_enough_for_psycopg_to_cache_its_parse():
    """psycopg re-parses the placeholders of a statement longer than 4 kB on every execution
    (a tenth of a millisecond a request); the pages without a search must stay under it."""
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH

    for after in ("", "named", "unnamed", "none"):
        assert (
            len(client_list._sql(q=False, after=after, given=False)) <= MAX_CACHED_STATEMENT_LENGTH
        )
    assert len(client_list._sql(q=False, after="", given=True)) <= MAX_CACHED_STATEMENT_LENGTH


def test_ids_no_bigint_can_hold_match_nothing_as_the_orm_answers(world, carol):
    """A URL or an edited cursor may carry any integer: not a 500 from PostgreSQL."""
    import base64
    import json

    client = client_for(carol)
    assert client.get("/workspace/99999999999999999999/").status_code == 404
    for forward in (1, 0):
        raw = json.dumps([0, "", 99999999999999999999, forward]).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert client.get(f"/workspace/{world.pk}/?cursor={cursor}").status_code == 200
