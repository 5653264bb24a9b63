"""API serializers for animals, herds, record entries and co-owner invitations.

They check the shape of the input (types, choices, the model's field validators) and hand
the rest to records.services, which validate the whole object and save it in one
transaction. A service's ValidationError becomes field errors through vetpass.api.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from vetpass.api import SlugField

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
