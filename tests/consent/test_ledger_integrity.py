"""The ledger is append-only (the database refuses UPDATE and DELETE on PostgreSQL) and
tamper-evident (`verify_consent_ledger` names the first altered event)."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from consent.models import ConsentEvent
from consent.services import consent_grant, consent_withdraw

postgres_only = pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="the append-only trigger exists only on PostgreSQL"
)
TABLE = ConsentEvent._meta.db_table


@pytest.fixture
def events(alice, bob):
    made = [
        consent_grant(subject=alice, purpose="marketing_email", channel="web"),
        consent_withdraw(subject=alice, purpose="marketing_email", channel="web"),
        consent_grant(subject=bob, purpose="research", channel="api"),
        consent_grant(subject=alice, purpose="analytics", channel="web"),
    ]
    return made


def _verify() -> str:
    out = StringIO()
    call_command("verify_consent_ledger", stdout=out)
    return out.getvalue()


@postgres_only
@pytest.mark.postgres
def test_the_database_refuses_a_raw_update_of_a_ledger_row(events):
    refused = pytest.raises(DatabaseError, match="Cannot update or delete")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'grant' WHERE id = %s", [events[1].pk])
    assert ConsentEvent.objects.get(pk=events[1].pk).action == "withdraw"


@postgres_only
@pytest.mark.postgres
def test_the_database_refuses_a_raw_delete_of_a_ledger_row(events):
    refused = pytest.raises(DatabaseError, match="Cannot update or delete")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])
    assert ConsentEvent.objects.filter(pk=events[0].pk).exists()


def test_the_orm_refuses_to_update_or_delete_events(events):
    with pytest.raises(TypeError):
        ConsentEvent.objects.filter(pk=events[0].pk).update(action="withdraw")
    with pytest.raises(TypeError):
        ConsentEvent.objects.filter(pk=events[0].pk).delete()
    with pytest.raises(TypeError):
        events[0].delete()
    with pytest.raises(TypeError):
        events[0].save()


def test_verify_consent_ledger_exits_zero_when_every_chain_holds(events):
    assert "4 events checked" in _verify()


def _tamper(sql: str, params: list) -> None:
    """Alter the ledger behind the ORM's back, with the trigger off (inside the test's
    transaction, so it is rolled back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks would otherwise forbid ALTER TABLE in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def test_verify_consent_ledger_names_the_first_event_altered_behind_the_orm(events):
    withdrawn = events[1]
    _tamper(f"UPDATE {TABLE} SET action = 'grant' WHERE id = %s", [withdrawn.pk])
    with pytest.raises(CommandError) as failure:
        _verify()
    assert f"consent event {withdrawn.pk} " in str(failure.value)
    assert "altered" in str(failure.value)


def test_verify_consent_ledger_exits_non_zero_from_the_command_line(events):
    _tamper(f"UPDATE {TABLE} SET wording = 'edited' WHERE id = %s", [events[0].pk])
    with pytest.raises(SystemExit) as exit_:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "verify_consent_ledger"])
    assert exit_.value.code != 0


def test_verify_consent_ledger_notices_an_event_moved_to_another_account(events, bob):
    _tamper(f"UPDATE {TABLE} SET subject_user_id = %s WHERE id = %s", [bob.pk, events[3].pk])
    with pytest.raises(CommandError) as failure:
        _verify()
    assert f"consent event {events[3].pk} " in str(failure.value)


def test_verify_consent_ledger_notices_a_deleted_event(events):
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError) as failure:
        _verify()
    # alice's chain now starts at her second event, which is the first broken one
    assert f"consent event {events[1].pk} " in str(failure.value)


def test_each_subject_has_its_own_chain(events, alice, bob):
    alice_events = ConsentEvent.objects.filter(subject_key=f"user:{alice.pk}").order_by("sequence")
    assert [e.sequence for e in alice_events] == [1, 2, 3]
    assert alice_events[1].prev_hash == alice_events[0].hash
    bob_event = ConsentEvent.objects.get(subject_key=f"user:{bob.pk}")
    assert (bob_event.sequence, bob_event.prev_hash) == (1, "")
