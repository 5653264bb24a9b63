"""The export task on a real Celery worker (issue 8 §5: "built in a Celery task"): the
DPO's button queues the build after commit on the configured broker, a separate worker
process builds the zip against the same database and storage, and the progress and the
file are there when it is done."""

from __future__ import annotations

import io
import json
import signal
import time
import zipfile

from django.core.files.storage import default_storage

from dsar import services as svc
from dsar.export.models import DataExport, ExportStatus
from dsar.export.services import export_start
from dsar.models import Status
from tests.dsar.conftest import case_for
from tests.dsar.worker import real_worker  # noqa: F401 - the fixture


def test_the_export_is_built_by_a_real_worker(real_worker, alice, rex, dpo):  # noqa: F811
    from datetime import UTC, datetime

    case = case_for(alice, datetime.now(UTC))
    case = svc.dsar_verify(request=case, actor=alice, method=svc.REAUTHENTICATION)
    case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
    export = export_start(case=case, actor=dpo)  # committed: transactional test

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (ExportStatus.READY, ExportStatus.FAILED):
            break
        assert real_worker.poll() is None, real_worker.stdout.read()  # type: ignore[union-attr]
        time.sleep(0.5)
    assert export.status == ExportStatus.READY, export.error or export.status
    assert export.tables_done == export.tables_total > 0
    with default_storage.open(export.file_name, "rb") as f:
        data = json.loads(zipfile.ZipFile(io.BytesIO(f.read())).read("data.json"))
    assert [a["name"] for a in data["tables"]["records.Animal"]] == ["Rex"]
    assert DataExport.objects.filter(pk=export.pk, started_at__isnull=False).exists()
    # Built by the worker process, not eagerly in this one.
    real_worker.send_signal(signal.SIGTERM)
    log = real_worker.communicate(timeout=30)[0]
    assert "Task dsar.export_build" in log and "succeeded" in log, log[-2000:]
