"""Issue 10: a staff list page writes one compact row naming every client it showed
(records.ListAccessLog), and the owner's "who looked at my records" reads it exactly as it
read the one-row-per-client form: one line per view, practice, grant and hour, with the
same fields, on the web and in the API; old rows stay readable beside the new ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from records.models import AccessLog, AccessLogGrant, ListAccessLog
from records.practices import services as svc
from tests.conftest import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the list form is PostgreSQL's"),
]


def _lines(owner) -> list[dict]:
    return client_for(owner).get("/api/v1/access-log/").json()["results"]


@pytest.fixture
def two_clients(alice, bob, riverside, now):
    return (
        svc.favorite_create(owner=alice, practice=riverside),
        svc.favorite_create(owner=bob, practice=riverside),
    )


def test_a_client_list_page_writes_one_row_naming_every_client_shown(
    two_clients, alice, bob, carol, riverside
):
    alice_fav, bob_fav = two_clients
    client_for(carol).get(f"/workspace/{riverside.pk}/")

    [row] = ListAccessLog.objects.all()
    assert (row.viewer_id, row.practice_id, row.view) == (carol.pk, riverside.pk, "client list")
    shown = sorted(zip(row.owners, row.animals, row.grant_kinds, row.grant_ids, strict=True))
    assert shown == sorted(
        [
            (alice.pk, None, AccessLogGrant.FAVORITE, alice_fav.pk),
            (bob.pk, None, AccessLogGrant.FAVORITE, bob_fav.pk),
        ]
    )
    assert not AccessLog.objects.exists()


def test_the_owner_reads_a_list_view_as_one_line_with_the_same_fields(
    two_clients, alice, bob, carol, riverside
):
    alice_fav, _ = two_clients
    vet = client_for(carol)
    vet.get(f"/workspace/{riverside.pk}/")
    vet.get(f"/api/v1/workspace/{riverside.pk}/clients/")

    [line] = _lines(alice)
    assert {k: line[k] for k in line if not k.endswith("_at")} == {
        "viewer_name": "Carol Vet",
        "practice": riverside.pk,
        "practice_name": "Riverside Vets",
        "animal": None,
        "animal_name": None,
        "view": "client list",
        "grant_kind": "favorite",
        "grant_id": alice_fav.pk,
        "count": 2,
    }
    assert [x["count"] for x in _lines(bob)] == [2]  # bob's own line; alice's is not his
    page = client_for(alice).get("/access-log/").content.decode()
    assert '<td data-label="Who">Carol Vet</td>' in page and "client list" in page


def test_old_rows_and_list_rows_of_the_same_hour_make_one_line(
    two_clients, alice, carol, riverside
):
    alice_fav, _ = two_clients
    AccessLog.objects.create(
        viewer=carol,
        practice=riverside,
        owner=alice,
        view="client list",
        grant_kind=AccessLogGrant.FAVORITE,
        grant_id=alice_fav.pk,
        created_at=timezone.now() + timedelta(minutes=1),  # NOW is on the hour
    )
    client_for(carol).get(f"/workspace/{riverside.pk}/")

    [line] = _lines(alice)
    assert (line["view"], line["count"]) == ("client list", 2)


def test_list_reads_in_another_hour_are_another_line(two_clients, alice, carol, riverside):
    vet = client_for(carol)
    vet.get(f"/workspace/{riverside.pk}/")
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        vet.get(f"/workspace/{riverside.pk}/")
    assert [line["count"] for line in _lines(alice)] == [1, 1]


def test_a_detail_page_keeps_its_own_row(two_clients, alice, carol, riverside, rex):
    client_for(carol).get(f"/workspace/{riverside.pk}/animals/{rex.pk}/")
    assert AccessLog.objects.filter(owner=alice, animal=rex).count() == 1
    assert not ListAccessLog.objects.exists()


def test_the_owner_log_finds_list_reads_through_the_gin_index(two_clients, alice):
    from records.practices.selectors import owner_access_log

    sql, params = owner_access_log(alice).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "records_listaccesslog_owners_gin" in plan


def test_the_dpo_reads_list_rows_in_the_admin_and_finds_an_owner_s(
    two_clients, alice, carol, dpo, riverside
):
    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    from tests.conftest import mfa_client_for

    client_for(carol).get(f"/workspace/{riverside.pk}/")
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    dpo_client = mfa_client_for(dpo)
    url = reverse("admin:records_listaccesslog_changelist")
    assert dpo_client.get(url).status_code == 200
    found = dpo_client.get(url, {"q": alice.email}).context["cl"].result_list
    assert [row.view for row in found] == ["client list"]
    assert not dpo_client.get(url, {"q": "nobody@nowhere.example"}).context["cl"].result_list
    [row] = found
    assert (
        dpo_client.get(reverse("admin:records_listaccesslog_change", args=[row.pk])).status_code
        == 200
    )
    assert dpo_client.get(reverse("admin:records_listaccesslog_add")).status_code == 403
