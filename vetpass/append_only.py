"""Append-only rows (the consent ledger, the restriction history): the ORM refuses to
update or delete them, row by row and in bulk. On PostgreSQL each such model also
registers a pgtrigger Protect, so the database refuses what goes around the ORM."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: object) -> int:
        raise TypeError(
            f"{self.model.what} is append-only: its {self.model.rows} are never updated."
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(
            f"{self.model.what} is append-only: its {self.model.rows} are never deleted."
        )


class AppendOnlyModel(models.Model):
    # How the refusals name the table, e.g. "The consent ledger".
    what: ClassVar[str] = "This table"
    rows: ClassVar[str] = "rows"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(f"{self.what} is append-only: its {self.rows} are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.what} is append-only: its {self.rows} are never deleted.")
