"""The compact access log for staff list pages (issue 10), and the one reading of both
forms of the access log.

A list page (the workspace client list, the record requests, the message inbox, the
appointments day list, a herd's members, an admin list) shows many owners at once. It used to
write one AccessLog row per client shown: fifty rows, three index entries each, per click
of a busy practice. It now writes one `ListAccessLog` row per page view (per practice the
page was seen through) naming every owner, animal and grant it showed, position by
position. Nothing is lost: every client shown is still named, with the grant that let the
viewer see them (DESIGN.md rule 2). Detail pages (one owner) still write AccessLog rows;
rows written before this change stay where they are and read as before.

`AccessRead` is a database view that unnests both forms into one read per owner (and
animal) shown: the owner's "who looked at my records", the export's recipients and the
admin read it, so they cannot tell which form a read was written in.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone

from .practices import AccessLogGrant


class PgArrayField(ArrayField):
    """An array column on PostgreSQL; a plain text column elsewhere, so that the embedded
    SQLite default can create the table (it writes no list rows: see `_compact` in
    records.practices.access) without understanding `bigint[]`."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor != "postgresql":
            return "text"
        return super().db_type(connection)

    def cast_db_type(self, connection: Any) -> str:
        if connection.vendor != "postgresql":
            return "text"
        return super().cast_db_type(connection)


@pgtrigger.register(
    pgtrigger.Protect(
        name="list_access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    ),
)
class ListAccessLog(models.Model):
    """One staff look at a list page: position i of `owners`, `animals`, `grant_kinds` and
    `grant_ids` is one client (or animal) shown, as one AccessLog row would say it (animal
    null for a client shown without an animal). Append-only like AccessLog: the database
    refuses UPDATE and DELETE on PostgreSQL; references carry no constraint. The GIN index
    on `owners` (migration 0012, PostgreSQL) finds an owner's list reads."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    practice = models.ForeignKey(
        "records.Practice",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    view = models.CharField(max_length=60)
    owners = PgArrayField(models.BigIntegerField())
    animals = PgArrayField(models.BigIntegerField(null=True))
    grant_kinds = PgArrayField(models.CharField(max_length=20, choices=AccessLogGrant.choices))
    grant_ids = PgArrayField(models.BigIntegerField(null=True))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.view}: {len(self.owners)} shown"


class AccessReadQuerySet(models.QuerySet):
    def of_owner(self, owner_id: int) -> AccessReadQuerySet:
        """The reads of one owner's data. On PostgreSQL the array test lets the planner
        use the GIN index on the list form (it cannot derive it from the unnested id)."""
        qs = self.filter(owner_id=owner_id)
        if connection.vendor == "postgresql":
            qs = qs.filter(owners__contains=[owner_id])
        return qs


class AccessRead(models.Model):
    """One read of one owner's data, from either form of the access log: a database view
    (migration 0012) over AccessLog and ListAccessLog unnested. Read-only, not a table:
    the personal-data map declares the two tables it reads (export and erasure act on
    them), so it is left out of the map's list of tables. `id` is the id of the row in its
    own table (`form` says which), not unique across the two."""

    id = models.BigIntegerField(primary_key=True)
    form = models.CharField(max_length=4)  # "one" (AccessLog) or "list" (ListAccessLog)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+"
    )
    practice = models.ForeignKey(
        "records.Practice", on_delete=models.DO_NOTHING, null=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+"
    )
    animal = models.ForeignKey(
        "records.Animal", on_delete=models.DO_NOTHING, null=True, related_name="+"
    )
    view = models.CharField(max_length=60)
    grant_kind = models.CharField(max_length=20, choices=AccessLogGrant.choices)
    grant_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    owners = PgArrayField(models.BigIntegerField(), null=True)

    objects = AccessReadQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "records_accessread"
        ordering = ["-created_at", "-id"]
