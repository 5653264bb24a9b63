"""The export of a case: one row per build, with its progress, its file in storage and
its download link (only the sha256 of the link's token is stored)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    DELETED = "deleted", "Expired and deleted"


class DataExportQuerySet(models.QuerySet):
    def downloadable(self, now: object = None) -> DataExportQuerySet:
        """Ready and not yet expired: the rule `DataExport.is_downloadable` states for one."""
        return self.filter(status=ExportStatus.READY, expires_at__gt=now or timezone.now())


class DataExport(models.Model):
    request = models.ForeignKey(
        "dsar.DataSubjectRequest", on_delete=models.CASCADE, related_name="exports"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Progress, written after each table so the DPO and the owner can watch it.
    tables_total = models.PositiveSmallIntegerField(default=0)
    tables_done = models.PositiveSmallIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    current_table = models.CharField(max_length=80, blank=True)

    file_name = models.CharField(max_length=200, blank=True, help_text="The name in storage.")
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="dsar_export_expiry")]

    def __str__(self) -> str:
        return f"Export {self.pk} of case {self.request_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        if not self.tables_total:
            return 0
        return min(99, self.tables_done * 100 // self.tables_total)

    def is_downloadable(self, now: object = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == ExportStatus.READY
            and self.expires_at is not None
            and self.expires_at > now  # type: ignore[operator]
        )
