"""The erasure map, assembled from every app's `privacy.py` ERASURE beside its
PERSONAL_DATA and SUBJECTS, and put in the order the engine runs it.

Order: a table that references another is handled before it (Favorite before the
ClientRegistration it PROTECTs, Entry before its Animal), and the account row last; the
order is computed from the schema's foreign keys, not written by hand."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.db import models

from dsar.personal_data_map import DECLARING_MODULES, subjects_map
from vetpass.privacy import Plan, Role, Subject


@cache
def erasure_map() -> dict[str, dict[Role, Plan]]:
    result: dict[str, dict[Role, Plan]] = {}
    for module_name in DECLARING_MODULES:
        for label, plans in getattr(import_module(module_name), "ERASURE", {}).items():
            if label in result:
                raise ValueError(f"{label}'s erasure is declared twice")
            result[label] = dict(plans)
    return result


@dataclass(frozen=True)
class Step:
    """One table and one role: the paths that find the person's rows, and what to do."""

    model: type[models.Model]
    role: Role
    plan: Plan
    subjects: tuple[Subject, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


def table_order(labels: list[str]) -> list[str]:
    """Referencing tables before the tables they reference (a stable topological sort)."""
    declared = set(labels)
    parents: dict[str, set[str]] = {}
    for label in labels:
        model = apps.get_model(label)
        parents[label] = {
            f.related_model._meta.label
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        } & declared - {label}
    ordered: list[str] = []
    remaining = list(labels)
    while remaining:
        # a table no remaining table references
        ready = [label for label in remaining if not any(label in parents[o] for o in remaining)]
        if not ready:
            raise ValueError(f"the erasure map's foreign keys form a cycle: {remaining}")
        ordered += ready
        remaining = [label for label in remaining if label not in ready]
    return ordered


@cache
def steps() -> tuple[Step, ...]:
    mapping = erasure_map()
    subjects = subjects_map()
    result = []
    for label in table_order(list(mapping)):
        model = apps.get_model(label)
        for role, plan in mapping[label].items():
            paths = tuple(s for s in subjects.get(label, ()) if s.role == role)
            result.append(Step(model=model, role=role, plan=plan, subjects=paths))
    return tuple(result)
