"""What an erasure will do, before it does it: per table and role, the rows deleted, the
columns anonymised (and how), and the rows kept, with why and until when. Reads only."""

from __future__ import annotations

from typing import Any

from dsar.models import LegalHold
from dsar.personal_data_map import Person
from vetpass.privacy import Action, Role

from . import engine
from .plan import steps
from .retention import kept_until


def erasure_plan_preview(
    person: Person, *, whole_holds: list[LegalHold], scoped_holds: list[LegalHold]
) -> dict[str, Any]:
    held = [h.animal_id for h in scoped_holds if h.animal_id is not None]
    deleted: list[dict[str, Any]] = []
    anonymised: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    files = 0
    for step in steps():
        if step.role == Role.ABOUT:
            continue
        rows = engine.rows_for(step, [person], held)
        if rows is None:
            continue
        plan = step.plan
        remaining = rows
        if plan.row is not None and plan.row.action == Action.DELETE_ROW:
            doomed, remaining = engine.split_kept(step, rows)
            n = doomed.count()
            if n:
                deleted.append({"table": step.label, "role": str(step.role), "rows": n})
                files += len(engine._stored_files(doomed, engine.deleted_file_columns(step)))
            keep_treatment = plan.kept
        else:
            keep_treatment = plan.row
        n_remaining = remaining.count()
        if not n_remaining:
            continue
        if keep_treatment is not None:
            kept.append(
                {
                    "table": step.label,
                    "role": str(step.role),
                    "rows": n_remaining,
                    "why": keep_treatment.reason,
                    "until": kept_until(remaining, keep_treatment),
                }
            )
        columns = {
            name: str(t.action) for name, t in plan.fields.items() if t.action != Action.KEEP
        }
        if columns:
            anonymised.append(
                {
                    "table": step.label,
                    "role": str(step.role),
                    "rows": n_remaining,
                    "fields": columns,
                }
            )
    for hold in scoped_holds:
        kept.append(
            {
                "table": "records.Animal",
                "role": "legal hold",
                "rows": 1,
                "why": f"legal hold #{hold.pk}: {hold.reason}",
                "until": hold.until.isoformat() if hold.until else "until the hold is lifted",
            }
        )
    return {
        "blocked_by": [f"legal hold #{h.pk}: {h.reason}" for h in whole_holds],
        "delete": deleted,
        "anonymise": anonymised,
        "keep": kept,
        "files": files,
    }
