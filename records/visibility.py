"""What one user may do with one animal: the answer of the "who may see this" selector
(records.selectors for the owner side, records.practices.access for the practice side).
A module of its own so that both can build it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from .models import Animal

if TYPE_CHECKING:
    from .models import Entry


def author_shown(entry: Entry, *, owner_side: bool) -> str | None:
    """Who wrote the entry, as the viewer may be told (issue 7 §1.7): the owner's side
    sees every author; a practice sees the names of practice staff only, never the people
    on the owner's side."""
    if entry.author is None or not (owner_side or entry.practice_id):
        return None
    return entry.author.display_name


@dataclass(frozen=True)
class Visibility:
    """What one user may do with one animal."""

    animal: Animal
    can_edit: bool
    is_owner: bool
    # None: every kind of entry; otherwise only these kinds.
    kinds: frozenset[str] | None = None
    # Set when the look is by practice staff or an emergency-share holder: the grant used.
    via: object | None = None
    # The practices whose staff the viewer is and through which they see the animal. What
    # such a practice wrote is its own record: its staff see it whatever kinds the owner
    # shares (issue 7 §2.1).
    practice_ids: frozenset[int] = frozenset()

    def entries_q(self) -> Q:
        """The entries of the animal this look may see, as a filter."""
        if self.kinds is None:
            return Q()
        q = Q(kind__in=self.kinds)
        if self.practice_ids:
            q |= Q(practice_id__in=self.practice_ids)
        return q

    def entries_sql(self, alias: str = "e") -> tuple[str, list[str | int]]:
        """entries_q as SQL for a hand-written statement over records_entry `alias`: a
        condition to AND (a leading " AND …", "" for every entry) and its parameters.
        The same entries as entries_q (tests/records/test_entry_rows.py holds the two
        together)."""
        if self.kinds is None:
            return "", []
        kinds = sorted(self.kinds)
        practices = sorted(self.practice_ids)
        either = []
        if kinds:
            either.append(f"{alias}.kind IN ({', '.join(['%s'] * len(kinds))})")
        if practices:
            either.append(f"{alias}.practice_id IN ({', '.join(['%s'] * len(practices))})")
        return f" AND ({' OR '.join(either) or '1 = 0'})", [*kinds, *practices]

    def shows_entry(self, entry: Entry) -> bool:
        return (
            self.kinds is None
            or entry.kind in self.kinds
            or (entry.practice_id is not None and entry.practice_id in self.practice_ids)
        )

    def author_label(self, entry: Entry) -> str | None:
        return author_shown(entry, owner_side=self.is_owner_side)

    @property
    def is_owner_side(self) -> bool:
        """The owner or a co-owner: looks by them are not access-logged."""
        return self.via is None
