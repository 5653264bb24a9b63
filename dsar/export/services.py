"""Writes of the export: start (the DPO's button), build (the task), purge (the beat job),
and the download doors' one rule.

Policy encoded here (issue 8 §5): the copy is "offered through a signed link that expires
in 7 days, then deleted". The link carries a random token; only its sha256 is stored.
Downloading needs the link and, when the person has an account, being signed in as them;
from the privacy centre and the API, being signed in as them is enough.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dsar.models import CaseEventKind, DataSubjectRequest, RequestType, Status
from dsar.personal_data_map import Person
from dsar.services import case_email_send, case_event_record
from vetpass.accounts.models import User

from .archive import write_archive
from .models import DataExport, ExportStatus
from .rows import Table

log = logging.getLogger(__name__)

LINK_VALID = timedelta(days=7)
# A build claimed this long ago whose worker died is claimed again.
STALE_CLAIM = timedelta(hours=1)
EXPORT_TYPES = frozenset(
    {RequestType.ACCESS, RequestType.PORTABILITY, RequestType.CCPA_KNOW_SPECIFIC}
)
WORKING = frozenset({Status.IN_PROGRESS, Status.EXTENDED})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def export_start(*, case: DataSubjectRequest, actor: User | None) -> DataExport:
    """Queue a build of the person's copy; the task runs once the case event is committed."""
    from .tasks import export_build_task

    case = DataSubjectRequest.objects.select_for_update().get(pk=case.pk)
    if case.type not in EXPORT_TYPES:
        raise ValidationError(
            {"type": f"A {case.get_type_display().lower()} request has no export to build."}
        )
    if case.status not in WORKING:
        raise ValidationError({"status": "Start work on the case before building its export."})
    now = timezone.now()
    # A build whose worker died long ago does not block a new one: it is marked failed.
    case.exports.filter(status=ExportStatus.BUILDING, started_at__lt=now - STALE_CLAIM).update(
        status=ExportStatus.FAILED, error="The build stopped without finishing."
    )
    if case.exports.filter(status__in=[ExportStatus.QUEUED, ExportStatus.BUILDING]).exists():
        raise ValidationError({"status": "An export of this case is already being built."})
    export = DataExport.objects.create(request=case, requested_by=actor, created_at=now)
    case_event_record(case, CaseEventKind.EXPORT, actor=actor, text="Export requested")
    export_id = export.pk
    transaction.on_commit(lambda: export_build_task.delay(export_id))
    return export


def _claim(export_id: int, now: datetime) -> bool:
    """Claim the build with a conditional update: a second run (or a duplicate delivery)
    finds it claimed and does nothing; a build whose worker died is claimed again."""
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.BUILDING, started_at__lt=now - STALE_CLAIM
    )
    return bool(
        DataExport.objects.filter(claimable, pk=export_id).update(
            status=ExportStatus.BUILDING, started_at=now, tables_done=0, rows_written=0
        )
    )


def export_build(*, export_id: int) -> DataExport | None:
    """Build the zip, recording progress after each table (committed at once, so the DPO
    and the owner see it), save it through the storage API, then mail the link. Not
    atomic as a whole: progress must be visible while it runs; the end is one transaction."""
    now = timezone.now()
    if not _claim(export_id, now):
        return None
    export = DataExport.objects.select_related("request", "request__subject").get(pk=export_id)
    case = export.request
    person = Person.of(user=case.subject, email=case.email)
    from .rows import tables

    DataExport.objects.filter(pk=export_id).update(tables_total=len(tables()))
    written = 0

    def progress(table: Table, count: int) -> None:
        nonlocal written
        written += count
        DataExport.objects.filter(pk=export_id).update(
            tables_done=F("tables_done") + 1,
            rows_written=written,
            current_table=table.label,
        )

    try:
        with tempfile.TemporaryFile(suffix=".zip") as target:
            write_archive(
                target,
                person=person,
                reference=case.reference,
                jurisdiction=case.jurisdiction,
                generated_at=now,
                on_table=progress,
            )
            size = target.tell()
            target.seek(0)
            name = default_storage.save(
                f"dsar/exports/{case.reference}-{secrets.token_hex(16)}.zip", File(target)
            )
    except Exception as error:
        log.exception("export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"
        )
        raise
    try:
        return _export_ready(export_id=export_id, name=name, size=size)
    except Exception as error:
        # The zip is in storage but no row names it: delete it, or nothing ever would.
        default_storage.delete(name)
        DataExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"
        )
        raise


@transaction.atomic
def _export_ready(*, export_id: int, name: str, size: int) -> DataExport:
    export = DataExport.objects.select_for_update().select_related("request").get(pk=export_id)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    export.status = ExportStatus.READY
    export.file_name = name
    export.file_size = size
    export.token_hash = token_hash(token)
    export.ready_at = now
    export.expires_at = now + LINK_VALID
    export.tables_done = export.tables_total
    export.current_table = ""
    export.save()
    case = export.request
    link = settings.SITE_URL.rstrip("/") + reverse("dsar:export_link", args=[token])
    subject = f"Your copy of your data is ready ({case.reference})"
    body = (
        f"The copy of your data you asked for (request {case.reference}) is ready.\n\n"
        f"Download it here until {export.expires_at:%d %B %Y %H:%M %Z}; then it is deleted:\n"
        f"{link}\n\n"
        + (
            "You will be asked to sign in first: only you can download it.\n"
            if case.subject_id
            else "Keep this link to yourself: anyone with it can download your data.\n"
        )
    )
    case_email_send(case, subject=subject, body=body, actor=None)
    case_event_record(
        case,
        CaseEventKind.EXPORT,
        actor=None,
        text=f"Export ready: {export.rows_written} rows, link valid until "
        f"{export.expires_at:%Y-%m-%d %H:%M}",
    )
    return export


# --- downloads --------------------------------------------------------------------------


def export_for_link(*, token: str, user: User | None) -> DataExport:
    """The export behind an emailed link, for `user` (None: not signed in). Http404 when
    the link is unknown or expired, or the person signed in is not the subject;
    PermissionError when the subject has an account and nobody is signed in."""
    export = (
        DataExport.objects.downloadable()
        .filter(token_hash=token_hash(token))
        .select_related("request")
        .first()
    )
    if export is None:
        raise Http404
    subject_id = export.request.subject_id
    if subject_id is not None:
        if user is None or not user.is_authenticated:
            raise PermissionError("sign in first")
        if user.pk != subject_id:
            raise Http404
    return export


def export_for_owner(*, user: User, reference: str) -> DataExport:
    """The latest downloadable export of the signed-in person's own request."""
    if not user.is_authenticated:
        raise Http404
    export = (
        DataExport.objects.downloadable()
        .filter(request__subject=user, request__reference=reference)
        .select_related("request")
        .order_by("-ready_at")
        .first()
    )
    if export is None:
        raise Http404
    return export


@transaction.atomic
def export_downloaded(*, export: DataExport, user: User | None) -> None:
    """Recorded on the case: when the person took their copy."""
    DataExport.objects.filter(pk=export.pk, downloaded_at=None).update(downloaded_at=timezone.now())
    case_event_record(
        export.request,
        CaseEventKind.EXPORT,
        actor=user if user is not None and user.is_authenticated else None,
        text="Export downloaded",
    )


def export_open(export: DataExport):  # type: ignore[no-untyped-def]
    return default_storage.open(export.file_name, "rb")


# --- expiry -----------------------------------------------------------------------------


def export_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of exports whose link expired, and record it on the case. Safe to
    run twice or in parallel: deleting a missing file does nothing, and the row is marked
    once by a conditional update."""
    now = now or timezone.now()
    due = DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
    deleted = 0
    for export in due.select_related("request").iterator(chunk_size=200):
        # Marked first, the file deleted after the commit: no door can hand out a row
        # whose file is already gone (a download would be a 500).
        with transaction.atomic():
            marked = DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
                deleted_at=now, status=ExportStatus.DELETED, token_hash=""
            )
            if not marked:
                continue
            deleted += 1
            case_event_record(
                export.request,
                CaseEventKind.EXPORT,
                actor=None,
                text="Export file deleted: its link expired",
            )
            if export.file_name:
                transaction.on_commit(
                    partial(default_storage.delete, export.file_name), robust=True
                )
    return deleted
