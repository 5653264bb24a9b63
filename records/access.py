"""The practice side of "who may see this": staff of a practice the owner favorited, and
holders of an emergency share. Filled in by the practice issue (issue 4); until then no
practice sees anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from vetpass.accounts.models import User

    from .models import Animal
    from .selectors import Visibility


def animal_ids_visible_to_staff(user: User) -> QuerySet | None:
    """A values('pk') queryset of animals the user sees as practice staff, or None."""
    return None


def staff_visibility(user: User, animal: Animal) -> Visibility | None:
    return None
