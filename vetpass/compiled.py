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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

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
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [key])
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        for position, converters, expression in plan.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj = queryset.model.from_db(using, plan.init_list, row[plan.model_fields])
        for populator in plan.populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, queryset: QuerySet[M], using: str) -> _Plan:
        compiler = queryset.filter(pk=_KEY).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params) != [_KEY]:
            raise ValueError(f"CompiledGet: the key must be the only parameter, not {params!r}")
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        fields = klass_info["select_fields"]
        plan = _Plan(
            sql=sql,
            converters=[
                (position, converters, expression)
                for position, (converters, expression) in compiler.get_converters(
                    [column[0] for column in select]
                ).items()
            ],
            model_fields=slice(fields[0], fields[-1] + 1),
            init_list=[column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
            populators=get_related_populators(klass_info, select, using),
        )
        self._plans[using] = plan
        return plan
