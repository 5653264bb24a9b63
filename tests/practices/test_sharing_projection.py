"""The sharing-state projection (issue 10): written in the transaction of every
practice-sharing ledger event, read by the practice side instead of the ledger, and held
to the ledger by `manage.py sharing_projection_check`, which catches a tampered row and
repairs it from the ledger."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from consent.models import ConsentEvent
from consent.services import consent_grant, consent_withdraw
from records.models import SharingState
from records.practices import services as svc
from records.practices.access import granting_favorites
from records.practices.projection import sharing_projection_differences
from tests.conftest import client_for
from tests.factories import AnimalFactory, UserFactory

pytestmark = pytest.mark.django_db


def projected(owner, practice):
    return SharingState.objects.filter(owner=owner, practice=practice).values_list(
        "action", "granted", "event_id"
    )[0]


def latest_event(owner):
    return ConsentEvent.objects.filter(subject_key=f"user:{owner.pk}").order_by("-sequence")[0]


def test_every_sharing_event_is_projected_in_its_transaction(alice, riverside):
    favorite = svc.favorite_create(owner=alice, practice=riverside)
    assert projected(alice, riverside) == ("grant", True, latest_event(alice).pk)
    svc.favorite_update(favorite=favorite, share_profile=False, all_animals=True)
    assert projected(alice, riverside) == ("grant", True, latest_event(alice).pk)
    svc.favorite_delete(favorite=favorite)
    assert projected(alice, riverside) == ("withdraw", False, latest_event(alice).pk)
    # A withdrawal by another route (the privacy centre's consent service) is projected too.
    svc.favorite_create(owner=alice, practice=riverside)
    consent_withdraw(
        subject=alice, purpose="practice_sharing", scope=f"practice:{riverside.pk}", channel="web"
    )
    assert projected(alice, riverside) == ("withdraw", False, latest_event(alice).pk)
    assert sharing_projection_differences() == []


def test_a_rolled_back_event_leaves_no_projection(alice, riverside):
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.favorite_create(owner=alice, practice=riverside)
        assert SharingState.objects.filter(owner=alice, practice=riverside).exists()
        raise RuntimeError("the request failed after the grant")
    assert not SharingState.objects.filter(owner=alice).exists()


def test_a_scope_naming_no_practice_is_not_projected(alice, riverside):
    consent_grant(subject=alice, purpose="practice_sharing", scope="practice:999999", channel="web")
    assert not SharingState.objects.exists()
    assert sharing_projection_differences() == []


def test_the_projection_decides_what_the_practice_sees(alice, rex, riverside):
    svc.favorite_create(owner=alice, practice=riverside)
    assert list(granting_favorites([riverside.pk]).values_list("owner_id", flat=True)) == [alice.pk]
    with CaptureQueriesContext(connection) as ctx:
        list(granting_favorites([riverside.pk]))
    assert "consent_consentevent" not in ctx.captured_queries[0]["sql"]
    SharingState.objects.filter(owner=alice).update(granted=False)
    assert not granting_favorites([riverside.pk]).exists()


def test_check_command_catches_a_tampered_row_and_repairs_it(alice, bob, riverside, capsys):
    svc.favorite_create(owner=alice, practice=riverside)
    bobs = svc.favorite_create(owner=bob, practice=riverside)
    svc.favorite_delete(favorite=bobs)
    call_command("sharing_projection_check")
    assert "agrees with the ledger" in capsys.readouterr().out

    # Someone turns bob's withdrawn sharing back on, and removes alice's row.
    SharingState.objects.filter(owner=bob).update(action="grant", granted=True)
    SharingState.objects.filter(owner=alice).delete()
    with pytest.raises(SystemExit) as exited:
        call_command("sharing_projection_check")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert f"owner {bob.pk}, practice {riverside.pk}: ledger says withdraw" in out
    assert "projection says grant" in out
    assert f"owner {alice.pk}, practice {riverside.pk}: ledger says grant" in out
    assert "projection says nothing" in out

    call_command("sharing_projection_check", "--repair")
    assert "Repaired 2 row(s)" in capsys.readouterr().out
    assert projected(bob, riverside)[:2] == ("withdraw", False)
    assert projected(alice, riverside)[:2] == ("grant", True)
    call_command("sharing_projection_check")
    assert "agrees with the ledger" in capsys.readouterr().out


def test_the_client_list_reads_no_ledger_and_its_queries_do_not_grow(carol, riverside):
    """The page's queries are a fixed number, none of them a search of the consent
    ledger, at 5 clients and at 60 (more than a page)."""
    client = client_for(carol)

    def add(n):
        for _ in range(n):
            owner = UserFactory()
            AnimalFactory(owner=owner)
            svc.favorite_create(owner=owner, practice=riverside)

    client.get(f"/workspace/{riverside.pk}/")  # the session's first request warms caches
    counts = []
    for n in (5, 55):
        add(n)
        for url in (f"/workspace/{riverside.pk}/", f"/api/v1/workspace/{riverside.pk}/clients/"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            assert not [q for q in ctx.captured_queries if "consent_consentevent" in q["sql"]]
            counts.append(len(ctx.captured_queries))
    assert counts[:2] == counts[2:]


def test_the_migration_backfills_the_projection_from_the_ledger(alice, bob, riverside):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("records.migrations.0010_sharing_state_projection").backfill
    svc.favorite_create(owner=alice, practice=riverside)
    svc.favorite_delete(favorite=svc.favorite_create(owner=bob, practice=riverside))
    consent_grant(subject=alice, purpose="practice_sharing", scope="practice:999999", channel="web")
    expected = set(SharingState.objects.values_list("owner_id", "practice_id", "action", "granted"))
    assert expected == {
        (alice.pk, riverside.pk, "grant", True),
        (bob.pk, riverside.pk, "withdraw", False),
    }
    SharingState.objects.all().delete()
    backfill(apps, None)
    assert (
        set(SharingState.objects.values_list("owner_id", "practice_id", "action", "granted"))
        == expected
    )
    assert sharing_projection_differences() == []
