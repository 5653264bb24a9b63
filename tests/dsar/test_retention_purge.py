"""Purges at the end of legal retention (issue 9): what erasure kept for a legal period
goes when the period ends, through one exception to the append-only trigger and no other."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import DatabaseError

from dsar.erasure import engine
from dsar.personal_data_map import Person
from dsar.retention.purge import retention_purge
from dsar.services import legal_hold_place
from records.models import AccessLog, Animal, Entry, ListAccessLog
from tests.factories import AnimalFactory, EntryFactory, PracticeFactory

NOW = datetime(2031, 3, 1, 12, tzinfo=UTC)
ROOT_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _read(owner, viewer, at: datetime) -> AccessLog:
    with time_machine.travel(at, tick=False):
        return AccessLog.objects.create(
            viewer=viewer, owner=owner, view="animal", grant_kind="favorite"
        )


def test_access_log_rows_go_six_years_after_the_read_and_not_before(alice, carol):
    old = _read(alice, carol, datetime(2025, 3, 1, 11, tzinfo=UTC))
    young = _read(alice, carol, datetime(2025, 3, 1, 13, tzinfo=UTC))
    counts = retention_purge(now=NOW)
    assert counts.access_log == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=young.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_outside_the_purge_the_access_log_stays_append_only(alice, carol):
    row = _read(alice, carol, datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()


def _list_read(owners, viewer, at: datetime) -> ListAccessLog:
    with time_machine.travel(at, tick=False):
        return ListAccessLog.objects.create(
            viewer=viewer,
            view="client list",
            owners=[o.pk for o in owners],
            animals=[None] * len(owners),
            grant_kinds=["favorite"] * len(owners),
            grant_ids=list(range(1, len(owners) + 1)),
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the list form is PostgreSQL's")
def test_list_reads_go_six_years_after_the_page_view_and_not_before(alice, bob, carol):
    old = _list_read([alice, bob], carol, datetime(2025, 3, 1, 11, tzinfo=UTC))
    young = _list_read([alice], carol, datetime(2025, 3, 1, 13, tzinfo=UTC))
    assert retention_purge(now=NOW, dry_run=True).access_log == 2  # the reads it names
    counts = retention_purge(now=NOW)
    assert counts.access_log == 2
    assert not ListAccessLog.objects.filter(pk=old.pk).exists()
    assert ListAccessLog.objects.filter(pk=young.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_outside_the_purge_the_list_access_log_stays_append_only(alice, carol):
    row = _list_read([alice], carol, datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ListAccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ListAccessLog.objects.filter(pk=row.pk).update(owners=[carol.pk])


def test_the_purge_is_the_only_exception_to_the_append_only_triggers():
    """Outside one-off data migrations (consent 0005 re-keyed the ledger once)."""
    found = subprocess.run(
        ["grep", "-rln", "--exclude-dir=migrations", "pgtrigger.ignore", "vetpass", "records"]
        + ["consent", "dsar"],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == ["dsar/retention/purge.py"]


@pytest.fixture
def erased_with_clinical_record(alice, dpo):
    gb = PracticeFactory(name="Bristol Vets", country="GB")
    us = PracticeFactory(name="Sacramento Vets", country="US")
    rex = AnimalFactory(owner=alice, name="Rex", microchip="985000000000001")
    max_ = AnimalFactory(owner=alice, name="Max", microchip="985000000000002")
    held = AnimalFactory(owner=alice, name="Held", microchip="985000000000003")
    entries = {
        "gb_old": EntryFactory(animal=rex, practice=gb, occurred_on=date(2026, 2, 1)),
        "gb_young": EntryFactory(animal=rex, practice=gb, occurred_on=date(2026, 3, 2)),
        "us_old": EntryFactory(animal=max_, practice=us, occurred_on=date(2028, 2, 1)),
        "held": EntryFactory(animal=held, practice=gb, occurred_on=date(2020, 1, 1)),
    }
    legal_hold_place(subject=alice, reason="Claim", actor=dpo, animal=held)
    engine.erase_rows([Person.of(user=alice)], held_animals=[held.pk])
    return rex, max_, held, entries


def test_a_practice_record_goes_after_its_country_s_period_then_its_animal(
    erased_with_clinical_record,
):
    rex, max_, held, entries = erased_with_clinical_record
    assert Entry.objects.count() == 4  # erasure kept the practices' records
    counts = retention_purge(now=NOW)  # 1 March 2031
    # GB: 60 months from 1 Feb 2026 ended 1 Feb 2031; from 2 March 2026 not yet.
    # US (California): 36 months from 1 Feb 2028 ended 1 Feb 2031.
    assert counts.clinical_entries == 2
    assert set(Entry.objects.values_list("pk", flat=True)) == {
        entries["gb_young"].pk,
        entries["held"].pk,
    }
    assert counts.animals == 1  # Max: no record left; Rex still has one; Held is held
    assert not Animal.objects.filter(pk=max_.pk).exists()
    assert Animal.objects.filter(pk__in=[rex.pk, held.pk]).count() == 2
    again = retention_purge(now=NOW)
    assert (again.clinical_entries, again.animals) == (0, 0)


def test_a_dry_run_counts_and_changes_nothing(erased_with_clinical_record, alice, carol):
    _read(alice, carol, datetime(2024, 1, 1, tzinfo=UTC))
    counts = retention_purge(now=NOW, dry_run=True)
    assert (counts.access_log, counts.clinical_entries, counts.animals) == (1, 2, 0)
    assert Entry.objects.count() == 4 and AccessLog.objects.count() == 1
