"""The JSON Schema (draft 2020-12) of the export's data.json, generated from the
personal-data map and the model field types: one definition per table, one property per
exported field, each annotated with its category, lawful basis and retention from the map.

The generated schema is committed as dsar/export/schema.json (a test keeps the two equal)
so another controller can read it without an export, and every zip carries a copy.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models

from dsar.personal_data_map import personal_data_map, subjects_map
from vetpass.privacy import Match

from .rows import SCOPE_ACTIVITY, SCOPE_OWN, WITHHELD, Table, _is_user_model, is_reference, tables

FORMAT = "vetpass-export/1"
SCHEMA_ID = "urn:vetpass:export:1"
SCHEMA_PATH = Path(__file__).with_name("schema.json")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

_INTEGER = (models.AutoField, models.BigAutoField, models.IntegerField, models.SmallAutoField)
_TEXT = (models.CharField, models.TextField)


def _type_of(field: Any) -> dict[str, Any]:
    if field.many_to_many:
        related = field.related_model
        item = (
            {"type": "string"}
            if _is_user_model(related) or is_reference(related)
            else {"type": "integer"}
        )
        return {"type": "array", "items": item}
    if field.many_to_one or field.one_to_one:
        related = field.related_model
        if _is_user_model(related):
            return {
                "type": "string",
                "description": 'An account: "you", the practice\'s name, "VetPass privacy '
                'staff" or "another person" (never another person\'s id).',
            }
        if is_reference(related):
            return {"type": "string", "description": f"The {related._meta.verbose_name}'s name."}
        return {"type": _type_of(related._meta.pk)["type"]}
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, _INTEGER):
        return {"type": "integer"}
    if isinstance(field, models.FloatField):
        return {"type": "number"}
    if isinstance(field, models.DecimalField):
        return {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "A decimal."}
    if isinstance(field, models.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, models.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, models.TimeField):
        return {"type": "string", "format": "time"}
    if isinstance(field, models.DurationField):
        return {"type": "string"}
    if isinstance(field, models.UUIDField):
        return {"type": "string", "format": "uuid"}
    if isinstance(field, models.FileField):
        return {"type": "string", "description": "The file's name; the file is in files/."}
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BinaryField):
        return {"type": "string", "description": "Hexadecimal."}
    if isinstance(field, (*_TEXT, models.GenericIPAddressField)):
        return {"type": "string"}
    raise TypeError(f"No JSON type for {field!r}: teach dsar/export/schema.py")


def _array(table: Table, field: Any) -> dict[str, Any]:
    """An array column: its items typed as its base field; an array of account ids that a
    subject path names (records.ListAccessLog.owners) shows accounts as words, never ids,
    and only the person's own positions of every array in their own rows."""
    if any(s.path == field.name and s.match == Match.USER_IDS for s in subjects_map()[table.label]):
        return {
            "type": "array",
            "items": {"type": "string"},
            "description": 'Accounts: "you" (only your own positions of this row\'s lists), or '
            "as an account reference reads (never another person's id).",
        }
    return {"type": "array", "items": _nullable(_type_of(field.base_field), field.base_field)}


def _nullable(schema: dict[str, Any], field: Any) -> dict[str, Any]:
    # A file column holds "" for no file; the export shows null.
    may_be_null = getattr(field, "null", False) or isinstance(field, models.FileField)
    if may_be_null and "type" in schema and not field.many_to_many:
        schema = {**schema, "type": [schema["type"], "null"]}
    return schema


def _property(table: Table, field: Any) -> dict[str, Any]:
    declared = personal_data_map()[table.label][field.name]
    if isinstance(field, ArrayField):
        schema = _nullable(_array(table, field), field)
    else:
        schema = _nullable(_type_of(field), field)
    schema["x-personal-data"] = declared.personal
    if declared.personal:
        schema["x-category"] = str(declared.category)
        schema["x-lawful-basis"] = str(declared.basis)
        schema["x-retention"] = str(declared.retention)
    return schema


def _definition(table: Table) -> dict[str, Any]:
    withheld = sorted(WITHHELD.get(table.label, ()))
    description = f"{str(table.model._meta.verbose_name_plural).capitalize()} ({table.label})."
    if withheld:
        description += f" Held but not copied (security credentials): {', '.join(withheld)}."
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": ["_scope"],
        "properties": {
            "_scope": {
                "enum": [SCOPE_OWN, SCOPE_ACTIVITY],
                "description": "own: a row about you, whole. activity: a row about someone "
                "else found because of your part in it (you wrote, read or decided it); "
                "only the fields about your part are shown.",
            },
            **{field.name: _property(table, field) for field in table.fields},
        },
    }


@cache
def export_schema() -> dict[str, Any]:
    labels = [t.label for t in tables()]
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "Everything VetPass holds about one person",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "generated_at", "reference", "subject", "tables"],
        "properties": {
            "format": {"const": FORMAT},
            "generated_at": {"type": "string", "format": "date-time"},
            "reference": {"type": "string", "description": "The request's reference."},
            "subject": {
                "type": "object",
                "additionalProperties": False,
                "required": ["email", "has_account"],
                "properties": {"email": {"type": "string"}, "has_account": {"type": "boolean"}},
            },
            "tables": {
                "type": "object",
                "additionalProperties": False,
                "required": labels,
                "properties": {
                    label: {"type": "array", "items": {"$ref": f"#/$defs/{label}"}}
                    for label in labels
                },
            },
        },
        "$defs": {t.label: _definition(t) for t in tables()},
    }


def export_schema_text() -> str:
    return json.dumps(export_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema_file() -> None:
    """Regenerate the committed copy (`python -m` from a Django shell, or the test's hint)."""
    SCHEMA_PATH.write_text(export_schema_text(), encoding="utf-8")
