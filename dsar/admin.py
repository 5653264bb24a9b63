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
from django.utils.html import format_html, format_html_join

from consent.admin import DPOOnlyMixin
from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin, is_dpo_request
from vetpass.outbox.models import OutboxEmail

from . import casework, deadlines, intake, services
from .erasure import services as erasure
from .export.services import EXPORT_TYPES, export_start
from .export.services import WORKING as EXPORT_WORKING
from .forms import RectificationForm, WithdrawalForm
from .models import (
    OPEN_STATUSES,
    CaseEvent,
    Channel,
    DataExport,
    DataSubjectRequest,
    LegalHold,
    PracticeNotice,
    PracticeSubscriptionEnd,
    RequestType,
    Status,
)
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
    verbose_name = "timeline entry"
    verbose_name_plural = "Timeline (every event and every email sent)"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The case's own timeline: whoever may open the case reads it (the DPO backend
        # gives no model permission on case events).
        return is_dpo_request(request)


class PracticeNoticeInline(DPOOnlyMixin, ReadOnlyAdminMixin, admin.TabularInline):
    """The practices told of an erasure (Art. 17(2), 19) and whether they acknowledged."""

    model = PracticeNotice
    fields = ["practice", "why", "sent_at", "acknowledged_at"]
    readonly_fields = ["practice", "why", "sent_at", "acknowledged_at"]
    extra = 0
    can_delete = False


def erasure_preview_lines(preview: dict[str, Any]) -> list[str]:
    lines = [f"Blocked by {hold}." for hold in preview["blocked_by"]]
    if preview["already_erased"]:
        lines.append("This person was already erased: running it again changes nothing.")
    lines += [f"Delete {d['rows']} × {d['table']} ({d['role']})." for d in preview["delete"]]
    lines += [
        f"Anonymise {a['rows']} × {a['table']}: "
        + ", ".join(f"{name} ({how})" for name, how in a["fields"].items())
        + "."
        for a in preview["anonymise"]
    ]
    lines += [
        f"Keep {k['rows']} × {k['table']} ({k['role']}) until {k['until']}: {k['why']}."
        for k in preview["keep"]
    ]
    lines.append(f"Stored files to delete: {preview['files']}.")
    return lines


class ReasonForm(forms.Form):
    text = forms.CharField(label="Reason", widget=forms.Textarea, required=False)


# action name -> (button label, whether the text is the reason the service requires)
ACTIONS: dict[str, tuple[str, bool]] = {
    "start": ("Start work", False),
    "export": ("Build the export", False),
    "waive": ("Verify without the usual checks (say why)", True),
    "extend": ("Extend, with the reason the subject is told", True),
    "refuse": ("Refuse, with the reason the subject is sent", True),
    "complete": ("Complete, with the reply emailed to the subject", True),
    "note": ("Add an internal note", True),
    "assign_me": ("Assign to me", False),
    "restrict": ("Restrict the subject's processing (Art. 18), with the reason", True),
    "lift_restriction": ("Lift the subject's restriction, with the reason", True),
    "rectify": ("Apply a rectification to the subject's profile", False),
    "object_marketing": ("Record an objection to direct marketing on the ledger", False),
    "withdraw_consent": ("Record a withdrawal of consent on the ledger", False),
    "send_link": ("Send the verification link (a request entered by staff)", False),
    "erasure_preview": ("Preview erasure", False),
    "erasure_run": ("Run erasure (cannot be undone)", False),
}
# Actions that ask for more than a reason (dsar/forms.py); the rest use ReasonForm.
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "rectify": RectificationForm,
    "withdraw_consent": WithdrawalForm,
}
# What the text box is called where it is not a reason.
TEXT_LABELS = {"complete": "Reply emailed to the subject"}


_UNVERIFIED = frozenset({Status.RECEIVED, Status.AWAITING_VERIFICATION})


def action_offered(case: DataSubjectRequest, action: str) -> bool:
    """Whether the case page shows the button: only what can apply to the case now, so
    the DPO is not offered a dozen buttons (the services refuse the rest anyway). An
    action not listed here is always shown."""
    subject = case.subject
    on_account = subject is not None and case.status in casework.WORKABLE
    restricted = subject is not None and subject.restricted_at is not None
    offered = {
        "start": case.status == Status.VERIFIED,
        "waive": case.status in _UNVERIFIED,
        "send_link": case.channel == Channel.STAFF and case.status == Status.RECEIVED,
        "extend": case.status == Status.IN_PROGRESS and case.type != RequestType.CCPA_OPT_OUT,
        "refuse": case.is_open,
        "complete": case.status in (Status.IN_PROGRESS, Status.EXTENDED),
        "export": case.type in EXPORT_TYPES and case.status in EXPORT_WORKING,
        "restrict": on_account and not restricted,
        "lift_restriction": on_account and restricted,
        "rectify": on_account,
        "object_marketing": case.status in casework.WORKABLE,
        "withdraw_consent": case.status in casework.WORKABLE,
        "erasure_preview": case.type in erasure.ERASURE_TYPES and case.is_open,
        "erasure_run": case.type in erasure.ERASURE_TYPES
        and case.status in (Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED),
    }
    return offered.get(action, True)


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(DPOOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_owner = "subject_id"
    list_display = ["reference", "type", "status", "jurisdiction", "assignee", "due", "received_at"]
    list_filter = ["type", "status", "jurisdiction", "assignee", DueFilter]
    search_fields = ["reference", "email", "name"]
    list_select_related = ["assignee"]
    inlines = [CaseEventInline, PracticeNoticeInline]
    change_form_template = "admin/dsar/case_change_form.html"
    change_list_template = "admin/dsar/case_change_list.html"
    readonly_fields = [
        *(f.name for f in DataSubjectRequest._meta.concrete_fields),
        "deadlines_in_words",
        "emails_sent",
    ]

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

    @admin.display(description="Deadlines")
    def deadlines_in_words(self, obj: DataSubjectRequest) -> str:
        """Ours, the law's last day beside it (we do not roll past a weekend; the law
        would), and for an opt-out of sale or sharing the 15-day date it is acted on by."""
        if obj.pk is None:
            return ""
        received = timezone.localdate(obj.received_at)
        rows: list[tuple[str, date]] = [("Answer due", obj.due_on)]
        legal = deadlines.legal_last_day(obj.due_on)
        if legal != obj.due_on:
            rows.append(("Legal last day (after the weekend)", legal))
        if obj.status != Status.EXTENDED and obj.extended_respond_by != obj.respond_by:
            rows.append(
                ("Latest date if extended (tell the subject first)", obj.extended_respond_by)
            )
        if obj.acknowledge_by is not None:
            rows.append(("Receipt confirmed by", obj.acknowledge_by))
        if obj.type == RequestType.CCPA_OPT_OUT:
            rows.append(
                (
                    "Opt-out of sale or sharing acted on by (15 days)",
                    deadlines.opt_out_act_by(received),
                )
            )
        return format_html_join(
            "", "<div>{}: <strong>{}</strong></div>", ((k, f"{d:%d %B %Y}") for k, d in rows)
        )

    @admin.display(description="Emails on this case")
    def emails_sent(self, obj: DataSubjectRequest) -> str:
        """Every email that names the case, with whether it has left (the outbox keeps a
        sent email 30 days; the timeline below keeps that it was sent)."""
        if obj.pk is None:
            return ""
        emails = OutboxEmail.objects.filter(subject__contains=obj.reference).order_by(
            "created_at", "pk"
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(e.created_at):%d %b %Y %H:%M}",
                    ", ".join(e.to),
                    e.subject,
                    e.get_status_display()
                    + (f" {timezone.localtime(e.sent_at):%d %b %H:%M}" if e.sent_at else ""),
                )
                for e in emails
            ),
        )
        if not rows:
            return "None in the outbox (sent emails leave it after 30 days; see the timeline)."
        return format_html(
            "<table><tr><th>Written</th><th>To</th><th>Subject</th><th>Delivery</th></tr>"
            "{}</table>",
            rows,
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
        case = (
            DataSubjectRequest.objects.select_related("subject").filter(pk=object_id).first()
            if object_id.isdigit()
            else None
        )
        actions = [
            (name, label, reverse("admin:dsar_case_act", args=[object_id, name]))
            for name, (label, _) in ACTIONS.items()
            if case is None or action_offered(case, name)
        ]
        case_pk = int(object_id) if object_id.isdigit() else None
        exports = (
            DataExport.objects.filter(request_id=case_pk)
            .select_related("requested_by")
            .order_by("-created_at", "-pk")
        )
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
        if action == "complete":
            needs_text = casework.reply_required(case)
        form_class = ACTION_FORMS.get(action, ReasonForm)
        form = form_class(request.POST if request.method == "POST" else None)
        back = reverse("admin:dsar_datasubjectrequest_change", args=[pk])
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                self._apply(request, case, action, data.get("text", ""), data)
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, f"{case.reference}: {label.split(',')[0]}.")
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "label": label,
            "needs_text": needs_text,
            "text_label": TEXT_LABELS.get(action, ""),
            "own_form": form_class is not ReasonForm,
            "form": form,
            "back": back,
            "title": f"{case.reference}: {label}",
        }
        return TemplateResponse(request, "admin/dsar/case_act.html", context)

    def _apply(
        self,
        request: HttpRequest,
        case: DataSubjectRequest,
        action: str,
        text: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        dpo: Any = request.user
        data = data or {}
        if action == "start":
            services.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo, text=text)
        elif action == "waive":
            services.dsar_verify(request=case, actor=dpo, method="waived", waived_reason=text)
        elif action == "extend":
            services.dsar_extend(request=case, actor=dpo, reason=text)
        elif action == "refuse":
            services.dsar_refuse(request=case, actor=dpo, reason=text)
        elif action == "complete":
            casework.dsar_complete(request=case, actor=dpo, reply=text)
        elif action == "export":
            export_start(case=case, actor=dpo)
        elif action == "note":
            services.dsar_note(request=case, actor=dpo, text=text)
        elif action == "assign_me":
            services.dsar_assign(request=case, assignee=dpo, actor=dpo)
        elif action == "erasure_preview":
            for line in erasure_preview_lines(erasure.erasure_preview(case=case)):
                messages.info(request, line)
        elif action == "erasure_run":
            certificate = erasure.erasure_run(case=case, actor=dpo)
            messages.info(
                request, f"Erasure certificate signed ({certificate.created_at:%d %b %Y %H:%M})."
            )
        elif action == "restrict":
            casework.dsar_restriction_apply(request=case, actor=dpo, reason=text)
        elif action == "lift_restriction":
            casework.dsar_restriction_lift(request=case, actor=dpo, reason=text)
        elif action == "rectify":
            casework.dsar_rectify(request=case, actor=dpo, field=data["field"], value=data["value"])
        elif action == "object_marketing":
            casework.dsar_marketing_objection(request=case, actor=dpo)
        elif action == "withdraw_consent":
            casework.dsar_consent_withdraw(request=case, actor=dpo, purposes=data["purposes"])
        elif action == "send_link":
            intake.dsar_verification_link_send(request=case, actor=dpo)


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    """A service's errors beside the form's fields where they name one, else at the top
    (or beside the reason, the one box most action pages have)."""
    fallback = "text" if "text" in form.fields else None
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else fallback
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(fallback, message)


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["subject", "animal", "reason", "until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.legal_hold_check(
                subject=data.get("subject"),
                reason=data.get("reason") or "",
                until=data.get("until"),
                animal=data.get("animal"),
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        return data


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
    raw_id_fields = ["animal"]
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
            animal=obj.animal,
        )
        obj.pk = placed.pk

    @admin.action(description="Lift the selected holds")
    def lift(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> None:
        for hold in queryset.filter(lifted_at__isnull=True):
            services.legal_hold_lift(hold=hold, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, "Holds lifted.")


@admin.register(PracticeSubscriptionEnd)
class PracticeSubscriptionEndAdmin(DPOOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every practice whose subscription ended (Kontak policy): when its administrators
    were told, when its client data is or was anonymised, owners held back by a legal hold,
    and the rows changed per table. Written only by dsar.retention.practices; no person's
    name appears here, so reading it is not an access to anyone's data."""

    list_display = (
        "practice",
        "ended_on",
        "anonymise_on",
        "state",
        "notices_sent",
        "held_owners",
        "closed_at",
    )
    list_filter = ("state",)
    search_fields = ("practice__name",)
    readonly_fields = (
        "practice",
        "ended_on",
        "anonymise_on",
        "state",
        "created_at",
        "notices_sent",
        "closed_at",
        "held_owners",
        "counts",
    )


from .retention import admin as _retention_admin  # noqa: E402, F401  (registers its admins)
