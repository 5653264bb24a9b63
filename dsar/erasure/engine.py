"""The erasure engine: the map's plans run as one set-based statement per table and
action (an UPDATE or a DELETE over the person's rows), never a loop of saves.

`erase_rows(persons)` takes one person or many (the batch entry point the retention job
uses): every statement covers all of them at once. It returns the manifest: counts per
table and column, never a value."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.deletion import ProtectedError, get_candidate_relations_to_delete
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Lower, Trunc
from django.db.models.lookups import In

from dsar.personal_data_map import Person, _last_field, subject_q, user_ids_q
from vetpass.accounts.sessions import sessions_uncache_on_commit
from vetpass.privacy import Action, Match, Plan, Role, Subject

from . import keys
from .plan import Step, steps

# The tables whose rows hang off one animal: an animal under a scoped legal hold keeps
# them (LegalHold.animal), with the path from the row to the animal.
HELD_WITH_ANIMAL = {
    "records.Animal": "pk",
    "records.Entry": "animal",
    "records.AnimalAccess": "animal",
    "records.CoOwnerInvitation": "animal",
}


@dataclass
class Manifest:
    """Counts only. `tables[label]` has "deleted", "kept", "held" and per-column counts."""

    tables: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    files: list[str] = field(default_factory=list)

    def add(self, label: str, key: str, n: int) -> None:
        if n:
            self.tables[label][key] = self.tables[label].get(key, 0) + n

    def add_field(self, label: str, name: str, n: int) -> None:
        if n:
            columns = self.tables[label].setdefault("fields", {})
            columns[name] = columns.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": {label: self.tables[label] for label in sorted(self.tables)},
            "files": len(self.files),
        }


def any_of(values: list[Any], sql_type: str = "bigint") -> Any:
    """The right-hand side of an IN: on PostgreSQL one array parameter (`unnest(%s)`), so a
    statement over thousands of ids stays one short statement with one bound value."""
    if connection.vendor == "postgresql":
        # Bound as one array literal built here: psycopg's list adapter costs ~1 ms per
        # thousand values on every statement, which dominated a batch run.
        literal = "{" + ",".join(_array_item(v) for v in values) + "}"
        return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [literal])  # noqa: S611 - bound
    return values


def _array_item(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array_type(model: type[models.Model]) -> str:
    pk: Any = model._meta.pk
    return "bigint" if isinstance(pk, models.IntegerField | models.AutoField) else "text"


def persons_q(model: type[models.Model], subject: Subject, persons: list[Person]) -> Q | None:
    """One filter for many persons along one path (ids in one IN list)."""
    if subject.match == Match.USER:
        ids = [p.user.pk for p in persons if p.user is not None]
        return Q(**{f"{subject.path}__in": any_of(ids)}) if ids else None
    if subject.match == Match.USER_IDS:
        ids = [p.user.pk for p in persons if p.user is not None]
        return user_ids_q(subject.path, ids) if ids else None
    if subject.match == Match.LEDGER_KEY:
        ledger_keys = [k for p in persons for k in p.ledger_keys()]
        return Q(**{f"{subject.path}__in": any_of(ledger_keys, "text")}) if ledger_keys else None
    emails = sorted({p.email.strip().lower() for p in persons if p.email})
    is_json = isinstance(_last_field(model, subject.path), models.JSONField)
    if len(emails) > 1 and not is_json:
        # lower(column) IN (...): one comparison list, not one OR per person
        return Q(In(Lower(F(subject.path)), any_of(emails, "text")))
    if len(emails) > 1 and connection.vendor == "postgresql" and "__" not in subject.path:
        # a JSON list of addresses: any element equal to one of them, in one statement
        json_field: Any = model._meta.get_field(subject.path)
        pk: Any = model._meta.pk
        sql = (
            f'SELECT t."{pk.column}" FROM "{model._meta.db_table}" t, '  # noqa: S608 - schema names
            f'jsonb_array_elements_text(t."{json_field.column}") e WHERE lower(e) IN (%s)'
        )
        inner: Any = any_of(emails, "text")
        inner_sql, inner_params = inner.sql, inner.params
        return Q(pk__in=RawSQL(sql % inner_sql, inner_params))  # noqa: S611 - bound
    combined: Q | None = None
    for person in persons:
        q = subject_q(model, subject, person)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


def rows_for(step: Step, persons: list[Person], held_animals: list[int]) -> QuerySet | None:
    combined: Q | None = None
    for subject in step.subjects:
        q = persons_q(step.model, subject, persons)
        if q is not None:
            combined = q if combined is None else combined | q
    if combined is None:
        return None
    manager = step.model._default_manager
    joins = any("__" in s.path for s in step.subjects)
    # pk IN (subquery) where a path goes through a join, so no row is repeated.
    rows = (
        manager.filter(pk__in=manager.filter(combined).values("pk"))
        if joins
        else manager.filter(combined)
    )
    rows = rows.order_by()
    hold_path = HELD_WITH_ANIMAL.get(step.label)
    if hold_path and held_animals:
        rows = rows.exclude(**{f"{hold_path}__in": held_animals})
    return rows


def split_kept(step: Step, rows: QuerySet) -> tuple[QuerySet, QuerySet]:
    """(rows deleted, rows kept) for a plan that deletes rows but keeps some on a condition."""
    plan = step.plan
    if not plan.keep_when:
        return rows, rows.none()
    # The condition is evaluated on the person's rows only, not the whole table.
    keep_ids = rows.filter(**plan.keep_when).values("pk")
    return rows.exclude(pk__in=keep_ids), rows.filter(pk__in=keep_ids)


def file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def deleted_file_columns(step: Step) -> list[str]:
    """The columns whose stored files go with a deleted row: every FileField, and any
    column the plan declares DELETE_FILE (a storage name kept in a CharField)."""
    declared = [n for n, t in step.plan.fields.items() if t.action == Action.DELETE_FILE]
    return sorted(set(file_fields(step.model)) | set(declared))


def delete_set(rows: QuerySet, counts: dict[str, int] | None = None) -> dict[str, int]:
    """Delete the rows and what cascades from them, one DELETE (or UPDATE for SET_NULL)
    per table, without loading a row into Python: Django's Collector loads every object of
    a table that has cascades or many-to-many relations. No signal is sent: the project
    has no delete receivers on erased tables, and stored files are handled by the engine.
    A PROTECT that would be hit raises, like the database would."""
    counts = {} if counts is None else counts
    model = rows.model
    label = model._meta.label
    relations = list(get_candidate_relations_to_delete(model._meta))
    if not relations:  # nothing hangs off these rows: one DELETE by the filter itself
        deleted = rows.order_by()._raw_delete(rows.db)
        counts[label] = counts.get(label, 0) + deleted
        return counts
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return counts
    for rel in relations:
        relation: Any = rel
        child: Any = relation.related_model
        fk = relation.field
        on_delete = fk.remote_field.on_delete
        children = child._base_manager.filter(**{f"{fk.name}__in": any_of(ids, _array_type(model))})
        if on_delete is models.CASCADE:
            delete_set(children, counts)
        elif on_delete is models.SET_NULL:
            children.update(**{fk.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT):
            if children.exists():
                raise ProtectedError(f"{child._meta.label} protects {model._meta.label}", set())
        elif on_delete is not models.DO_NOTHING:
            raise TypeError(f"{child._meta.label}.{fk.name}: on_delete not supported")
    deleted = model._base_manager.filter(pk__in=any_of(ids, _array_type(model)))._raw_delete(
        rows.db
    )
    counts[label] = counts.get(label, 0) + deleted
    return counts


def _stored_files(rows: QuerySet, names: Iterable[str]) -> list[str]:
    files: list[str] = []
    for name in names:
        files += [n for n in rows.exclude(**{name: ""}).values_list(name, flat=True) if n]
    return files


def _apply_fields(step: Step, rows: QuerySet, manifest: Manifest) -> None:
    """The column treatments: one UPDATE for the constants, nulls, dates and files, one
    for the keyed hashes (a CASE over the rows' own values)."""
    model, plan = step.model, step.plan
    updates: dict[str, Any] = {}
    for name, treatment in plan.fields.items():
        column = model._meta.get_field(name)
        if treatment.action == Action.SET_NULL:
            updates[name] = None
        elif treatment.action == Action.SET_CONSTANT:
            updates[name] = treatment.value
        elif treatment.action == Action.GENERALISE_DATE:
            updates[name] = Trunc(F(name), "year", output_field=column)  # type: ignore[arg-type]
        elif treatment.action == Action.DELETE_FILE:
            manifest.files += _stored_files(rows, [name])
            updates[name] = ""
        elif treatment.action == Action.KEYED_HASH:
            is_email = isinstance(column, models.EmailField)
            pairs = [
                (pk, keys.erased_value(value, email=is_email, row=f"{step.label}:{pk}"))
                for pk, value in rows.values_list("pk", name)
                if value and not keys.is_erased_value(value)
            ]
            if pairs:
                manifest.add_field(step.label, name, _set_values(model, name, pairs))
    if updates:
        changed = rows.update(**updates)
        for name in updates:
            manifest.add_field(step.label, name, changed)


def _set_values(model: type[models.Model], name: str, pairs: list[tuple[Any, str]]) -> int:
    """Set one column to a value per row, in one statement."""
    if connection.vendor == "postgresql":
        table, column = model._meta.db_table, model._meta.get_field(name).column  # type: ignore[union-attr]
        pk = model._meta.pk.column  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = v.value '  # noqa: S608 - names from the schema
                f"FROM unnest(%s::bigint[], %s::text[]) AS v(id, value) "
                f'WHERE "{table}"."{pk}" = v.id',
                [[p for p, _ in pairs], [v for _, v in pairs]],
            )
            return cursor.rowcount
    return model._default_manager.filter(pk__in=[pk for pk, _ in pairs]).update(
        **{name: Case(*(When(pk=pk, then=Value(v)) for pk, v in pairs))}
    )


def _anonymise_admin_log(persons: list[Person], held: list[int], manifest: Manifest) -> None:
    """Admin log entries about one of the persons' rows hold its str() (an address, a
    name): anonymised before those rows are deleted (Role.ABOUT)."""
    about = [s for s in steps() if s.label == "admin.LogEntry" and s.role == Role.ABOUT]
    if not about:
        return
    plan: Plan = about[0].plan
    updates = {name: t.value for name, t in plan.fields.items() if t.action == Action.SET_CONSTANT}
    logged = set(LogEntry.objects.values_list("content_type_id", flat=True).distinct())
    seen: set[type[models.Model]] = set()
    for step in steps():
        if step.model in seen or step.label == "admin.LogEntry":
            continue
        content_type = ContentType.objects.get_for_model(step.model)
        if content_type.pk not in logged:
            continue
        seen.add(step.model)
        rows = rows_for(step, persons, held)
        if rows is None:
            continue
        ids = rows.annotate(_as_text=Cast("pk", TextField())).values("_as_text")
        changed = (
            LogEntry.objects.filter(content_type=content_type, object_id__in=ids)
            .exclude(object_repr=updates.get("object_repr"))
            .update(**updates)
        )
        for name in updates:
            manifest.add_field("admin.LogEntry", name, changed)


def erase_rows(persons: list[Person], *, held_animals: list[int] | None = None) -> Manifest:
    """Run every step of the map for the persons. The caller holds the transaction."""
    held = list(held_animals or [])
    manifest = Manifest()
    # The sessions' rows go in one DELETE below; their cached copies go after the commit.
    sessions_uncache_on_commit([p.user.pk for p in persons if p.user is not None])
    _anonymise_admin_log(persons, held, manifest)
    for step in steps():
        if step.role == Role.ABOUT:
            continue
        rows = rows_for(step, persons, held)
        if rows is None:
            continue
        plan = step.plan
        hold_path = HELD_WITH_ANIMAL.get(step.label)
        if hold_path and held and step.role == Role.OWNER:
            manager = step.model._default_manager
            held_rows = manager.filter(**{f"{hold_path}__in": held}).values("pk").distinct()
            manifest.add(step.label, "held", held_rows.count())
        if plan.row is not None and plan.row.action == Action.DELETE_ROW:
            doomed, kept = split_kept(step, rows)
            manifest.files += _stored_files(doomed, deleted_file_columns(step))
            for label, n in delete_set(doomed).items():
                manifest.add(label, "deleted", n)
            manifest.add(step.label, "kept", kept.count())
            _apply_fields(step, kept, manifest)
        else:
            if plan.row is not None:
                manifest.add(step.label, "kept", rows.count())
            _apply_fields(step, rows, manifest)
    return manifest
