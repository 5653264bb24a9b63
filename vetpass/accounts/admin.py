from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from vetpass.admin import AccessLoggedAdminMixin

from .models import User
from .services import PROFILE_FIELDS

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


@admin.register(User)
class UserAdmin(AccessLoggedAdminMixin, BaseUserAdmin):
    """People: every look is access-logged. Their profile (and sign-in email, which allauth
    keeps in step with its own address records) changes only through the person's own
    pages and `profile_update`, so it is shown read-only here; roles are set here. Nobody
    is deleted here: erasure is the data-subject request's work."""

    access_log_owner = "pk"
    ordering = ["email"]
    list_display = ["email", "full_name", "jurisdiction", "is_dpo", "is_staff", "last_activity_at"]
    list_filter = ["jurisdiction", "is_dpo", "is_staff", "is_active"]
    search_fields = ["email", "full_name", "postcode"]
    readonly_fields = ["last_activity_at", "last_activity_kind", "date_joined", "jurisdiction"]
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
            {"fields": ("date_joined", "last_activity_at", "last_activity_kind", "restricted_at")},
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
