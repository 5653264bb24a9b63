"""Reads of exports: the latest export of each of a person's requests, in one query."""

from __future__ import annotations

from collections.abc import Iterable

from dsar.models import DataSubjectRequest

from .models import DataExport


def latest_exports(requests: Iterable[DataSubjectRequest]) -> dict[int, DataExport]:
    by_id = {r.pk: r for r in requests}
    latest: dict[int, DataExport] = {}
    exports = DataExport.objects.filter(request_id__in=list(by_id)).order_by(
        "request_id", "-created_at", "-pk"
    )
    for export in exports:
        if export.request_id not in latest:
            export.request = by_id[export.request_id]  # already loaded: no query per row
            latest[export.request_id] = export
    return latest
