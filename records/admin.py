"""Admin for reference data and, read-mostly, for owners' records: the DPO looks here while
working a case; changes to an owner's records go through the owner or the services."""

from __future__ import annotations

from django.contrib import admin

from vetpass.admin import ReadOnlyAdminMixin

from .models import (
    AccessLog,
    Animal,
    Breed,
    EmergencyShare,
    Entry,
    Favorite,
    JoinRequest,
    Practice,
    PracticeMembership,
    RecordRequest,
    Species,
)


class BreedInline(admin.TabularInline):
    model = Breed
    extra = 0


@admin.register(Species)
class SpeciesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "group"]
    list_filter = ["group"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BreedInline]


@admin.register(Breed)
class BreedAdmin(admin.ModelAdmin):
    list_display = ["name", "species"]
    list_filter = ["species"]
    search_fields = ["name", "species__name"]


@admin.register(Animal)
class AnimalAdmin(admin.ModelAdmin):
    list_display = ["name", "species", "owner", "is_group", "head_count", "deceased", "created_at"]
    list_filter = ["species", "is_group", "deceased"]
    search_fields = ["name", "microchip", "owner__email"]
    list_select_related = ["species", "owner"]
    raw_id_fields = ["owner", "group", "breed"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: entries are the owner's or the practice's record, never edited here."""

    list_display = ["animal", "kind", "occurred_on", "source", "author", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = ["animal__name", "animal__owner__email"]
    list_select_related = ["animal", "author"]
    date_hierarchy = "occurred_on"


class MembershipInline(admin.TabularInline):
    model = PracticeMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "town",
        "postcode",
        "participates",
        "subscription_starts_on",
        "subscription_ends_on",
    ]
    list_filter = ["participates", "country"]
    search_fields = ["name", "town", "postcode"]
    inlines = [MembershipInline]


@admin.register(PracticeMembership)
class PracticeMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "role", "is_practice_admin", "joined_at", "left_at"]
    list_filter = ["role", "is_practice_admin", "practice"]
    search_fields = ["user__email", "practice__name"]
    list_select_related = ["user", "practice"]
    raw_id_fields = ["user"]


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Grants, shares and reads: changed only through the services owners and staff use."""


@admin.register(Favorite)
class FavoriteAdmin(ReadOnlyAdmin):
    list_display = [
        "owner",
        "practice",
        "all_animals",
        "kinds",
        "ends_on",
        "created_at",
        "ended_at",
    ]
    list_filter = ["practice", "all_animals"]
    search_fields = ["owner__email", "practice__name"]
    list_select_related = ["owner", "practice"]


@admin.register(RecordRequest)
class RecordRequestAdmin(ReadOnlyAdmin):
    list_display = ["owner", "practice", "status", "created_at", "answered_at", "entries_added"]
    list_filter = ["status", "practice"]
    search_fields = ["owner__email", "practice__name"]
    list_select_related = ["owner", "practice"]


@admin.register(EmergencyShare)
class EmergencyShareAdmin(ReadOnlyAdmin):
    list_display = ["owner", "practice", "created_at", "expires_at", "redeemed_at", "revoked_at"]
    search_fields = ["owner__email"]
    list_select_related = ["owner", "practice"]
    exclude = ["code"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Append-only: the database refuses UPDATE and DELETE on PostgreSQL."""

    list_display = ["created_at", "viewer", "practice", "owner", "animal", "view", "grant_kind"]
    list_filter = ["grant_kind", "practice"]
    search_fields = ["owner__email", "viewer__email"]
    list_select_related = ["viewer", "practice", "owner", "animal"]
    date_hierarchy = "created_at"
