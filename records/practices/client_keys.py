"""The ordered keys of a practice's client list (records.practices.selectors
.workspace_client_keys), in a form Django's Paginator and DRF's pagination page like a
queryset, with a count that costs what the practice's grants cost (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class ClientKeys:
    """The ordered keys of a practice's client list, to be paged (Django's Paginator and
    DRF's pagination take it as they take a queryset), with a count that costs what the
    grants cost: it counts the practice's granting favorites and its share-only clients
    without the join to accounts and the names the ordering needs."""

    keys: QuerySet
    favorites: QuerySet
    share_only: QuerySet
    # Paginator asks whether the list is ordered; it always is.
    ordered: ClassVar[bool] = True

    def count(self) -> int:
        parts: list[str] = []
        params: list[Any] = []
        for qs, column in ((self.favorites, "pk"), (self.share_only, "owner_id")):
            try:
                sql, part_params = qs.order_by().values(column).distinct().query.sql_with_params()
            except EmptyResultSet:  # nothing can match
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")  # noqa: S608 - ORM SQL
            params.extend(part_params)
        if not parts:
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + " + ".join(parts), params)
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> QuerySet:
        return self.keys[item]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.keys)
