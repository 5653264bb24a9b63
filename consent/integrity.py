"""Checking the ledger's hash chains (DESIGN.md rule 4).

Every subject's events form a chain: sequence 1, 2, 3, … each storing the hash of the one
before and a hash of its own content. An UPDATE made behind the ORM's back (with the
trigger dropped) changes content without changing the stored hash; a DELETE leaves a gap
in the sequence or a prev_hash that no longer matches. Either way the chain breaks at the
first altered event, and that is the event we name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .models import ConsentEvent, event_hash


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    subject_key: str
    sequence: int
    reason: str

    def __str__(self) -> str:
        return (
            f"consent event {self.event_id} (subject {self.subject_key}, "
            f"sequence {self.sequence}): {self.reason}"
        )


def ledger_breaks(chunk_size: int = 5000) -> Iterator[ChainBreak]:
    """Every break, in ledger order (subject, then sequence). Streams: memory stays flat."""
    events = (
        ConsentEvent.objects.select_related("purpose")
        .order_by("subject_key", "sequence")
        .iterator(chunk_size=chunk_size)
    )
    current_key: str | None = None
    expected_sequence = 1
    prev_hash = ""
    for event in events:
        if event.subject_key != current_key:
            current_key, expected_sequence, prev_hash = event.subject_key, 1, ""
        if event.sequence != expected_sequence:
            yield ChainBreak(
                event.pk,
                event.subject_key,
                event.sequence,
                f"expected sequence {expected_sequence} (an event is missing)",
            )
        elif event.prev_hash != prev_hash:
            yield ChainBreak(
                event.pk,
                event.subject_key,
                event.sequence,
                "prev_hash does not match the previous event's hash",
            )
        elif event.subject_user_id is not None and event.subject_key != (
            f"user:{event.subject_user_id}"
        ):
            # subject_user is a convenience copy of subject_key (not hashed): it must agree.
            yield ChainBreak(
                event.pk,
                event.subject_key,
                event.sequence,
                "subject_user does not match subject_key (altered after it was written)",
            )
        elif event_hash(event) != event.hash:
            yield ChainBreak(
                event.pk,
                event.subject_key,
                event.sequence,
                "content does not match its hash (altered after it was written)",
            )
        expected_sequence = event.sequence + 1
        prev_hash = event.hash


def ledger_first_break() -> ChainBreak | None:
    return next(ledger_breaks(), None)
