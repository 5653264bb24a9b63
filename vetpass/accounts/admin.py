from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
