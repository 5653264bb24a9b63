"""The workspace: entries written by practice staff, under the practice's name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vetpass.accounts.models import User

from ...models import (
    Entry,
    EntryKind,
    EntrySource,
    Practice,
)
from ...services import entry_create
from ...visibility import Visibility

# --- the workspace: entries by staff -------------------------------------------------


def _practice_of(vis: Visibility) -> Practice:
    practice = getattr(vis.via, "practice", None)
    if practice is None:
        raise ValidationError("Only practice staff add entries here.")
    return practice


@transaction.atomic
def clinical_entry_create(*, vis: Visibility, author: User, **data: Any) -> Entry:
    """A clinical entry written by practice staff (source "practice"). An examination's
    date establishes the VCPR for the animal. A restricted owner's records are read-only.
    Documents come from the owner (uploaded on their side), never from the workspace."""
    if data.get("kind") == EntryKind.DOCUMENT:
        raise ValidationError(
            {"kind": "A practice does not add documents here: the owner uploads them."}
        )
    if vis.animal.owner.is_restricted:
        raise ValidationError(
            "This owner's records are restricted while a data-protection request is handled: "
            "they are read-only."
        )
    return entry_create(
        animal=vis.animal,
        author=author,
        source=EntrySource.PRACTICE,
        practice=_practice_of(vis),
        **data,
    )
