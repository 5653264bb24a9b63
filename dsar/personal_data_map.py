"""The personal-data map, assembled from every app's `privacy.py` (DESIGN.md rule 3).

Export and erasure are generated from this map; `unclassified_fields()` is what the test
uses to fail when a model field has not been classified.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.apps import apps
from django.db import models

from vetpass.privacy import FieldClass

# The apps whose models hold VetPass's data; third-party tables (sessions, allauth's
# email addresses, celery-beat) are declared in vetpass/third_party_privacy.py.
PROJECT_APPS = ("accounts", "outbox", "consent", "records", "dsar")
DECLARING_MODULES = (
    "vetpass.accounts.privacy",
    "vetpass.outbox.privacy",
    "consent.privacy",
    "records.privacy",
    "dsar.privacy",
)


@cache
def personal_data_map() -> dict[str, dict[str, FieldClass]]:
    result: dict[str, dict[str, FieldClass]] = {}
    for module_name in DECLARING_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        for label, fields in module.PERSONAL_DATA.items():
            if label in result:
                raise ValueError(f"{label} is declared twice in the personal-data map")
            result[label] = dict(fields)
    return result


def model_field_names(model: type[models.Model]) -> list[str]:
    """Concrete fields and many-to-many fields: every column the model owns."""
    names = [f.name for f in model._meta.concrete_fields]
    names += [f.name for f in model._meta.local_many_to_many]
    return names


def project_models() -> list[type[models.Model]]:
    return [
        m
        for app_label in PROJECT_APPS
        for m in apps.get_app_config(app_label).get_models()
        if not m._meta.proxy and not m._meta.auto_created
    ]


def unclassified_fields() -> list[str]:
    mapping = personal_data_map()
    missing = []
    for model in project_models():
        declared = mapping.get(model._meta.label, {})
        for name in model_field_names(model):
            if name not in declared:
                missing.append(f"{model._meta.label}.{name}")
    return missing


def stale_declarations() -> list[str]:
    """Declared fields that no longer exist (a renamed field must be re-classified)."""
    stale = []
    for label, fields in personal_data_map().items():
        try:
            model = apps.get_model(label)
        except LookupError:
            stale.append(label)
            continue
        existing = set(model_field_names(model))
        stale += [f"{label}.{name}" for name in fields if name not in existing]
    return stale
