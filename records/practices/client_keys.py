"""Keyset pages of a practice's client list (records.practices.selectors
.workspace_client_page): the cursor that says where a page starts, and the page of keys
with the cursors of the pages either side (issue 10). No page counts the practice's
clients: a page costs what its 50 rows cost, at 20 clients or 20,000."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


class InvalidCursor(ValueError):
    """A cursor this list did not hand out (edited, truncated or from another version)."""


@dataclass(frozen=True)
class ClientCursor:
    """A position in the client list's order — (named first, shown name, owner id) — and
    the way to read from it: forward for the next page, backward for the previous one."""

    named: bool
    sort_name: str
    owner_ref: int
    forward: bool = True

    @classmethod
    def after(cls, key: Mapping[str, Any]) -> ClientCursor:
        return cls(bool(key["named"]), key["sort_name"] or "", int(key["owner_ref"]), True)

    @classmethod
    def before(cls, key: Mapping[str, Any]) -> ClientCursor:
        return cls(bool(key["named"]), key["sort_name"] or "", int(key["owner_ref"]), False)

    def encode(self) -> str:
        raw = json.dumps([int(self.named), self.sort_name, self.owner_ref, int(self.forward)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ClientCursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            named, sort_name, owner_ref, forward = json.loads(raw)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise InvalidCursor(text) from None
        if (
            named not in (0, 1)
            or forward not in (0, 1)
            or not isinstance(sort_name, str)
            or len(sort_name) > 400
            or not isinstance(owner_ref, int)
            or isinstance(owner_ref, bool)
        ):
            raise InvalidCursor(text)
        return cls(bool(named), sort_name, owner_ref, bool(forward))

    def beyond(self, *, named: str, sort_name: str, owner: str) -> Q:
        """Rows strictly after the cursor in the list's order (named first, then the shown
        name, then the owner id as the tiebreaker), or strictly before it reading back."""
        ahead, behind = ("gt", "lt") if self.forward else ("lt", "gt")
        later_in_group = Q(**{f"{sort_name}__{ahead}": self.sort_name}) | Q(
            **{sort_name: self.sort_name, f"{owner}__{ahead}": self.owner_ref}
        )
        # `named` sorts descending: the named clients come first.
        return Q(**{f"{named}__{behind}": self.named}) | (Q(**{named: self.named}) & later_in_group)

    def share_only_beyond(self) -> Q | None:
        """`beyond` for the clients seen only through shares: their key is always (unnamed,
        "", owner id), so the cursor decides in Python; None when none of them can follow."""
        if self.forward:
            if self.named:
                return Q()
            return Q(owner_id__gt=self.owner_ref) if self.sort_name == "" else None
        if self.named:
            return None
        return Q(owner_id__lt=self.owner_ref) if self.sort_name == "" else Q()


@dataclass(frozen=True)
class ClientPage:
    """One page of the client list's keys, in list order, and the cursors of the next and
    previous pages (None at either end)."""

    keys: Sequence[Mapping[str, Any]]
    next: ClientCursor | None
    previous: ClientCursor | None
