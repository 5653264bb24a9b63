"""What one user may do with one animal: the answer of the "who may see this" selector
(records.selectors for the owner side, records.practices.access for the practice side).
A module of its own so that both can build it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Animal


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

    @property
    def is_owner_side(self) -> bool:
        """The owner or a co-owner: looks by them are not access-logged."""
        return self.via is None
