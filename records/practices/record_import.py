"""Importing a practice's records for a client, in answer to a record request.

Format (CSV with a header row, UTF-8; or JSON: a list of objects with the same keys):

    animal        VetPass animal id, or the animal's microchip number (required)
    kind          vaccination | clinical_note | weight | medication | allergy |
                  lab_result | examination (required; documents are uploaded one by one)
    date          YYYY-MM-DD, not in the future (required)
    title, notes  free text
    vaccine_product, manufacturer, batch_number, next_due_on     (vaccination)
    weight_value, weight_unit (kg, g or lb)                       (weight)
    medication_name, dose, ends_on                                (medication)
    allergen, severity                                            (allergy)
    test_name, result                                             (lab_result)

Every row is checked first (a dry run). Errors are reported by line — the CSV line number
counting the header as line 1, or the position in the JSON list counting from 1 — and
nothing is imported until the whole file is clean; then all rows go in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from ..models import Animal, Entry, EntryKind, EntrySource, Practice
from ..models.entries import KIND_FIELDS
from ..validators import normalise_microchip

IMPORTABLE_KINDS = [k for k in EntryKind.values if k != EntryKind.DOCUMENT]
DATE_FIELDS = {"date", "next_due_on", "ends_on"}
KNOWN_COLUMNS = {"animal", "kind", "date", "title", "notes"} | {
    f for fs in KIND_FIELDS.values() for f in fs if f not in ("document", "document_type")
}
MAX_ROWS = 5000


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, {self.field}: {self.message}"


@dataclass
class ImportRow:
    line: int
    animal: Animal
    data: dict[str, Any]

    @property
    def summary(self) -> str:
        kind = EntryKind(self.data["kind"]).label
        return f"{self.animal.name}: {kind} on {self.data['occurred_on']}"


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.errors


def read_rows(
    content: bytes, filename: str = ""
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Parse CSV or JSON into (line, row) pairs."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "file", "The file is not UTF-8 text.")]
    stripped = text.lstrip()
    is_json = filename.lower().endswith(".json") or stripped.startswith(("[", "{"))
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [RowError(exc.lineno, "file", f"Not valid JSON: {exc.msg}.")]
        if not isinstance(data, list):
            return [], [RowError(1, "file", "The JSON must be a list of records.")]
        rows = []
        errors = []
        for i, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                errors.append(RowError(i, "record", "Each record must be an object."))
            else:
                rows.append((i, {str(k): v for k, v in item.items()}))
        return rows, errors
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        return [], [RowError(1, "file", "The file is empty.")]
    unknown = [c for c in reader.fieldnames if c and c.strip() not in KNOWN_COLUMNS]
    if unknown:
        return [], [RowError(1, "header", f"Unknown column(s): {', '.join(unknown)}.")]
    rows = []
    for row in reader:
        rows.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}))
    return rows, []


def _parse_date(value: Any) -> date:
    return date.fromisoformat(str(value).strip())


def validate_rows(rows: list[tuple[int, dict[str, Any]]], animals: list[Animal]) -> ImportResult:
    result = ImportResult()
    if len(rows) > MAX_ROWS:
        result.errors.append(RowError(0, "file", f"At most {MAX_ROWS} records per file."))
        return result
    if not rows:
        result.errors.append(RowError(0, "file", "The file has no records."))
        return result
    by_id = {str(a.pk): a for a in animals}
    by_chip = {a.microchip: a for a in animals if a.microchip}
    for line, raw in rows:
        errors: list[RowError] = []
        unknown = set(raw) - KNOWN_COLUMNS
        for name in sorted(unknown):
            errors.append(RowError(line, name, "Unknown field."))
        ref = str(raw.get("animal") or "").strip()
        animal = by_id.get(ref) or by_chip.get(normalise_microchip(ref)) if ref else None
        if animal is None:
            errors.append(
                RowError(line, "animal", "No animal of this client with this id or microchip.")
            )
        kind = str(raw.get("kind") or "").strip()
        if kind not in IMPORTABLE_KINDS:
            errors.append(RowError(line, "kind", f"Choose one of: {', '.join(IMPORTABLE_KINDS)}."))
        data: dict[str, Any] = {"kind": kind}
        for name, value in raw.items():
            if name in ("animal", "kind") or name in unknown:
                continue
            if value in (None, ""):
                continue
            target = "occurred_on" if name == "date" else name
            if name in DATE_FIELDS:
                try:
                    data[target] = _parse_date(value)
                except ValueError:
                    errors.append(RowError(line, name, "Enter a date as YYYY-MM-DD."))
                continue
            if name == "weight_value":
                try:
                    data[target] = Decimal(str(value))
                except InvalidOperation:
                    errors.append(RowError(line, name, "Enter a number."))
                continue
            data[target] = str(value)
        if "occurred_on" not in data and not any(e.field == "date" for e in errors):
            errors.append(RowError(line, "date", "Enter the date."))
        if kind in IMPORTABLE_KINDS:
            allowed = set(KIND_FIELDS.get(kind, ()))
            for name in list(data):
                if name not in ("kind", "occurred_on", "title", "notes") and name not in allowed:
                    errors.append(RowError(line, name, f"Not a field of a {kind} record."))
        if not errors and animal is not None:
            entry = Entry(animal=animal, source=EntrySource.IMPORT, **data)
            try:
                entry.full_clean(exclude=["animal", "author", "practice"])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    label = "date" if name == "occurred_on" else name
                    errors.extend(RowError(line, label, m) for m in messages)
        if errors:
            result.errors.extend(errors)
        elif animal is not None:
            result.rows.append(ImportRow(line=line, animal=animal, data=data))
    return result


def records_import(
    *,
    content: bytes,
    filename: str,
    animals: list[Animal],
    practice: Practice,
    author: User,
    dry_run: bool,
) -> ImportResult:
    """Check the file; unless it is a dry run and only when every row is clean, add all
    its records in one transaction (source "import", the practice and author set)."""
    rows, errors = read_rows(content, filename)
    if errors:
        return ImportResult(errors=errors)
    result = validate_rows(rows, animals)
    if dry_run or not result.is_clean:
        return result
    # Every row passed full_clean in validate_rows: one INSERT per 500 rows, not a save each.
    with transaction.atomic():
        Entry.objects.bulk_create(
            [
                Entry(
                    animal=row.animal,
                    author=author,
                    source=EntrySource.IMPORT,
                    practice=practice,
                    **row.data,
                )
                for row in result.rows
            ],
            batch_size=500,
        )
        activity_record(user=author, kind=ActivityKind.RECORD_CHANGE)
    result.imported = len(result.rows)
    return result
