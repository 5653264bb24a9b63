"""DPO casework in the Django admin (issue 8 §4): the queue with its filters and counts,
due dates coloured by urgency and said in words, the case's timeline, and one button per
action. Every button calls a service in dsar.services, which applies the status machine
and records the DPO who acted; nothing on a case is edited by hand."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from consent.admin import DPOOnlyMixin
from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin

from . import services
from .export.services import export_start
from .models import OPEN_STATUSES, CaseEvent, DataExport, DataSubjectRequest, LegalHold, Status
from .selectors import due_q

DUE_SOON_DAYS = 7


def due_in_words(due: date, today: date) -> tuple[str, str]:
    """(words, urgency class) for a due date: said in words, not only in colour."""
    days = (due - today).days
    if days < 0:
        return (f"overdue by {-days} day{'s' if days != -1 else ''}", "overdue")
    if days == 0:
        return ("due today", "overdue")
    if days <= DUE_SOON_DAYS:
        return (f"due in {days} day{'s' if days != 1 else ''}", "due-soon")
    return (f"due in {days} days", "ok")


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("soon", f"Due within {DUE_SOON_DAYS} days"), ("overdue", "Overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        open_cases = queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "soon":
            return open_cases.filter(
                due_q(lte=today + timedelta(days=DUE_SOON_DAYS)) & ~due_q(lt=today)
            )
        if self.value() == "overdue":
            return open_cases.filter(due_q(lt=today))
        return queryset


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "from_status", "to_status", "actor", "text"]
    readonly_fields = ["at", "kind", "from_status", "to_status", "actor", "text"]
    extra = 0
    can_delete = False


class ReasonForm(forms.Form):
    text = forms.CharField(label="Reason", widget=forms.Textarea, required=False)


# action name -> (button label, whether the text is the reason the service requires)
ACTIONS: dict[str, tuple[str, bool]] = {
    "start": ("Start work", False),
    "export": ("Build the export", False),
    "waive": ("Verify without the usual checks (say why)", True),
    "extend": ("Extend, with the reason the subject is told", True),
    "refuse": ("Refuse, with the reason the subject is sent", True),
    "complete": ("Complete", False),
    "note": ("Add an internal note", True),
    "assign_me": ("Assign to me", False),
}


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(DPOOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_owner = "subject_id"
    list_display = ["reference", "type", "status", "jurisdiction", "assignee", "due", "received_at"]
    list_filter = ["type", "status", "jurisdiction", "assignee", DueFilter]
    search_fields = ["reference", "email", "name"]
    list_select_related = ["assignee"]
    inlines = [CaseEventInline]
    change_form_template = "admin/dsar/case_change_form.html"
    change_list_template = "admin/dsar/case_change_list.html"
    readonly_fields = [f.name for f in DataSubjectRequest._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change page is the case file; it changes only through the action buttons.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Answer due", ordering="respond_by")
    def due(self, obj: DataSubjectRequest) -> str:
        if not obj.is_open:
            return obj.get_status_display()
        words, urgency = due_in_words(obj.due_on, timezone.localdate())
        return format_html(
            '<span class="due {}">{} ({})</span>', urgency, obj.due_on.strftime("%d %b %Y"), words
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        today = timezone.localdate()
        counts = DataSubjectRequest.objects.aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            soon=Count(
                "pk",
                filter=Q(status__in=OPEN_STATUSES)
                & due_q(lte=today + timedelta(days=DUE_SOON_DAYS))
                & ~due_q(lt=today),
            ),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES) & due_q(lt=today)),
        )
        return super().changelist_view(request, {**(extra_context or {}), "counts": counts})

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        actions = [
            (name, label, reverse("admin:dsar_case_act", args=[object_id, name]))
            for name, (label, _) in ACTIONS.items()
        ]
        case_pk = int(object_id) if object_id.isdigit() else None
        exports = DataExport.objects.filter(request_id=case_pk).order_by("-created_at", "-pk")
        return super().change_view(
            request,
            object_id,
            form_url,
            {**(extra_context or {}), "case_actions": actions, "exports": exports},
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/act/<str:action>/",
                self.admin_site.admin_view(self.act_view),
                name="dsar_case_act",
            ),
            *super().get_urls(),
        ]

    def act_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if not self.has_view_permission(request) or action not in ACTIONS:
            raise Http404
        case = self.get_object(request, str(pk))  # access-logged, like the case's page
        if case is None:
            raise Http404
        label, needs_text = ACTIONS[action]
        form = ReasonForm(request.POST if request.method == "POST" else None)
        back = reverse("admin:dsar_datasubjectrequest_change", args=[pk])
        if request.method == "POST" and form.is_valid():
            try:
                self._apply(request, case, action, form.cleaned_data["text"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("text", message)
            else:
                messages.success(request, f"{case.reference}: {label.split(',')[0]}.")
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "label": label,
            "needs_text": needs_text,
            "form": form,
            "back": back,
            "title": f"{case.reference}: {label}",
        }
        return TemplateResponse(request, "admin/dsar/case_act.html", context)

    def _apply(
        self, request: HttpRequest, case: DataSubjectRequest, action: str, text: str
    ) -> None:
        dpo: Any = request.user
        if action == "start":
            services.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo, text=text)
        elif action == "waive":
            services.dsar_verify(request=case, actor=dpo, method="waived", waived_reason=text)
        elif action == "extend":
            services.dsar_extend(request=case, actor=dpo, reason=text)
        elif action == "refuse":
            services.dsar_refuse(request=case, actor=dpo, reason=text)
        elif action == "complete":
            services.dsar_transition(request=case, to=Status.COMPLETED, actor=dpo, text=text)
        elif action == "export":
            export_start(case=case, actor=dpo)
        elif action == "note":
            services.dsar_note(request=case, actor=dpo, text=text)
        elif action == "assign_me":
            services.dsar_assign(request=case, assignee=dpo, actor=dpo)


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["subject", "reason", "until"]


@admin.register(LegalHold)
class LegalHoldAdmin(DPOOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    """Holds are placed and lifted through dsar.services, which records who did it; a hold
    is never edited or deleted (lifting keeps the record)."""

    access_log_owner = "subject_id"
    form = LegalHoldForm
    list_display = ["subject", "reason", "until", "placed_by", "placed_at", "lifted_at"]
    list_filter = ["lifted_at"]
    list_select_related = ["subject", "placed_by"]
    autocomplete_fields = ["subject"]
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        placed = services.legal_hold_place(
            subject=obj.subject,
            reason=obj.reason,
            until=obj.until,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = placed.pk

    @admin.action(description="Lift the selected holds")
    def lift(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> None:
        for hold in queryset.filter(lifted_at__isnull=True):
            services.legal_hold_lift(hold=hold, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, "Holds lifted.")
