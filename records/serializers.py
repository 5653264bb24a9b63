"""API serializers for animals, herds, record entries and co-owner invitations.

They check the shape of the input (types, choices, the model's field validators) and hand
the rest to records.services, which validate the whole object and save it in one
transaction. A service's ValidationError becomes field errors through vetpass.api.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from vetpass.api import SlugField
from vetpass.pagefmt import link_parts

from .models import (
    Animal,
    AnimalAccess,
    Breed,
    CoOwnerInvitation,
    Entry,
    EntryKind,
    Permission,
    Species,
)
from .visibility import author_shown

# A link that is null when there is no file.
NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


class BreedSerializer(serializers.ModelSerializer[Breed]):
    class Meta:
        model = Breed
        fields = ["id", "name", "care_summary"]


class SpeciesSerializer(serializers.ModelSerializer[Species]):
    breeds = BreedSerializer(many=True, read_only=True)

    class Meta:
        model = Species
        fields = ["id", "slug", "name", "group", "care_summary", "breeds"]


class AnimalSerializer(serializers.ModelSerializer[Animal]):
    species = SlugField(slug_field="slug", queryset=Species.objects.all())
    species_name = serializers.CharField(source="species.name", read_only=True)
    breed = serializers.PrimaryKeyRelatedField(
        queryset=Breed.objects.all(), required=False, allow_null=True
    )
    # A method, not CharField(default=None): DRF leaves a defaulted field out of the
    # answer to a PATCH (partial) update, and the schema says it is always there.
    breed_name = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField(
        help_text="The owner's name; to practice staff, what the owner shares with the practice."
    )
    is_owner = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Animal
        fields = [
            "id",
            "name",
            "species",
            "species_name",
            "breed",
            "breed_name",
            "sex",
            "neutered",
            "date_of_birth",
            "colour",
            "microchip",
            "photo",
            "photo_url",
            "deceased",
            "deceased_on",
            "is_group",
            "head_count",
            "group",
            "owner_name",
            "is_owner",
            "created_at",
            "updated_at",
        ]
        # Membership of a herd changes through POST /animals/{id}/move/, so head counts follow.
        read_only_fields = ["group", "created_at", "updated_at"]
        extra_kwargs = {
            # Written as multipart/form-data; read back through photo_url, which checks
            # visibility: a photo is never a public /media/ link.
            "photo": {"write_only": True, "help_text": "An image of at most 10 MB."},
        }

    @extend_schema_field(NULLABLE_URI)
    def get_photo_url(self, animal: Animal) -> str | None:
        """The photo is served through the API, after the same visibility check."""
        if not animal.photo:
            return None
        url = reverse("api:animal-photo", args=[animal.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_owner_name(self, animal: Animal) -> str:
        # Set by the lookup when practice staff look (records.selectors.owner_identity).
        return getattr(animal, "owner_label", None) or animal.owner.display_name

    def get_breed_name(self, animal: Animal) -> str | None:
        return animal.breed.name if animal.breed else None

    def get_is_owner(self, animal: Animal) -> bool:
        request = self.context.get("request")
        return bool(request and animal.owner_id == request.user.pk)


# The animals list, built without a model instance or a serializer field per value (issue
# 10: ModelSerializer over 50 animals was a fifth of the list's time). The rows are exactly
# what AnimalSerializer answers for the same animals (a test compares the two); the schema
# stays AnimalSerializer's.
ANIMAL_LIST_COLUMNS = (
    "id",
    "name",
    "species__slug",
    "species__name",
    "breed_id",
    "breed__name",
    "sex",
    "neutered",
    "date_of_birth",
    "colour",
    "microchip",
    "photo",
    "deceased",
    "deceased_on",
    "is_group",
    "head_count",
    "group_id",
    "owner_id",
    "owner__full_name",
    "owner__email",
    "created_at",
    "updated_at",
)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """As DRF's DateTimeField: in the current time zone (`tz`, asked once per list when
    given), ISO 8601, UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _weight_field() -> serializers.Field:
    """EntrySerializer's weight field, built once (a serializer's fields are not cheap)."""
    return EntrySerializer().fields["weight_value"]


def animal_list_rows(rows: Iterable[dict[str, Any]], *, request: Any) -> list[dict[str, Any]]:
    """AnimalSerializer's answer for rows of .values(*ANIMAL_LIST_COLUMNS)."""
    user_id = getattr(request.user, "pk", None) if request is not None else None
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        photo_url = None
        if row["photo"]:
            photo_url = reverse("api:animal-photo", args=[row["id"]])
            if request is not None:
                photo_url = request.build_absolute_uri(photo_url)
        out.append(
            {
                "id": row["id"],
                "name": row["name"],
                "species": row["species__slug"],
                "species_name": row["species__name"],
                "breed": row["breed_id"],
                "breed_name": row["breed__name"],
                "sex": row["sex"],
                "neutered": row["neutered"],
                "date_of_birth": _date(row["date_of_birth"]),
                "colour": row["colour"],
                "microchip": row["microchip"],
                "photo_url": photo_url,
                "deceased": row["deceased"],
                "deceased_on": _date(row["deceased_on"]),
                "is_group": row["is_group"],
                "head_count": row["head_count"],
                "group": row["group_id"],
                "owner_name": row["owner__full_name"] or row["owner__email"],
                "is_owner": user_id is not None and row["owner_id"] == user_id,
                "created_at": _datetime(row["created_at"], tz),
                "updated_at": _datetime(row["updated_at"], tz),
            }
        )
    return out


class AnimalMoveSerializer(serializers.Serializer):
    group = serializers.IntegerField(
        allow_null=True, help_text="The herd or group to move the animal into; null takes it out."
    )


# Named apart from the practice workspace's entry serializer: one component name each.
@extend_schema_serializer(component_name="RecordEntry")
class EntrySerializer(serializers.ModelSerializer[Entry]):
    """One record entry. Which fields apply depends on `kind` (vaccination: vaccine_product,
    manufacturer, batch_number, next_due_on, duration_years, tag_number, vet_name,
    vet_licence; weight: weight_value, weight_unit; medication:
    medication_name, dose, ends_on; allergy: allergen, severity; lab_result: test_name,
    result; document: document, document_type)."""

    document_url = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "animal",
            "kind",
            "occurred_on",
            "title",
            "notes",
            "summary",
            "vaccine_product",
            "manufacturer",
            "batch_number",
            "next_due_on",
            "duration_years",
            "tag_number",
            "vet_name",
            "vet_licence",
            "weight_value",
            "weight_unit",
            "medication_name",
            "dose",
            "ends_on",
            "allergen",
            "severity",
            "test_name",
            "result",
            "document",
            "document_url",
            "document_type",
            "author_name",
            "source",
            "practice",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["animal", "source", "practice", "created_at", "updated_at"]
        extra_kwargs = {
            # Written as multipart/form-data; read back through document_url, which checks
            # visibility like every other read.
            "document": {
                "write_only": True,
                "help_text": "A PDF or an image (PNG, JPEG, GIF or WebP) of at most 10 MB.",
            }
        }

    @extend_schema_field(NULLABLE_URI)
    def get_document_url(self, entry: Entry) -> str | None:
        """The document is served through the API, after the same visibility check."""
        if not entry.document:
            return None
        url = reverse("api:entry-document", args=[entry.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_author_name(self, entry: Entry) -> str | None:
        if entry.practice_id and entry.practice:
            return entry.practice.name
        return author_shown(entry, owner_side=self.context.get("owner_side", True))


# The entries list's columns (.values()): the entry's own, and of its author and practice
# only the names shown.
ENTRY_LIST_COLUMNS = (
    *(f.attname for f in Entry._meta.concrete_fields),
    "author__full_name",
    "author__email",
    "practice__name",
)


class _Document:
    """What Entry.summary reads of a FieldFile: its name, and false when empty."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __bool__(self) -> bool:
        return bool(self.name)


class _Author:
    __slots__ = ("display_name",)

    def __init__(self, full_name: str, email: str) -> None:
        self.display_name = full_name or email  # User.display_name


def entry_list_rows(
    rows: Iterable[dict[str, Any]], *, request: Any, owner_side: bool
) -> list[dict[str, Any]]:
    """EntrySerializer's answer for rows of .values(*ENTRY_LIST_COLUMNS), built without a
    model instance or a serializer field per value (issue 10; a test compares the two).
    The summary and the author shown are the model's and the visibility rule's own code,
    run over the row."""
    weight = _weight_field()
    tz = timezone.get_current_timezone()
    doc_head, doc_tail = link_parts("api:entry-document", request=request)
    summary = Entry.summary.fget  # type: ignore[attr-defined]
    out = []
    for row in rows:
        entry = SimpleNamespace(**row)
        entry.document = _Document(row["document"] or "")
        entry.author = (
            _Author(row["author__full_name"], row["author__email"]) if row["author_id"] else None
        )
        author: str | None
        if row["practice_id"] and row["practice__name"] is not None:
            author = row["practice__name"]
        else:
            author = author_shown(entry, owner_side=owner_side)  # type: ignore[arg-type]
        value = row["weight_value"]
        out.append(
            {
                "id": row["id"],
                "animal": row["animal_id"],
                "kind": row["kind"],
                "occurred_on": _date(row["occurred_on"]),
                "title": row["title"],
                "notes": row["notes"],
                "summary": summary(entry),
                "vaccine_product": row["vaccine_product"],
                "manufacturer": row["manufacturer"],
                "batch_number": row["batch_number"],
                "next_due_on": _date(row["next_due_on"]),
                "duration_years": row["duration_years"],
                "tag_number": row["tag_number"],
                "vet_name": row["vet_name"],
                "vet_licence": row["vet_licence"],
                "weight_value": None if value is None else weight.to_representation(value),
                "weight_unit": row["weight_unit"],
                "medication_name": row["medication_name"],
                "dose": row["dose"],
                "ends_on": _date(row["ends_on"]),
                "allergen": row["allergen"],
                "severity": row["severity"],
                "test_name": row["test_name"],
                "result": row["result"],
                "document_url": f"{doc_head}{row['id']}{doc_tail}" if row["document"] else None,
                "document_type": row["document_type"],
                "author_name": author,
                "source": row["source"],
                "practice": row["practice_id"],
                "created_at": _datetime(row["created_at"], tz),
                "updated_at": _datetime(row["updated_at"], tz),
            }
        )
    return out


@extend_schema_serializer(component_name="RecordEntryUpdate")
class EntryUpdateSerializer(EntrySerializer):
    """An entry's kind never changes: add a new entry instead."""

    class Meta(EntrySerializer.Meta):
        read_only_fields = [*EntrySerializer.Meta.read_only_fields, "kind"]


class EntryFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=EntryKind.choices, required=False, help_text="Only entries of this kind."
    )


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    permission = serializers.ChoiceField(choices=Permission.choices, default=Permission.VIEW)


class SentInvitationSerializer(serializers.ModelSerializer[CoOwnerInvitation]):
    animal_name = serializers.CharField(source="animal.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CoOwnerInvitation
        fields = [
            "id",
            "animal",
            "animal_name",
            "email",
            "permission",
            "status",
            "is_open",
            "created_at",
            "expires_at",
            "answered_at",
        ]
        read_only_fields = fields


class ReceivedInvitationSerializer(SentInvitationSerializer):
    """The invitee sees the token: it is what accept and decline take."""

    invited_by_name = serializers.CharField(source="invited_by.display_name", read_only=True)

    class Meta(SentInvitationSerializer.Meta):
        fields = [*SentInvitationSerializer.Meta.fields, "invited_by_name", "token"]
        read_only_fields = fields


class InvitationTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class CoOwnerSerializer(serializers.ModelSerializer[AnimalAccess]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = AnimalAccess
        fields = ["id", "animal", "email", "name", "permission", "created_at"]
        read_only_fields = fields
