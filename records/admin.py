"""Admin for reference data and, read-mostly, for owners' records: the DPO looks here while
working a case; changes to an owner's records go through the owner or the services.

Every look at a person's data here is access-logged (`AccessLoggedAdminMixin`), and every
write the admin still allows goes through the same service the web and the API call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest

from vetpass.admin import AccessLoggedAdminMixin, ReadOnlyAdminMixin

from . import services
from .models import (
    AccessLog,
    Animal,
    Breed,
    EmergencyShare,
    Entry,
    Favorite,
    JoinRequest,
    ListAccessLog,
    Practice,
    PracticeMembership,
    RecordRequest,
    Species,
)
from .practices import services as practice_services


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
class AnimalAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """Read-only but for deleting, which goes through `animal_delete` (its files go too)."""

    list_display = ["name", "species", "owner", "is_group", "head_count", "deceased", "created_at"]
    list_filter = ["species", "is_group", "deceased"]
    search_fields = ["name", "microchip", "owner__email"]
    list_select_related = ["species", "owner"]
    raw_id_fields = ["owner", "group", "breed"]
    readonly_fields = ["created_at", "updated_at"]
    access_log_owner = "owner_id"
    access_log_animal = "pk"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_deleted_objects(self, objs: Any, request: HttpRequest):  # type: ignore[no-untyped-def]
        # The records go with the animal by the service's rule: deleting the animal does not
        # need a permission to delete entries (which nobody has here: they are read-only).
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Animal) -> None:
        services.animal_delete(animal=obj, actor=request.user)  # type: ignore[arg-type]

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Animal]) -> None:
        # One service call per animal ("delete selected" too), all or none.
        for animal in queryset:
            services.animal_delete(animal=animal, actor=request.user)  # type: ignore[arg-type]


@admin.register(Entry)
class EntryAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: entries are the owner's or the practice's record, never edited here."""

    access_log_owner = "animal.owner_id"
    access_log_animal = "animal_id"

    list_display = ["animal", "kind", "occurred_on", "source", "author", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = ["animal__name", "animal__owner__email"]
    list_select_related = ["animal", "author"]
    date_hierarchy = "occurred_on"


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown only: staff changes go through the membership admin (and its services)."""

    model = PracticeMembership
    extra = 0
    fields = ["user", "role", "is_practice_admin", "job_title", "joined_at", "left_at"]


@admin.register(Practice)
class PracticeAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """VetPass staff keep the practice's profile and set its subscription dates here,
    through `practice_update` (which refuses the dates from anyone else).

    The list shows no person; a practice's page shows its staff (the inline), a look at
    each of them."""

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

    def access_log_subjects(self, objects: Any) -> list[tuple[Any, Any]]:
        return []

    def access_log_detail_subjects(self, obj: Practice) -> list[tuple[Any, Any]]:
        return [(user_id, None) for user_id in obj.memberships.values_list("user_id", flat=True)]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A delete would cascade to favorites and memberships past the services (the ledger
        # would still say "shared"); a practice leaves when its subscription ends.
        return False

    def save_model(
        self, request: HttpRequest, obj: Practice, form: BaseModelForm, change: bool
    ) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in practice_services.PRACTICE_FIELDS
            if name in form.cleaned_data
        }
        practice_services.practice_update(practice=obj, actor=request.user, **data)  # type: ignore[arg-type]


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = PracticeMembership
        fields = ["practice", "user", "role", "job_title", "is_practice_admin"]

    def clean(self) -> dict[str, Any]:
        # The services' own checks, asked early so their errors show beside the fields
        # (the services ask them again when they write). The instance still holds the
        # stored values here: the form's are set on it after clean().
        data = super().clean() or {}
        stored = self.instance
        try:
            if stored.pk is None:
                if data.get("practice") and data.get("user") and data.get("role"):
                    practice_services.membership_create_check(
                        practice=data["practice"], user=data["user"], role=data["role"]
                    )
            elif (
                stored.left_at is None
                and stored.is_practice_admin
                and data.get("is_practice_admin") is False
            ):
                practice_services.last_admin_check(stored)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                self.add_error("is_practice_admin", exc.messages)
        return data


@admin.register(PracticeMembership)
class PracticeMembershipAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """Staff of a practice, through the same services as the practice administrator's
    pages: a practice keeps one administrator, and leaving (never deleting) ends access."""

    list_display = ["user", "practice", "role", "is_practice_admin", "joined_at", "left_at"]
    list_filter = ["role", "is_practice_admin", "practice"]
    search_fields = ["user__email", "practice__name"]
    list_select_related = ["user", "practice"]
    raw_id_fields = ["user"]
    form = MembershipAdminForm
    fields = ["practice", "user", "role", "job_title", "is_practice_admin", "joined_at", "left_at"]
    actions = ["mark_left"]
    access_log_owner = "user_id"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["joined_at", "left_at"]
        return ["practice", "user", "joined_at", "left_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PracticeMembership, form: BaseModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            # The form has already set the new values on `obj`: start from the stored row,
            # so the service sees the change it is asked to make.
            stored = PracticeMembership.objects.get(pk=obj.pk)
            membership = practice_services.staff_update(
                membership=stored,
                actor=request.user,  # type: ignore[arg-type]
                role=data["role"],
                job_title=data["job_title"],
                is_practice_admin=data["is_practice_admin"],
            )
        else:
            membership = practice_services.membership_create(
                practice=data["practice"],
                user=data["user"],
                role=data["role"],
                job_title=data["job_title"],
                is_practice_admin=data["is_practice_admin"],
            )
        obj.__dict__.update(membership.__dict__)

    @admin.action(description="Mark as left (access ends at once)", permissions=["change"])
    def mark_left(self, request: HttpRequest, queryset: QuerySet[PracticeMembership]) -> None:
        try:
            with transaction.atomic():
                for membership in queryset:
                    practice_services.membership_leave(membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "They have left the practice.")


class ReadOnlyAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
    list_select_related = ["user", "practice"]
    access_log_owner = "user_id"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: the database refuses UPDATE and DELETE on PostgreSQL.

    Reading the log is not itself logged: each page would add a row per row shown, and
    the log would grow by its own reading rather than by looks at anyone's records."""

    list_display = ["created_at", "viewer", "practice", "owner", "animal", "view", "grant_kind"]
    list_filter = ["grant_kind", "practice"]
    search_fields = ["owner__email", "viewer__email"]
    list_select_related = ["viewer", "practice", "owner", "animal"]
    date_hierarchy = "created_at"


@admin.register(ListAccessLog)
class ListAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The access log's list form (issue 10): one row per staff look at a list page, naming
    every owner shown. Append-only like AccessLog, and like it not logged when read. A
    search for an address finds the rows naming that account (the GIN index on `owners`)."""

    list_display = ["created_at", "viewer", "practice", "view", "shown"]
    list_filter = ["view", "practice"]
    search_fields = ["viewer__email"]
    list_select_related = ["viewer", "practice"]
    date_hierarchy = "created_at"

    @admin.display(description="clients shown")
    def shown(self, obj: ListAccessLog) -> int:
        return len(obj.owners)

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term or connection.vendor != "postgresql":  # SQLite writes no list rows
            return found, duplicates
        from django.contrib.auth import get_user_model

        owners = list(
            get_user_model()
            .objects.filter(email__icontains=search_term.strip())
            .values_list("pk", flat=True)[:100]
        )
        if owners:
            found = found | queryset.filter(owners__overlap=owners)
        return found, duplicates
