"""Removal of accounts at the end of the inactivity period, through the erasure engine
(the same manifest and certificate as an erasure request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def remove_inactive(notices_and_owners: Sequence[tuple[int, int]], *, now: datetime) -> int:
    raise NotImplementedError("removal runs the erasure engine (issue 8 §6), not merged yet")
