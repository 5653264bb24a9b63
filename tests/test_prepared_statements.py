"""vetpass.prepared: the hot paths' statements are planned once per connection on
PostgreSQL, and otherwise behave as Django's cursor (issue 10)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from vetpass.prepared import prepared_cursor, prepares

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT CAST(%s AS BIGINT) + 1, CAST(%s AS TEXT)"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(value: int) -> tuple:
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [value, "x"])
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_a_statement_is_prepared_the_second_time_and_answers_the_same():
    assert prepares()
    marker = "SELECT CAST($1 AS BIGINT) + 1, CAST($2 AS TEXT)"
    assert _run(1) == (2, "x")
    assert _run(41) == (42, "x")
    assert marker in _prepared_statements()
    assert _run(9) == (10, "x")  # the prepared statement, run again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_the_orm_cursor_never_prepares():
    for _ in range(5):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int * 7", [3])
    assert not any("* 7" in s for s in _prepared_statements())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_a_statement_prepared_in_a_transaction_that_rolled_back_still_runs():
    with transaction.atomic():
        _run(1)
        _run(2)  # prepared here
        transaction.set_rollback(True)
    assert _run(3) == (4, "x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_a_failed_statement_leaves_the_connection_usable():
    with pytest.raises(Exception), transaction.atomic(), prepared_cursor() as cursor:  # noqa: B017, PT011
        cursor.execute("SELECT 1 / %s::int", [0])
    assert _run(5) == (6, "x")


def test_captured_queries_show_the_statement_with_its_values():
    # What assertNumQueries, CaptureQueriesContext and the debug log read: the values in
    # place, as Django's own cursor logs them (psycopg keeps no text for a prepared run).
    for value in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            assert _run(value) == (value + 1, "x")
        assert len(ctx.captured_queries) == 1
        sql = ctx.captured_queries[0]["sql"]
        assert sql is not None
        assert str(value) in sql
        assert "'x'" in sql


def test_without_prepare_threshold_it_is_the_ordinary_cursor(monkeypatch):
    options = dict(connection.settings_dict.get("OPTIONS", {}))
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert not prepares()
    assert _run(1) == (2, "x")
