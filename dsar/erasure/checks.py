"""The column check: every action of the erasure map against the schema it runs on, so a
declaration that cannot run fails before anyone relies on it (STYLE.md, "Data that an
engine reads"). Registered as a system check (dsar.E001) and run by the tests on the real
map and on deliberately wrong ones."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models

from dsar.personal_data_map import subjects_map
from vetpass.privacy import Action, Plan, Role, Treatment

from .plan import erasure_map, table_order

# A PROTECT that erasure never hits: the animal under a scoped legal hold is left out of
# the deletion (dsar.erasure.engine.HELD_WITH_ANIMAL), and PROTECT is its backstop.
PROTECT_BY_DESIGN = {("dsar.LegalHold", "animal")}
HASH_LENGTH = 69  # "hmac:" + 64 hex; an erased address is 63 characters


def _path_field(model: type[models.Model], path: str) -> models.Field | None:
    """The field a lookup path ends at, or None when the path does not resolve."""
    try:
        *hops, last = path.split("__")
        for hop in hops:
            field = model._meta.get_field(hop)
            if field.related_model is None:
                return None
            model = field.related_model  # type: ignore[assignment]
        return model._meta.get_field("id" if last == "pk" else last)  # type: ignore[return-value]
    except FieldDoesNotExist:
        return None


def _keep_problems(where: str, model: type[models.Model], t: Treatment) -> list[str]:
    problems = []
    anchor = _path_field(model, t.anchor)
    if not isinstance(anchor, models.DateField):  # DateTimeField is a DateField
        problems.append(f"{where}: retention anchor {t.anchor!r} is not a date column")
    if t.months_setting:
        if not isinstance(getattr(settings, t.months_setting, None), dict):
            problems.append(f"{where}: setting {t.months_setting} is not a table of months")
        if _path_field(model, t.per) is None:
            problems.append(f"{where}: country column {t.per!r} does not exist")
    return problems


def _field_problems(where: str, model: type[models.Model], name: str, t: Treatment) -> list[str]:
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return [f"{where}.{name}: no such column"]
    if not isinstance(found, models.Field) or not found.concrete or found.many_to_many:
        return [f"{where}.{name}: not a column"]
    field: models.Field = found
    at = f"{where}.{name}"
    action = t.action
    if action == Action.SET_NULL and not field.null:
        return [f"{at}: set null on a NOT NULL column"]
    if action == Action.SET_CONSTANT:
        if field.unique:
            return [f"{at}: one constant on a unique column would collide"]
        if t.value is None and not field.null:
            return [f"{at}: constant None on a NOT NULL column"]
        if t.value == "" and not isinstance(field, models.CharField | models.TextField):
            return [f"{at}: an empty string on a non-text column"]
        if isinstance(t.value, bool) and not isinstance(field, models.BooleanField):
            return [f"{at}: a boolean on a non-boolean column"]
        max_length = getattr(field, "max_length", None)
        if isinstance(t.value, str) and max_length and len(t.value) > max_length:
            return [f"{at}: the constant is longer than the column"]
        if field.choices and t.value not in {c[0] for c in field.flatchoices} | {""}:
            return [f"{at}: the constant is not one of the column's choices"]
    if action == Action.KEYED_HASH:
        if not isinstance(field, models.CharField | models.TextField):
            return [f"{at}: a keyed hash needs a text column"]
        if isinstance(field, models.CharField) and (field.max_length or 0) < HASH_LENGTH:
            return [f"{at}: too short for a keyed hash ({HASH_LENGTH} characters)"]
    if action == Action.GENERALISE_DATE and not isinstance(field, models.DateField):
        return [f"{at}: only a date or datetime can be generalised"]
    # A FileField, or a CharField holding a name in default storage (the export's zip).
    if action == Action.DELETE_FILE and not isinstance(field, models.FileField | models.CharField):
        return [f"{at}: delete file on a column that stores no file"]
    if action == Action.KEEP:
        return _keep_problems(at, model, t)
    return []


def _deletes(plan: Plan) -> bool:
    return plan.row is not None and plan.row.action == Action.DELETE_ROW


def _keeps(plan: Plan) -> bool:
    return (plan.row is not None and plan.row.action == Action.KEEP) or bool(plan.keep_when)


def _on_delete_problems(mapping: dict[str, dict[Role, Plan]]) -> list[str]:
    """Deleting a table's rows must not hit a PROTECT (the referencing table is emptied
    first, in the engine's order) nor cascade into rows that a plan keeps."""
    problems = []
    order = table_order(list(mapping))
    for label, plans in mapping.items():
        model = apps.get_model(label)
        for role, plan in plans.items():
            if not _deletes(plan):
                continue
            for rel in model._meta.related_objects:
                if rel.many_to_many or rel.related_model is model:
                    continue
                child = rel.related_model._meta.label
                on_delete = rel.on_delete  # type: ignore[attr-defined]
                child_plan = mapping.get(child, {}).get(role)
                at = f"{label} ({role}) <- {child}.{rel.field.name}"
                if on_delete in (models.PROTECT, models.RESTRICT):
                    if (child, rel.field.name) in PROTECT_BY_DESIGN:
                        continue
                    if child_plan is None or not _deletes(child_plan) or child_plan.keep_when:
                        problems.append(f"{at}: PROTECT, and erasure does not delete those rows")
                    elif order.index(child) > order.index(label):
                        problems.append(f"{at}: PROTECT, and {child} is emptied after {label}")
                elif on_delete is models.CASCADE and child_plan is not None:
                    if not _keeps(child_plan):
                        continue
                    covered = {
                        f"{rel.field.related_query_name()}__{k}": v
                        for k, v in child_plan.keep_when.items()
                    }
                    if not child_plan.keep_when or any(
                        plan.keep_when.get(k, object()) != v for k, v in covered.items()
                    ):
                        problems.append(f"{at}: CASCADE into rows that {child} keeps")
                elif (
                    on_delete is models.DO_NOTHING
                    and rel.field.db_constraint
                    and (child_plan is None or not _deletes(child_plan))
                ):
                    problems.append(f"{at}: DO_NOTHING with a constraint would fail")
    return problems


def erasure_map_problems(mapping: dict[str, dict[Role, Plan]] | None = None) -> list[str]:
    mapping = erasure_map() if mapping is None else mapping
    subjects = subjects_map()
    problems: list[str] = []
    for label, plans in mapping.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            problems.append(f"{label}: no such model")
            continue
        declared_roles = {s.role for s in subjects.get(label, ())}
        for role, plan in plans.items():
            where = f"{label} ({role})"
            if role != Role.ABOUT and role not in declared_roles:
                problems.append(f"{where}: no subject path of this role finds its rows")
            for t in (plan.row, plan.kept):
                if t is not None and t.action == Action.KEEP:
                    problems += _keep_problems(where, model, t)
            if plan.keep_when:
                try:
                    str(model._default_manager.filter(**plan.keep_when).query)
                except (FieldError, FieldDoesNotExist, ValueError) as error:
                    problems.append(f"{where}: keep_when does not resolve ({error})")
            for name, t in plan.fields.items():
                problems += _field_problems(where, model, name, t)
    problems += _on_delete_problems(mapping)
    return problems


def roles_without_a_plan() -> list[str]:
    mapping = erasure_map()
    return [
        f"{label} ({s.role})"
        for label, paths in subjects_map().items()
        for s in paths
        if s.role not in mapping.get(label, {})
    ]


@register()
def erasure_map_runs(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(problem, id="dsar.E001")
        for problem in erasure_map_problems() + roles_without_a_plan()
    ]
