"""vetpass.postgresql: a kept connection's per-request health check asks the server only
when the server has said something on the idle connection (issue 10); a connection the
server closed is still replaced before the request uses it."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's"),
]


@pytest.fixture
def kept():
    """A second wrapper of the default database, with a connection of its own, as a
    gunicorn worker keeps between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    wrapper.health_check_enabled = True
    yield wrapper
    wrapper.close()


def _new_request(wrapper) -> None:
    # What close_old_connections does at request_started.
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()


def test_the_backend_is_ours():
    assert connection.settings_dict["ENGINE"] == "vetpass.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_live_connection_is_kept_without_a_round_trip(kept, monkeypatch):
    asked = []
    monkeypatch.setattr(kept, "is_usable", lambda: asked.append(1) or True)
    raw = kept.connection
    _new_request(kept)
    assert kept.connection is raw
    assert asked == []
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_closed_is_replaced_before_it_is_used(kept):
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the server's goodbye reaches the socket
        if kept._server_spoke():
            break
        time.sleep(0.02)
    _new_request(kept)
    assert kept.connection is None  # closed: the next query opens a new one
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_closed_connection_is_replaced(kept):
    kept.connection.close()
    _new_request(kept)
    assert kept.connection is None
