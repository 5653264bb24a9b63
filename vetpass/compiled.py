"""A query by primary key, compiled once per process (issue 10).

`Animal.objects.select_related("species", "breed", "owner").get(pk=…)` is the first read
of every animal page, and the ORM compiled that same statement again on every request:
two thirds of the read's time went into building SQL that never changes. `CompiledGet`
compiles a queryset's statement once per database, with the primary key as its one
parameter, and turns the row into the very instances the ORM gives (the model with its
select_related objects, every value through the same converters). Only the key changes
from one call to the next; anything else that can change (a date, a user) must not be in
the queryset: its value would be compiled in for the life of the process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

from .prepared import prepared_cursor

M = TypeVar("M", bound=Model)

# A primary key no row has, compiled in as the parameter and replaced by the one asked for.
_KEY = -987654321


@dataclass(frozen=True)
class _Plan:
    sql: str
    converters: list[tuple[int, list[Any], Any]]  # (column, converters, expression)
    model_fields: slice
    init_list: list[str]
    populators: list[Any]


class CompiledGet(Generic[M]):
    """`build().get(pk=key)` (None where there is no such row), the statement compiled
    once per database. `build` returns the queryset without the key: a model's manager
    with select_related, say; it must hold no value that changes between calls."""

    def __init__(self, build: Callable[[], QuerySet[M]]) -> None:
        self._build = build
        self._plans: dict[str, _Plan] = {}

    def get(self, pk: object) -> M | None:
        """The row's instance, or None. A key its field refuses raises as the ORM's
        lookup does (ValueError, TypeError); an integer no key can be finds nothing."""
        queryset = self._build()
        using = queryset.db or router.db_for_read(queryset.model)
        plan = self._plans.get(using) or self._compile(queryset, using)
        connection = connections[using]
        key_field = queryset.model._meta.pk
        assert key_field is not None
        key = key_field.get_prep_value(pk)
        if isinstance(key, int):
            low, high = connection.ops.integer_field_range(key_field.get_internal_type())
            if (low is not None and key < low) or (high is not None and key > high):
                return None
        with prepared_cursor(using) as cursor:
            cursor.execute(plan.sql, [key])
            found = cursor.fetchone()
        if found is None:
            return None
        return _instance(queryset.model, using, plan, connection, found)

    def _compile(self, queryset: QuerySet[M], using: str) -> _Plan:
        compiler = queryset.filter(pk=_KEY).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params) != [_KEY]:
            raise ValueError(f"CompiledGet: the key must be the only parameter, not {params!r}")
        plan = self._plans[using] = _plan(compiler, sql)
        return plan


def _plan(compiler: Any, sql: str) -> _Plan:
    """How a row of the compiled statement becomes the ORM's instances."""
    select, klass_info = compiler.select, compiler.klass_info
    assert klass_info is not None
    fields = klass_info["select_fields"]
    return _Plan(
        sql=sql,
        converters=[
            (position, converters, expression)
            for position, (converters, expression) in compiler.get_converters(
                [column[0] for column in select]
            ).items()
        ],
        model_fields=slice(fields[0], fields[-1] + 1),
        init_list=[column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
        populators=get_related_populators(klass_info, select, compiler.using),
    )


def _instance(model: type[M], using: str, plan: _Plan, connection: Any, found: Any) -> M:
    """The row through the columns' converters, as the model with its related objects."""
    row = list(found)
    for position, converters, expression in plan.converters:
        value = row[position]
        for converter in converters:
            value = converter(value, expression, connection)
        row[position] = value
    obj = model.from_db(using, plan.init_list, row[plan.model_fields])
    for populator in plan.populators:
        populator.populate(row, obj)
    return obj


# Values no row or day has, compiled in for a CompiledQuery's parameters and replaced by
# the values asked for: distinct negative integers, and a day in year 1.
_INT_MARKS = range(-987654001, -987654101, -1)
_DAY_MARK = dt.date(1, 1, 2)


class CompiledQuery(Generic[M]):
    """`build(**values)`'s rows as instances, the statement compiled once per database:
    `build` takes the named parameters (integers, or dates where `days` names them) and
    returns a queryset whose SQL has the same shape whatever their values (no list whose
    length changes, no branch on a value). Each parameter must reach the SQL as itself:
    a filter on a column, not a computed value. For reads the ORM built again on every
    request, as CompiledGet."""

    def __init__(
        self, build: Callable[..., QuerySet[M]], *names: str, days: tuple[str, ...] = ()
    ) -> None:
        self._build = build
        self._names = names
        self._days = days
        self._plans: dict[str, tuple[_Plan, list[tuple[str | None, Any]]]] = {}
        self._model: type[M] | None = None

    def all(self, **values: Any) -> list[M]:
        model = self._model
        using = router.db_for_read(model) if model is not None else None
        if using is None or using not in self._plans:
            # The queryset is built (and compiled) only here: building it was half the cost.
            marks = self._marks()
            queryset = self._build(**marks)
            model = self._model = queryset.model
            using = queryset.db
            self._plans[using] = self._compile(queryset, using, marks)
        assert model is not None
        connection = connections[using]
        plan, slots = self._plans[using]
        params = [
            (
                connection.ops.adapt_datefield_value(values[name])
                if name in self._days
                else values[name]
            )
            if name
            else constant
            for name, constant in slots
        ]
        with prepared_cursor(using) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        return [_instance(model, using, plan, connection, row) for row in rows]

    def _marks(self) -> dict[str, Any]:
        marks: dict[str, Any] = dict(zip(self._names, _INT_MARKS, strict=False))
        marks.update(dict.fromkeys(self._days, _DAY_MARK))
        return marks

    def _compile(
        self, queryset: QuerySet[M], using: str, marks: dict[str, Any]
    ) -> tuple[_Plan, list[tuple[str | None, Any]]]:
        connection = connections[using]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        by_value = {
            (connection.ops.adapt_datefield_value(mark) if name in self._days else mark): name
            for name, mark in marks.items()
        }
        slots = [(by_value.get(param) if _hashable(param) else None, param) for param in params]
        missing = set(marks) - {name for name, _ in slots if name}
        if missing:
            raise ValueError(f"CompiledQuery: {sorted(missing)} do not reach the SQL as themselves")
        return _plan(compiler, sql), slots


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
