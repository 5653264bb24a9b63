"""The person's rows, table by table, generated from the personal-data map.

Which rows: every declared subject path (`dsar.personal_data_map.querysets_for`), one
query per table, so a row found along several paths appears once.

- Rows that are the person's own (their account, their animals and records, rows naming
  them by address or ledger key) are exported whole: `"_scope": "own"`.
- Rows found only because the person acted on someone else's data (a vet who wrote an
  entry on a client's animal, staff who answered a request, a DPO assigned a case) are
  exported without the other person's data: only the fields about the person's own
  activity (timestamps, professional fields, the practice), `"_scope": "activity"`.
  Art. 15(4): the copy must not adversely affect the rights of others.

Relations to other people never show another person's account id: a reference to an
account is "you" for the person themself, the practice's name when the row was written
at a practice (a vet who read the records appears as the practice), "VetPass privacy
staff" on casework rows, and "another person" otherwise. Reference data (species,
breeds, practices, services, content types) appears by name; relations between the
person's own rows (an entry's animal) by id, which the JSON's own rows resolve.

Credentials are never copied into the file (a leaked zip must not let anyone act as
the person): WITHHELD names them; the summary says they are held but not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q, QuerySet

from dsar.personal_data_map import (
    Person,
    model_field_names,
    personal_data_map,
    subject_q,
    subjects_map,
)
from vetpass.privacy import Category, Match, Role

CHUNK = 2000

OWN_ROLES = frozenset({Role.ACCOUNT, Role.OWNER, Role.EMAIL, Role.LEDGER_KEY})
# The fields of someone else's row that are about the person's own activity there.
ACTIVITY_CATEGORIES = frozenset({Category.NONE, Category.ACTIVITY, Category.PROFESSIONAL})

# Security credentials: held, never copied (tests check each still exists).
WITHHELD: dict[str, frozenset[str]] = {
    "accounts.User": frozenset({"password"}),
    "accounts.Session": frozenset({"session_key", "session_data"}),
    "account.EmailConfirmation": frozenset({"key"}),
    "mfa.Authenticator": frozenset({"data"}),
    "records.CoOwnerInvitation": frozenset({"token"}),
    "records.EmergencyShare": frozenset({"code"}),
    "dsar.DataSubjectRequest": frozenset({"verification_token_hash"}),
    "dsar.DataExport": frozenset({"token_hash"}),
}

YOU = "you"
ANOTHER_PERSON = "another person"
PRIVACY_STAFF = "VetPass privacy staff"
# Where a reference to another account is VetPass's own staff at work: casework, the
# admin's log, a restriction applied or lifted by the DPO.
STAFF_APPS = frozenset({"dsar", "admin"})
STAFF_TABLES = frozenset({"accounts.RestrictionEvent"})

SCOPE_OWN = "own"
SCOPE_ACTIVITY = "activity"


@dataclass(frozen=True)
class Table:
    label: str
    model: type[models.Model]
    fields: tuple[Any, ...]  # the exported model fields, in declaration order

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def category(self, name: str) -> Category:
        return personal_data_map()[self.label][name].category


def _is_user_model(model: Any) -> bool:
    return model is not None and model._meta.label == "accounts.User"


def is_reference(model: Any) -> bool:
    """Reference data (species, practices, ...): declared with no subject path at all."""
    return model is not None and subjects_map().get(model._meta.label) == ()


@cache
def tables() -> tuple[Table, ...]:
    """Every table that can hold a person's rows, by label."""
    result = []
    for label, subjects in sorted(subjects_map().items()):
        if not subjects:
            continue
        model = apps.get_model(label)
        withheld = WITHHELD.get(label, frozenset())
        names = [n for n in model_field_names(model) if n not in withheld]
        result.append(Table(label, model, tuple(model._meta.get_field(n) for n in names)))
    return tuple(result)


def _multi_valued(model: type[models.Model], path: str) -> bool:
    for hop in path.split("__")[:-1]:
        field = model._meta.get_field(hop)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model  # type: ignore[assignment]
    last = model._meta.get_field("id" if path.split("__")[-1] == "pk" else path.split("__")[-1])
    return bool(last.many_to_many or last.one_to_many)


def querysets(table: Table, person: Person) -> tuple[QuerySet | None, QuerySet | None]:
    """(own rows, activity rows that are not also own rows); None where no path applies."""
    own: Q | None = None
    activity: Q | None = None
    distinct = False
    for subject in subjects_map()[table.label]:
        q = subject_q(table.model, subject, person)
        if q is None:
            continue
        distinct = distinct or _multi_valued(table.model, subject.path)
        if subject.role in OWN_ROLES:
            own = q if own is None else own | q
        else:
            activity = q if activity is None else activity | q
    manager = table.model._default_manager
    own_qs = own_ids = None
    if own is not None:
        own_ids = manager.filter(own).values("pk")
        own_qs = manager.filter(pk__in=own_ids) if distinct else manager.filter(own)
    activity_qs = None
    if activity is not None:
        activity_qs = manager.filter(activity)
        if distinct:
            activity_qs = manager.filter(pk__in=activity_qs.values("pk"))
        if own_ids is not None:
            activity_qs = activity_qs.exclude(pk__in=own_ids)
    return own_qs, activity_qs


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Renderer:
    """Turns database values into what the export shows (see the module's docstring)."""

    def __init__(self, person: Person) -> None:
        self.me = person.user.pk if person.user is not None else None
        self._names: dict[str, dict[Any, str]] = {}
        self.files: list[tuple[Any, str]] = []  # (storage, name) of the person's own files

    def reference_name(self, model: type[models.Model], pk: Any) -> str | None:
        if pk is None:
            return None
        label = model._meta.label
        if label not in self._names:
            self._names[label] = {o.pk: str(o) for o in model._default_manager.iterator()}
        return self._names[label].get(pk, str(pk))

    def account(self, table: Table, pk: Any, row: dict[str, Any]) -> str | None:
        if pk is None:
            return None
        if pk == self.me:
            return YOU
        practice_id = row.get("practice_id")
        if practice_id is not None:
            return self.reference_name(apps.get_model("records.Practice"), practice_id)
        if (
            table.model._meta.app_label in STAFF_APPS
            or table.label in STAFF_TABLES
            or row.get("grant_kind") == "admin"
        ):
            return PRIVACY_STAFF
        return ANOTHER_PERSON

    def m2m_value(self, field: Any, targets: list[Any], table: Table) -> list[Any]:
        if _is_user_model(field.related_model):
            return [self.account(table, pk, {}) for pk in targets]
        if is_reference(field.related_model):
            return [self.reference_name(field.related_model, pk) for pk in targets]
        return targets


def _m2m_targets(field: Any, pks: list[Any]) -> dict[Any, list[Any]]:
    """One query per chunk and many-to-many field: the related ids of each row."""
    through = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    result: dict[Any, list[Any]] = {pk: [] for pk in pks}
    pairs = through._default_manager.filter(**{f"{source}__in": pks}).order_by(target)
    for src, tgt in pairs.values_list(source, target):
        result[src].append(tgt)
    return result


def _iso(value: Any, _row: tuple) -> Any:
    return None if value is None else value.isoformat()


def _text(value: Any, _row: tuple) -> Any:
    return None if value is None else str(value)


def _hex(value: Any, _row: tuple) -> Any:
    return None if value is None else bytes(value).hex()


def _file(value: Any, _row: tuple) -> Any:
    return value or None


Converter = Callable[[Any, tuple], Any] | None


def _converter(table: Table, field: Any, renderer: Renderer, selected: list[str]) -> Converter:
    """How one column's database value becomes the export's, decided once per table
    (None: as it is), so the per-row loop does no type dispatch."""
    related = field.related_model if (field.many_to_one or field.one_to_one) else None
    if related is not None:
        if _is_user_model(related):
            practice = selected.index("practice_id") if "practice_id" in selected else None
            grant = selected.index("grant_kind") if "grant_kind" in selected else None

            def account(value: Any, row: tuple) -> Any:
                context = {}
                if practice is not None:
                    context["practice_id"] = row[practice]
                if grant is not None:
                    context["grant_kind"] = row[grant]
                return renderer.account(table, value, context)

            return account
        if is_reference(related):
            return lambda value, _row: renderer.reference_name(related, value)
        return None
    if isinstance(field, models.FileField):
        return _file
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
        return _iso
    if isinstance(field, models.DecimalField | models.UUIDField | models.DurationField):
        return _text  # a decimal exactly, as the schema says
    if isinstance(field, models.BinaryField):
        return _hex
    return None


def _position_narrower(
    table: Table, renderer: Renderer, selected: list[str]
) -> Callable[[dict[str, Any], str, tuple], None] | None:
    """A table whose subject path is an array of account ids (records.ListAccessLog: a
    list page naming many owners, its other arrays aligned position by position) shows
    the person only their own positions of every array, and never another person's
    account id: in their own rows the ids are "you"; in rows of their activity (a vet's
    list page) each id reads as any account reference does (the practice, or "another
    person")."""
    paths = [s.path for s in subjects_map()[table.label] if s.match == Match.USER_IDS]
    if not paths:
        return None
    arrays = [f.name for f in table.fields if isinstance(f, ArrayField)]
    practice = selected.index("practice_id") if "practice_id" in selected else None

    def narrow(row: dict[str, Any], scope: str, values_row: tuple) -> None:
        kinds = row.get("grant_kinds") or []
        for path in paths:
            ids = row.get(path) or []
            if scope == SCOPE_OWN:
                keep = [i for i, pk in enumerate(ids) if pk == renderer.me]
                for name in arrays:
                    if name in row:
                        row[name] = [row[name][i] for i in keep if i < len(row[name])]
                row[path] = [YOU] * len(keep)
            else:
                row[path] = [
                    renderer.account(
                        table,
                        pk,
                        {
                            "practice_id": None if practice is None else values_row[practice],
                            "grant_kind": kinds[i] if i < len(kinds) else None,
                        },
                    )
                    for i, pk in enumerate(ids)
                ]

    return narrow


def table_rows(table: Table, person: Person, renderer: Renderer) -> Iterator[dict[str, Any]]:
    """The person's rows of one table, rendered, streamed in chunks."""
    own_qs, activity_qs = querysets(table, person)
    concrete = [f for f in table.fields if not f.many_to_many]
    m2m = [f for f in table.fields if f.many_to_many]
    pk_name = table.model._meta.pk.attname
    selected = [f.attname for f in concrete]
    # The key is read even when it is withheld (a session's key is its credential).
    if pk_name not in selected:
        selected.append(pk_name)
    pk_index = selected.index(pk_name)
    in_activity = {
        f.name
        for f in table.fields
        if table.category(f.name) in ACTIVITY_CATEGORIES
        or (
            getattr(f, "related_model", None) is not None
            and (_is_user_model(f.related_model) or is_reference(f.related_model))
        )
    }
    columns = [
        (f.name, i, _converter(table, f, renderer, selected)) for i, f in enumerate(concrete)
    ]
    files = [(i, f.storage) for i, f in enumerate(concrete) if isinstance(f, models.FileField)]
    narrow = _position_narrower(table, renderer, selected)
    for scope, qs in ((SCOPE_OWN, own_qs), (SCOPE_ACTIVITY, activity_qs)):
        if qs is None:
            continue
        shown = columns if scope == SCOPE_OWN else [c for c in columns if c[0] in in_activity]
        shown_m2m = m2m if scope == SCOPE_OWN else [f for f in m2m if f.name in in_activity]
        values = qs.order_by("pk").values_list(*selected).iterator(chunk_size=CHUNK)
        for chunk in _batched(values, CHUNK):
            pks = [values_row[pk_index] for values_row in chunk]
            related = {f.name: _m2m_targets(f, pks) for f in shown_m2m}
            for values_row in chunk:
                row: dict[str, Any] = {"_scope": scope}
                for name, index, convert in shown:
                    value = values_row[index]
                    row[name] = value if convert is None else convert(value, values_row)
                for field in shown_m2m:
                    targets = related[field.name][values_row[pk_index]]
                    row[field.name] = renderer.m2m_value(field, targets, table)
                if narrow is not None:
                    narrow(row, scope, values_row)
                if scope == SCOPE_OWN:
                    for index, storage in files:
                        if values_row[index]:
                            renderer.files.append((storage, values_row[index]))
                yield row
