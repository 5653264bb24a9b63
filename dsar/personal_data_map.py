"""The personal-data map, assembled from every app's `privacy.py` (DESIGN.md rule 3).

Export and erasure are generated from this map; `unclassified_fields()` is what the test
uses to fail when a model field has not been classified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Q, QuerySet

from vetpass.accounts.models import User
from vetpass.privacy import FieldClass, Match, Subject

# The apps whose models hold VetPass's data; third-party tables (sessions, allauth's
# email addresses, celery-beat) are declared in vetpass/third_party_privacy.py, and the
# completeness test runs over every installed model.
PROJECT_APPS = ("accounts", "outbox", "consent", "records", "dsar")
DECLARING_MODULES = (
    "vetpass.third_party_privacy",
    "vetpass.accounts.privacy",
    "vetpass.outbox.privacy",
    "consent.privacy",
    "records.privacy",
    "dsar.privacy",
    "dsar.export.privacy",
)


@cache
def personal_data_map() -> dict[str, dict[str, FieldClass]]:
    result: dict[str, dict[str, FieldClass]] = {}
    for module_name in DECLARING_MODULES:
        module = import_module(module_name)
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


def installed_models() -> list[type[models.Model]]:
    """Every table the project creates, ours and the libraries' alike. An unmanaged model
    is a database view over declared tables (records.AccessRead), holding nothing itself."""
    return [
        m
        for m in apps.get_models()
        if not m._meta.proxy and not m._meta.auto_created and m._meta.managed
    ]


def unclassified_fields() -> list[str]:
    mapping = personal_data_map()
    missing = []
    for model in installed_models():
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


# --- Whose rows: subject paths -------------------------------------------------------------


@cache
def subjects_map() -> dict[str, tuple[Subject, ...]]:
    result: dict[str, tuple[Subject, ...]] = {}
    for module_name in DECLARING_MODULES:
        for label, subjects in import_module(module_name).SUBJECTS.items():
            if label in result:
                raise ValueError(f"{label}'s subject paths are declared twice")
            result[label] = tuple(subjects)
    return result


def models_without_subjects() -> list[str]:
    """Installed models whose subject paths are not declared (an empty tuple is a
    declaration: no row of it belongs to anyone)."""
    declared = subjects_map()
    return [m._meta.label for m in installed_models() if m._meta.label not in declared]


@dataclass(frozen=True)
class Person:
    """Whom a request is about: an account, an address, or both."""

    email: str
    user: User | None = None

    @classmethod
    def of(cls, *, email: str = "", user: User | None = None) -> Person:
        if user is not None and not email:
            email = user.email
        return cls(email=email.strip(), user=user)

    def ledger_keys(self) -> list[str]:
        from consent.services import subject_key_for

        keys = [subject_key_for(self.email)] if self.email else []
        if self.user is not None:
            keys.append(subject_key_for(self.user))
        return keys


def subject_q(model: type[models.Model], subject: Subject, person: Person) -> Q | None:
    """The filter that finds the person's rows along one path, or None when the person
    cannot be found that way (no account, no address)."""
    if subject.match == Match.USER:
        if person.user is None:
            return None
        return Q(**{subject.path: person.user.pk})
    if subject.match == Match.USER_IDS:
        if person.user is None:
            return None
        return user_ids_q(subject.path, [person.user.pk])
    if subject.match == Match.LEDGER_KEY:
        return Q(**{f"{subject.path}__in": person.ledger_keys()})
    if not person.email:
        return None
    field = _last_field(model, subject.path)
    if isinstance(field, models.JSONField):
        # A JSON list of addresses: match the quoted address, not a longer one holding it.
        return Q(**{f"{subject.path}__icontains": f'"{person.email}"'})
    return Q(**{f"{subject.path}__iexact": person.email})


def user_ids_q(path: str, ids: list[int]) -> Q:
    """Rows whose array of account ids names any of these (`&&`, served by a GIN index).
    Only PostgreSQL writes such rows (records.ListAccessLog): elsewhere nothing matches."""
    if connection.vendor != "postgresql":
        return Q(pk__in=[])
    return Q(**{f"{path}__overlap": ids})


def _last_field(model: type[models.Model], path: str) -> Any:
    """The field a lookup path ends at (`animal__owner` on Entry: Animal.owner)."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model  # type: ignore[assignment]
    return model._meta.get_field("id" if last == "pk" else last)


def querysets_for(person: Person) -> Iterator[tuple[type[models.Model], Subject, QuerySet]]:
    """Each declared path's rows for the person: what export reads and erasure changes."""
    for label, subjects in subjects_map().items():
        model = apps.get_model(label)
        for subject in subjects:
            q = subject_q(model, subject, person)
            if q is not None:
                yield model, subject, model._default_manager.filter(q)
