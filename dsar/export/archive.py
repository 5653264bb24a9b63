"""The zip, written entry by entry to a temporary file so memory stays flat whatever the
size of the account: rows are read in chunks and each is written to data.json (an open
zip entry) and to its table's CSV (a temporary file, added to the zip once data.json is
closed: a zip has one open entry at a time), then the schema, the summary and the files.

    data.json     everything held about the person (validates against schema.json)
    schema.json   JSON Schema draft 2020-12 (dsar.export.schema)
    csv/<table>.csv
    summary.html  the Art. 15 answers (dsar.export.summary)
    files/...     the person's own documents and photos
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from dsar.personal_data_map import Person

from . import summary
from .rows import Renderer, Table, table_rows, tables
from .schema import FORMAT, export_schema_text

log = logging.getLogger(__name__)


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
dumps = _encoder.encode


def _json(value: Any) -> str:
    return dumps(value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        return _json(value)
    return value


def write_archive(
    target: Any,
    *,
    person: Person,
    reference: str,
    jurisdiction: str,
    generated_at: datetime,
    on_table: Callable[[Table, int], None] | None = None,
) -> dict[str, int]:
    """Write the zip to `target` (a binary file); return the row count per table."""
    counts: dict[str, int] = {}
    renderer = Renderer(person)
    with (
        tempfile.TemporaryDirectory(prefix="vetpass-export-") as tmp,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        csv_paths: list[tuple[str, Path]] = []
        with archive.open("data.json", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            head = {
                "format": FORMAT,
                "generated_at": generated_at.isoformat(),
                "reference": reference,
                "subject": {"email": person.email, "has_account": person.user is not None},
            }
            out.write(_json(head)[:-1] + ',"tables":{')
            for number, table in enumerate(tables()):
                path = Path(tmp) / f"{table.label}.csv"
                csv_paths.append((table.label, path))
                columns = ["_scope", *table.names]
                count = 0
                out.write(("," if number else "") + _json(table.label) + ":[")
                with path.open("w", encoding="utf-8", newline="") as sheet:
                    writer = csv.writer(sheet)
                    writer.writerow(columns)
                    for row in table_rows(table, person, renderer):
                        out.write(("," if count else "") + "\n" + dumps(row))
                        # None is written as an empty cell; lists and objects as text.
                        writer.writerow(
                            [
                                _csv_cell(v) if isinstance(v, list | dict) else v
                                for v in (row.get(c) for c in columns)
                            ]
                        )
                        count += 1
                out.write("]")
                counts[table.label] = count
                if on_table is not None:
                    on_table(table, count)
            out.write("}}\n")
            out.flush()
            out.detach()
        for label, path in csv_paths:
            archive.write(path, f"csv/{label}.csv")
        archive.writestr("schema.json", export_schema_text())
        archive.writestr(
            "summary.html",
            render_summary(
                person=person,
                reference=reference,
                jurisdiction=jurisdiction,
                generated_at=generated_at,
                counts=counts,
            ),
        )
        _copy_files(archive, renderer.files)
    return counts


def render_summary(
    *,
    person: Person,
    reference: str,
    jurisdiction: str,
    generated_at: datetime,
    counts: dict[str, int],
) -> str:
    facts = [summary.table_facts(t, counts.get(t.label, 0)) for t in tables()]
    return render_to_string(
        "dsar/export/summary.html",
        {
            "reference": reference,
            "email": person.email,
            "generated_at": generated_at,
            "purposes": summary.purposes(),
            "bases_by_category": summary.bases_by_category(facts),
            "tables": facts,
            "recipients": summary.recipients(person),
            "sources": summary.sources(person),
            "rights": summary.RIGHTS,
            "complaint_authority": summary.complaint_authority(jurisdiction),
        },
    )


def _copy_files(archive: zipfile.ZipFile, files: list[tuple[Any, str]]) -> None:
    seen: set[str] = set()
    for storage, name in files:
        if name in seen:
            continue
        seen.add(name)
        try:
            source = storage.open(name, "rb")
        except FileNotFoundError:
            log.warning("export: a stored file is missing: %s", name)
            continue
        with source, archive.open(f"files/{name}", "w", force_zip64=True) as entry:
            shutil.copyfileobj(source, entry, length=1024 * 1024)
