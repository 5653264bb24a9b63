"""A cursor whose statements PostgreSQL plans once per connection (issue 10).

Django's psycopg cursor binds parameters on the client: every execution sends the whole
statement text and PostgreSQL parses and plans it again. For the hand-written statements
of the hot pages that planning cost more than running them: the vet's client list
statement planned in 1.6 ms and ran in 1.1; the animal page's animal read planned in
0.3 ms and ran in 0.15. `prepared_cursor()` is Django's own cursor (the same wrapper:
query logging, CaptureQueriesContext, execute_wrappers and error translation are
unchanged) over psycopg's server-binding cursor, on a connection that prepares a
statement the second time it runs it (OPTIONS["prepare_threshold"]): PostgreSQL then
executes the statement it planned, and psycopg keeps up to 100 such per connection.

Only statements executed through this cursor are ever prepared: the ORM's cursor binds
on the client and cannot prepare. Parameters are typed by psycopg (a str is `unknown`,
an int the smallest integer type that holds it, a date a date), so a parameter whose
type PostgreSQL cannot infer from its place needs a cast in the statement (`%s::text`).

Prepared statements belong to one server session. Behind a pooler that hands out server
sessions per transaction (PgBouncer's transaction mode) set DB_PREPARED_STATEMENTS=0:
this cursor is then Django's ordinary one, as it always is on SQLite.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def prepares(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this database's connections prepare the statements of prepared_cursor."""
    connection = connections[using]
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    )


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor for one of the hot paths' fixed statements, used as connection.cursor()."""
    connection = connections[using]
    if not prepares(using):
        return connection.cursor()
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    # BaseDatabaseWrapper._cursor and DatabaseWrapper.create_cursor, with the
    # server-binding cursor class in place of the client-binding one.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        cursor = ServerBindingCursor(raw)
        loader = raw.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            return _debug_wrapper()(cursor, connection)
        return connection.make_cursor(cursor)


_TIMESTAMPTZ_OID = 1184  # psycopg.adapters.types["timestamptz"].oid


@cache
def _debug_wrapper() -> type:
    """Django's debug cursor (connection.queries, CaptureQueriesContext), logging each
    statement with its parameters in place: psycopg keeps no text of a prepared
    statement's execution, where Django's last_executed_query looks for it."""
    from django.db.backends.postgresql.base import CursorDebugWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):  # type: ignore[misc, valid-type]
        def debug_sql(
            self,
            sql: Any = None,
            params: Any = None,
            use_last_executed_query: bool = False,
            many: bool = False,
        ) -> Any:
            if use_last_executed_query and not many:
                # Parameters it cannot write in: the log keeps the statement as written.
                with suppress(Exception):
                    sql = self.db.ops.compose_sql(sql, params)
                use_last_executed_query = False
            return super().debug_sql(sql, params, use_last_executed_query, many)

    return PreparedDebugWrapper
