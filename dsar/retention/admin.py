"""The retention sweep in the DPO's admin: upcoming notices and removals by month (a chart),
the last runs with their counts and durations, and every notice with its dates. All
read-only: the sweep is the one writer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from consent.admin import DPOOnlyMixin
from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin

from ..models import InactivityNotice, RetentionRun
from . import notices
from .forecast import retention_forecast


def took(run: RetentionRun) -> str:
    if run.finished_at is None:
        return "running (or stopped)"
    return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"


@admin.register(InactivityNotice)
class InactivityNoticeAdmin(
    DPOOnlyMixin, AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    access_log_owner = "owner_id"
    list_display = [
        "owner",
        "state",
        "period_start",
        "created_at",
        "sent_at",
        "removal_at",
        "closed_at",
        "held_reason",
    ]
    list_filter = ["state"]
    actions = ["send_again"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    change_list_template = "admin/dsar/retention_change_list.html"

    @admin.action(description="Send the notice again (undeliverable ones)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[InactivityNotice]) -> None:
        sent = 0
        for notice in queryset:
            try:
                notices.notice_resend(notice=notice, actor=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                self.message_user(request, f"{notice}: {error.messages[0]}", messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(request, f"{sent} notice(s) queued again, with a new date.")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        forecast = retention_forecast()
        peak = max([1, *(max(m.notices, m.removals) for m in forecast)])
        runs = list(RetentionRun.objects.filter(dry_run=False).order_by("-started_at")[:5])
        for run in runs:
            run.took = took(run)  # type: ignore[attr-defined]
        context = {**(extra_context or {}), "forecast": forecast, "peak": peak, "runs": runs}
        return super().changelist_view(request, context)


@admin.register(RetentionRun)
class RetentionRunAdmin(DPOOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "duration", "noticed", "reminded", "removed", "held", "skipped"]

    @admin.display(description="took")
    def duration(self, run: RetentionRun) -> str:
        return took(run)

    def _count(self, run: RetentionRun, key: str) -> int:
        return int(run.counts.get(key, 0))

    @admin.display(description="noticed")
    def noticed(self, run: RetentionRun) -> int:
        return self._count(run, "noticed")

    @admin.display(description="reminded")
    def reminded(self, run: RetentionRun) -> int:
        return self._count(run, "reminded")

    @admin.display(description="removed")
    def removed(self, run: RetentionRun) -> int:
        return self._count(run, "removed") + self._count(run, "unconfirmed_removed")

    @admin.display(description="held")
    def held(self, run: RetentionRun) -> int:
        return self._count(run, "held")

    @admin.display(description="skipped (undeliverable)")
    def skipped(self, run: RetentionRun) -> int:
        return self._count(run, "skipped")
