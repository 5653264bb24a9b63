"""Django's PostgreSQL backend, with the per-request health check of a kept connection
answered from its socket instead of a `SELECT 1` (issue 10).

With CONN_HEALTH_CHECKS, Django asks the server `SELECT 1` before the first query of every
request that reuses a connection: a round trip and a statement on every page, so that a
connection the server dropped (a restart, an idle timeout, an administrator's kill) is
replaced instead of failing the request. A connection the server has closed has
something to read on its socket (the server's last message, then end of file), while a
live idle connection never does (this project does not LISTEN). So: nothing to read, the
connection is kept without asking; something to read, the server is asked as before
(`SELECT 1` fails on a closed connection, and it is replaced). A connection cut without a
word (a network partition) is found no later than Django's check would have found it:
its first query fails, the request answers an error, and Django closes the connection
(close_if_unusable_or_obsolete asks the server, as before).

ENGINE = "vetpass.postgresql" (vetpass.settings sets it for a PostgreSQL DATABASE_URL).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is None
            or not getattr(self, "health_check_enabled", False)
            or getattr(self, "health_check_done", False)
            or getattr(self, "pool", None)
        ):
            return
        if self._server_spoke() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _server_spoke(self) -> bool:
        """Whether the server has sent anything on the idle connection, or it is closed."""
        if self.connection.closed:
            return True
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)
