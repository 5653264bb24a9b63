"""The access log is append-only at the database, like the consent ledger."""

import pytest
from django.db import DatabaseError, connection, transaction

from records.models import AccessLog

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only trigger exists on PostgreSQL only (pgtrigger)",
    ),
]


@pytest.fixture
def row(alice, carol, riverside, rex):
    return AccessLog.objects.create(
        viewer=carol,
        practice=riverside,
        owner=alice,
        animal=rex,
        view="animal record",
        grant_kind="favorite",
        grant_id=1,
    )


def test_update_of_an_access_log_row_fails_at_the_database(row):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(view="nothing to see")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE records_accesslog SET viewer_id = owner_id")
    row.refresh_from_db()
    assert row.view == "animal record"


def test_delete_of_an_access_log_row_fails_at_the_database(row):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_accesslog")
    assert AccessLog.objects.filter(pk=row.pk).exists()
