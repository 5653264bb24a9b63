"""The account in the Django admin. An Art. 18 restriction is applied and lifted only by
the two actions below, which ask for the reason and call accounts.services (the audit row
is written there): `restricted_at` is never edited by hand. Every look at a person here
is access-logged (AccessLoggedAdminMixin)."""

from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin, is_dpo_request

from .models import RestrictionEvent, User
from .services import PROFILE_FIELDS, restriction_apply, restriction_lift

# allauth's own admins show people's addresses and authenticators: their reads are
# access-logged too (allauth is installed before this app, so theirs are registered).
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(EmailAddress)
class LoggedEmailAddressAdmin(AccessLoggedAdminMixin, EmailAddressAdmin):
    access_log_owner = "user_id"


@admin.register(Authenticator)
class LoggedAuthenticatorAdmin(AccessLoggedAdminMixin, AuthenticatorAdmin):
    access_log_owner = "user_id"


class RestrictionReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=(
            "Why, for the record: for example the request it answers (case number) and "
            "what the person asked for. Kept in the restriction history."
        ),
    )


class RestrictionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RestrictionEvent
    fk_name = "user"
    fields = ("at", "action", "reason", "actor")
    readonly_fields = ("at", "action", "reason", "actor")
    extra = 0
    can_delete = False
    verbose_name = "restriction change"
    verbose_name_plural = "Restriction history (Art. 18)"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request) or super().has_view_permission(request, obj)


@admin.register(User)
class UserAdmin(AccessLoggedAdminMixin, BaseUserAdmin):
    """People: every look is access-logged. Their profile (and sign-in email, which allauth
    keeps in step with its own address records) changes only through the person's own
    pages and `profile_update`, so it is shown read-only here; roles are set here. Nobody
    is deleted here: erasure is the data-subject request's work."""

    access_log_owner = "pk"
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "jurisdiction",
        "is_dpo",
        "is_staff",
        "last_activity_at",
        "restricted_at",
    ]
    list_filter = ["jurisdiction", "is_dpo", "is_staff", "is_active"]
    search_fields = ["email", "full_name", "postcode"]
    readonly_fields = [
        "last_activity_at",
        "last_activity_kind",
        "date_joined",
        "jurisdiction",
        "restricted_at",
    ]
    actions = ["restriction_apply_action", "restriction_lift_action"]
    inlines = [RestrictionEventInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Person",
            {
                "fields": (
                    "full_name",
                    "date_of_birth",
                    "country",
                    "region",
                    "jurisdiction",
                    "address_line1",
                    "address_line2",
                    "town",
                    "postcode",
                    "phone",
                )
            },
        ),
        ("Roles", {"fields": ("is_active", "is_dpo", "is_staff", "is_superuser", "groups")}),
        (
            "Activity and restriction",
            {
                "fields": (
                    "date_joined",
                    "last_activity_at",
                    "last_activity_kind",
                    "restricted_at",
                ),
                "description": (
                    "Restrict or lift with the actions on the list of people, which ask for "
                    "the reason and keep the history below."
                ),
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a person here would cascade to their animals and leave their files, and
        # skip what erasure must do: that is the data-subject request's work, not a delete.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [f for f in ("email", *PROFILE_FIELDS) if f not in fields]
        return fields

    # The DPO finds people and restricts them; changing other fields stays with the
    # permissions Django gives (superusers).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_dpo_request(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo_request(request) or super().has_view_permission(request, obj)

    def has_restrict_permission(self, request: HttpRequest) -> bool:
        return is_dpo_request(request)

    @admin.action(
        description="Restrict processing (Art. 18) of the selected people…",
        permissions=["restrict"],
    )
    def restriction_apply_action(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        return self._restriction_step(request, queryset, apply=True)

    @admin.action(
        description="Lift the restriction of the selected people…", permissions=["restrict"]
    )
    def restriction_lift_action(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        return self._restriction_step(request, queryset, apply=False)

    def _restriction_step(
        self, request: HttpRequest, queryset: QuerySet[User], *, apply: bool
    ) -> TemplateResponse | None:
        """First the page asking for the reason; once it is given, the service for each
        person (each in its own transaction: one refusal does not undo the others)."""
        form = RestrictionReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            service = restriction_apply if apply else restriction_lift
            done: list[str] = []
            for user in queryset:
                try:
                    service(user=user, reason=form.cleaned_data["reason"], actor=request.user)  # type: ignore[arg-type]
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                else:
                    done.append(user.email)
            if done:
                verb = "Restricted" if apply else "Lifted the restriction of"
                self.message_user(request, f"{verb}: {', '.join(done)}.", messages.SUCCESS)
            return None
        action = "restriction_apply_action" if apply else "restriction_lift_action"
        context = {
            **self.admin_site.each_context(request),
            "title": "Restrict processing" if apply else "Lift the restriction",
            "apply": apply,
            "form": form,
            "people": list(queryset),
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/restriction_reason.html", context)
