"""Run a job twice at once, each on its own database connection (DESIGN.md rule 7)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def twice_at_once(job: Callable[[], T]) -> list[T]:
    """Start `job` in two threads released together; re-raise nothing, but fail the test
    if either raised. Returns both results."""
    start = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            start.wait()
            results.append(job())
        except Exception as exc:  # surfaced below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results  # type: ignore[return-value]
