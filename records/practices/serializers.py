"""Serializers of the practice API: they shape input and output; the rules live in
records.practices.services and .selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from ..models import (
    AccessLogGrant,
    Animal,
    EmergencyShare,
    Entry,
    EntryKind,
    Favorite,
    Practice,
    PracticeMembership,
    RecordRequest,
)
from ..visibility import author_shown
from . import selectors as sel
from .forms import _ENTRY_FIELD_NAMES


class PracticeSerializer(serializers.ModelSerializer):
    services: serializers.Field = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    species_treated: serializers.Field = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Practice
        fields = [
            "id",
            "name",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "latitude",
            "longitude",
            "phone",
            "email",
            "species_treated",
            "services",
            "participates",
            "distance_km",
        ]

    def get_distance_km(self, obj: Practice) -> float | None:
        return getattr(obj, "distance_km", None)


class PracticeSearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=1, max_value=500)
    species = serializers.CharField(required=False, allow_blank=True)
    service = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        from .postcodes import coordinates_for

        if ("latitude" in data) != ("longitude" in data):
            raise serializers.ValidationError(
                {"longitude": "Give both latitude and longitude, or neither."}
            )
        postcode = (data.pop("postcode", "") or "").strip()
        if postcode and "latitude" not in data:
            coords = coordinates_for(postcode)
            if coords is None:
                raise serializers.ValidationError({"postcode": "We do not know this postcode."})
            data["latitude"], data["longitude"] = coords
        return data


class _AllKindsField(serializers.BooleanField):
    """Whether a favorite shares every kind of record (stored as an empty `kinds`)."""

    def get_attribute(self, instance: Any) -> bool:
        return not instance.kinds


class FavoriteSerializer(serializers.ModelSerializer):
    practice = PracticeSerializer(read_only=True)
    practice_id = serializers.PrimaryKeyRelatedField(
        queryset=Practice.objects.all(), write_only=True, source="practice_obj"
    )
    animals = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Animal.objects.none(), required=False
    )
    all_kinds = _AllKindsField(
        required=False,
        help_text=(
            "true: every kind of record is shared, including kinds added later; false: only "
            "`kinds`. When creating, send all_kinds: true or a non-empty `kinds`: a missing or "
            "empty `kinds` never means every kind by itself."
        ),
    )
    # Checked by favorite_create (one rule for web and API): values of the entry kinds.
    kinds = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "The kinds of record shared when all_kinds is false (at least one); empty when "
            "all_kinds is true. Sending only `kinds` means only these."
        ),
    )
    requests = serializers.SerializerMethodField()

    class Meta:
        model = Favorite
        fields = [
            "id",
            "practice",
            "practice_id",
            "share_profile",
            "all_animals",
            "animals",
            "all_kinds",
            "kinds",
            "ends_on",
            "already_client",
            "created_at",
            "ended_at",
            "requests",
        ]
        read_only_fields = ["created_at", "ended_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            relation: Any = self.fields["animals"]
            relation.child_relation.queryset = Animal.objects.filter(owner=request.user)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and data.get("all_kinds") is None and not data.get("kinds"):
            raise serializers.ValidationError(
                {
                    "kinds": "Say which records to share: all_kinds true for every kind, or "
                    "list the kinds in kinds."
                }
            )
        return data

    def get_requests(self, obj: Favorite) -> list[dict[str, Any]]:
        return RecordRequestSerializer(obj.requests.all(), many=True).data  # type: ignore[return-value]


class RecordRequestSerializer(serializers.ModelSerializer):
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = RecordRequest
        fields = [
            "id",
            "practice",
            "practice_name",
            "owner_name",
            "status",
            "note",
            "created_at",
            "answered_at",
            "entries_added",
        ]


class PracticeRecordRequestSerializer(RecordRequestSerializer):
    """A request as the practice sees it: the owner as the practice may see them
    (their name only where they share their profile, §1.7)."""

    owner_name = serializers.CharField(
        source="client_name",
        read_only=True,
        help_text="The client's name, or a pseudonymous label when they do not share it.",
    )


class RecordRequestAnswerSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="A note for the owner."
    )


class EmergencyShareSerializer(serializers.ModelSerializer):
    animals = serializers.PrimaryKeyRelatedField(many=True, queryset=Animal.objects.none())
    hours = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text=(
            f"How long the share lasts, in hours: from 1 to {settings.EMERGENCY_SHARE_MAX_HOURS} "
            f"({settings.EMERGENCY_SHARE_MAX_HOURS // 24} days); "
            f"{settings.POLICY_EMERGENCY_SHARE_HOURS} if left out."
        ),
    )
    practice = serializers.PrimaryKeyRelatedField(
        queryset=Practice.objects.all(), required=False, allow_null=True
    )
    is_live = serializers.BooleanField(read_only=True)

    class Meta:
        model = EmergencyShare
        fields = [
            "id",
            "code",
            "animals",
            "practice",
            "hours",
            "created_at",
            "expires_at",
            "redeemed_at",
            "revoked_at",
            "is_live",
        ]
        read_only_fields = ["code", "created_at", "expires_at", "redeemed_at", "revoked_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            relation: Any = self.fields["animals"]
            relation.child_relation.queryset = Animal.objects.filter(owner=request.user)


class AccessLogSerializer(serializers.Serializer):
    """One line of the owner's access log: the reads of one person, practice, grant, view
    and animal within one clock hour (selectors.owner_access_log)."""

    viewer_name = serializers.CharField(read_only=True)
    practice = serializers.IntegerField(source="practice_id", read_only=True, allow_null=True)
    # The practice, or "VetPass privacy staff" for reads in the admin (grant_kind "admin").
    practice_name = serializers.CharField(
        source="organisation_name", read_only=True, allow_null=True
    )
    animal = serializers.IntegerField(source="animal_id", read_only=True, allow_null=True)
    animal_name = serializers.CharField(source="animal__name", read_only=True, allow_null=True)
    view = serializers.CharField(read_only=True)
    grant_kind = serializers.ChoiceField(choices=AccessLogGrant.choices, read_only=True)
    grant_id = serializers.IntegerField(read_only=True, allow_null=True)
    count = serializers.IntegerField(read_only=True, help_text="How many reads this line holds.")
    first_at = serializers.DateTimeField(read_only=True, help_text="The first of these reads.")
    last_at = serializers.DateTimeField(read_only=True, help_text="The last of these reads.")


class WorkspaceAnimalSerializer(serializers.ModelSerializer):
    species = serializers.CharField(source="species.name")

    class Meta:
        model = Animal
        fields = ["id", "name", "species", "sex", "date_of_birth", "microchip", "is_group"]


class EntrySerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField(
        help_text="Who at the practice wrote it; null for entries from the owner's side."
    )
    practice_name = serializers.CharField(source="practice.name", default=None, allow_null=True)
    summary = serializers.CharField()

    class Meta:
        model = Entry
        exclude = ["document", "animal", "author", "practice"]

    def get_author_name(self, entry: Entry) -> str | None:
        return author_shown(entry, owner_side=False)  # the workspace is a practice's look


class MembershipSerializer(serializers.ModelSerializer):
    practice = PracticeSerializer()

    class Meta:
        model = PracticeMembership
        fields = ["id", "practice", "role", "is_practice_admin", "job_title", "joined_at"]


class WorkspaceClientOwnerSerializer(serializers.Serializer):
    """The client as the practice may see them: email and phone only where the owner
    shares their profile with the practice (absent otherwise, not null)."""

    id = serializers.IntegerField(source="owner.pk")
    name = serializers.CharField(
        help_text=(
            "The client's name where they share their profile with the practice; "
            'otherwise a pseudonymous label, stable for this practice ("Client K7Q2M9 '
            '(name not shared)").'
        )
    )
    email = serializers.EmailField(required=False, help_text="Only when the profile is shared.")
    phone = serializers.CharField(required=False, help_text="Only when the profile is shared.")
    restricted = serializers.BooleanField()

    def to_representation(self, instance: sel.ClientRow) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.profile_shared:
            data.pop("email", None)
            data.pop("phone", None)
        return data


class WorkspaceClientSerializer(serializers.Serializer):
    """One row of the client list: a client and the grant through which the practice sees
    them (their favorite, or an emergency share the practice redeemed)."""

    owner = WorkspaceClientOwnerSerializer(source="*")
    # The favorite when there is one, otherwise an emergency share.
    grant = serializers.ChoiceField(choices=AccessLogGrant.choices, source="grant_kind")
    grants = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessLogGrant.choices),
        source="grant_kinds",
        help_text="Every kind of grant the client is seen through (one row per client).",
    )
    emergency_share_until = serializers.DateTimeField(
        source="emergency_until",
        allow_null=True,
        help_text="When the latest emergency share the practice redeemed ends, if any.",
    )
    animals = WorkspaceAnimalSerializer(many=True)


class WorkspaceClientSearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=(
            "Part of the client's name (or email, where they share their profile) or of the "
            "name of an animal they share."
        ),
    )


class WorkspaceAnimalOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    restricted = serializers.BooleanField()


class WorkspaceAnimalRecordSerializer(serializers.Serializer):
    """An animal's record as the practice sees it: only the record kinds the grant shares."""

    animal = WorkspaceAnimalSerializer()
    owner = WorkspaceAnimalOwnerSerializer()
    # The keys clients already read; DRF's metaclass pops declared fields off the class, so
    # shadowing Field.read_only / Serializer.errors here is only a typing matter.
    read_only = serializers.BooleanField(  # type: ignore[assignment]
        help_text="The owner restricted processing: the practice may read but not add."
    )
    shared_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EntryKind.choices),
        allow_null=True,
        help_text="The record kinds shared; null means every kind.",
    )
    vcpr_date = serializers.DateField(
        allow_null=True, help_text="The practice's latest clinical examination of the animal."
    )
    entries = EntrySerializer(many=True)


# Staff add every kind of entry but documents (those come from the owner).
CLINICAL_ENTRY_KINDS = [c for c in EntryKind.choices if c[0] != EntryKind.DOCUMENT]


class ClinicalEntryRequestSerializer(serializers.ModelSerializer):
    """What staff send to add a clinical entry: the fields of ClinicalEntryForm, which the
    view validates with (one set of rules for web and API); the service decides which of
    a kind's fields are required."""

    kind = serializers.ChoiceField(choices=CLINICAL_ENTRY_KINDS)

    class Meta:
        model = Entry
        fields = list(dict.fromkeys(_ENTRY_FIELD_NAMES))
        extra_kwargs = {name: {"required": False} for name in _ENTRY_FIELD_NAMES}
        extra_kwargs["occurred_on"] = {"required": True}


class RecordImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="CSV line (header is line 1) or JSON position.")
    summary = serializers.CharField()


class RecordImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class RecordImportResultSerializer(serializers.Serializer):
    """The outcome of an import: with errors (400) nothing was imported."""

    dry_run = serializers.BooleanField()
    clean = serializers.BooleanField(help_text="True when no row has an error.")
    imported = serializers.IntegerField(help_text="Entries created (0 on a dry run).")
    rows = RecordImportRowSerializer(many=True)
    errors = RecordImportErrorSerializer(many=True)  # type: ignore[assignment]  # see read_only


class EmergencyShareRedeemSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="The code the owner gave; spaces and dashes ignored."
    )


class EmergencyShareRedeemedSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField()
    animals = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the animals the practice now sees."
    )


class FavoriteDeletedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    practice_keeps = serializers.CharField(
        help_text="What the practice keeps after sharing stops (its own clinical record)."
    )
