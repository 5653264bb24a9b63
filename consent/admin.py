"""The ledger in the Django admin, for the DPO: read, filter, export a person's history,
and record a consent received on paper or by phone. Never edit or delete: the change and
delete permissions are off, and the model refuses both anyway."""

from __future__ import annotations

import csv
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.http import urlencode

from vetpass.accounts.models import User
from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin, is_dpo_request

from .models import (
    Action,
    ActorRole,
    Channel,
    ConsentEvent,
    EmailSubject,
    PolicyDocument,
    PolicyVersion,
    Purpose,
)
from .receipts import receipt_for
from .services import consent_record, subject_key_for

EXPORT_FIELDS = [
    "id",
    "subject_key",
    "sequence",
    "created_at",
    "action",
    "purpose",
    "scope",
    "policy_version",
    "actor_id",
    "actor_role",
    "channel",
    "wording",
    "prev_hash",
    "hash",
]


class DPOOnlyMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_dpo_request(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request)


class PaperConsentForm(forms.ModelForm):
    """A consent received on paper or by phone: the DPO records it; the service writes it."""

    person = forms.EmailField(
        help_text="The person's email. If they have an account, the event is recorded on it."
    )
    action = forms.ChoiceField(
        choices=[
            (Action.GRANT, "Granted"),
            (Action.WITHDRAW, "Withdrew"),
            (Action.OBJECT, "Objected"),
        ]
    )
    wording = forms.CharField(
        widget=forms.Textarea,
        help_text="The words on the paper form, or what was said on the phone, and where the "
        "original is kept.",
    )

    class Meta:
        model = ConsentEvent
        fields = ["purpose", "scope", "action", "wording"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = data.get("purpose")
        if purpose is None and "purpose" not in self.errors:
            self.add_error("purpose", "Choose the purpose.")
        elif purpose is not None:
            if purpose.scoped and not data.get("scope"):
                self.add_error("scope", f"{purpose.name} is given per scope, e.g. practice:12.")
            if not purpose.scoped and data.get("scope"):
                self.add_error("scope", f"{purpose.name} has no scope: leave it empty.")
        return data

    def _post_clean(self) -> None:
        # The event is built by the service, not from the form: skip model validation of a
        # half-filled instance (sequence and hash are the service's).
        pass


@admin.register(ConsentEvent)
class ConsentEventAdmin(DPOOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "person",
        "action",
        "purpose",
        "scope",
        "policy_version",
        "channel",
        "actor_role",
        "sequence",
    ]
    list_filter = ["action", "purpose", "channel", "actor_role", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["=subject_key", "subject_user__email", "scope"]
    # The subject's account comes in the same query, so the person column costs no query
    # per row; the events of people with an account are access-logged as theirs.
    list_select_related = ["purpose", "policy_version__document", "subject_user"]
    access_log_owner = "subject_user_id"
    ordering = ["-created_at", "-id"]
    actions = ["export_json", "export_csv"]
    readonly_fields = [f.name for f in ConsentEvent._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_dpo_request(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="person", ordering="subject_key")
    def person(self, event: ConsentEvent) -> str:
        """The subject (name and email where they have an account, the ledger's key
        otherwise), linking to their whole history (the ledger filtered to them)."""
        user = event.subject_user
        label = f"{user.full_name} <{user.email}>" if user and user.full_name else None
        # No account: the address from the erasable EmailSubject (annotated below), or the
        # key alone once the person was erased.
        address = getattr(event, "subject_email", None)
        return format_html(
            '<a href="?{}" title="This person\'s whole history ({})">{}</a>',
            urlencode({"q": event.subject_key}),
            event.subject_key,
            label or (user.email if user else address or event.subject_key),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentEvent]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                subject_email=Subquery(
                    EmailSubject.objects.filter(subject_key=OuterRef("subject_key")).values(
                        "email"
                    )[:1]
                )
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ConsentEvent], search_term: str
    ) -> tuple[QuerySet[ConsentEvent], bool]:
        """An address finds its person's events too when they have no account: the
        ledger holds only the keyed hash of it."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            results = results | queryset.filter(subject_key=subject_key_for(search_term))
        return results, distinct

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = PaperConsentForm
            kwargs["fields"] = ["purpose", "scope", "action", "wording"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return [(None, {"fields": ["person", "purpose", "scope", "action", "wording"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        email = form.cleaned_data["person"].strip().lower()
        subject: User | str = User.objects.filter(email=email).first() or email
        try:
            event = consent_record(
                subject=subject,
                purpose=form.cleaned_data["purpose"],
                scope=form.cleaned_data.get("scope") or "",
                action=form.cleaned_data["action"],
                channel=Channel.ADMIN,
                actor=request.user,  # type: ignore[arg-type]
                actor_role=ActorRole.DPO,
                wording=form.cleaned_data["wording"],
            )
        except ValidationError as exc:  # pragma: no cover - the form checks the same rules
            messages.error(request, "; ".join(exc.messages))
            raise
        # The admin goes on to log and redirect using `obj`: make it the recorded event.
        obj.__dict__.update(event.__dict__)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    def _histories(self, queryset: QuerySet[ConsentEvent]) -> QuerySet[ConsentEvent]:
        """The whole history of every person among the selected events."""
        keys = queryset.values("subject_key")
        return (
            ConsentEvent.objects.filter(subject_key__in=keys)
            .select_related("purpose", "policy_version__document")
            .order_by("subject_key", "sequence")
        )

    def _row(self, event: ConsentEvent) -> dict[str, Any]:
        return {
            "id": event.pk,
            "subject_key": event.subject_key,
            "sequence": event.sequence,
            "created_at": event.created_at.isoformat(),
            "action": event.action,
            "purpose": event.purpose.code if event.purpose else "",
            "scope": event.scope,
            "policy_version": str(event.policy_version) if event.policy_version else "",
            "actor_id": event.actor_id,
            "actor_role": event.actor_role,
            "channel": event.channel,
            "wording": event.wording,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }

    def _log_export(self, request: HttpRequest, events: list[ConsentEvent]) -> None:
        """An export is a read of every event in it: one access-log row per event."""
        self._log_admin_reads(request, self.access_log_subjects(events), "admin: consent export")

    @admin.action(description="Export the consent history of these people (JSON, with receipts)")
    def export_json(self, request: HttpRequest, queryset: QuerySet[ConsentEvent]) -> HttpResponse:
        events = list(self._histories(queryset))
        self._log_export(request, events)
        body = [{**self._row(e), "receipt": receipt_for(e)} for e in events]
        response = HttpResponse(
            json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="consent-history.json"'
        return response

    @admin.action(description="Export the consent history of these people (CSV)")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[ConsentEvent]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="consent-history.csv"'
        writer = csv.DictWriter(response, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        events = list(self._histories(queryset))
        self._log_export(request, events)
        for event in events:
            writer.writerow(self._row(event))
        return response


@admin.register(Purpose)
class PurposeAdmin(DPOOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "lawful_basis", "category", "scoped", "third_party_disclosure"]


class PolicyVersionInline(admin.StackedInline):
    model = PolicyVersion
    extra = 0
    fields = ["version", "effective_from", "requires_acceptance", "summary", "body"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(DPOOnlyMixin, admin.ModelAdmin):
    """New versions are added, never changed: what people accepted must stay as it was."""

    list_display = ["title", "kind"]
    inlines = [PolicyVersionInline]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
