"""The practice side in the API (/api/v1/): the same services and selectors as the web
views, so the two can never disagree about who may see what."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.api import Pagination

from . import practice_selectors as sel
from . import practice_services as svc
from .models import (
    AccessLog,
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
from .practice_forms import _ENTRY_FIELD_NAMES, ClinicalEntryForm
from .selectors import entries_for

# --- serializers ---------------------------------------------------------------------


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


class FavoriteSerializer(serializers.ModelSerializer):
    practice = PracticeSerializer(read_only=True)
    practice_id = serializers.PrimaryKeyRelatedField(
        queryset=Practice.objects.all(), write_only=True, source="practice_obj"
    )
    animals = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Animal.objects.none(), required=False
    )
    # Checked by favorite_create (one rule for web and API): values of the entry kinds.
    kinds = serializers.ListField(child=serializers.CharField(), required=False)
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


class EmergencyShareSerializer(serializers.ModelSerializer):
    animals = serializers.PrimaryKeyRelatedField(many=True, queryset=Animal.objects.none())
    hours = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text="How long the share lasts: 72 hours if left out, at most 720 (30 days).",
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


class AccessLogSerializer(serializers.ModelSerializer):
    viewer_name = serializers.CharField(source="viewer.display_name", read_only=True)
    practice_name = serializers.CharField(source="practice.name", read_only=True, default=None)
    animal_name = serializers.CharField(source="animal.name", read_only=True, default=None)

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "created_at",
            "viewer_name",
            "practice",
            "practice_name",
            "animal",
            "animal_name",
            "view",
            "grant_kind",
            "grant_id",
        ]


class WorkspaceAnimalSerializer(serializers.ModelSerializer):
    species = serializers.CharField(source="species.name")

    class Meta:
        model = Animal
        fields = ["id", "name", "species", "sex", "date_of_birth", "microchip", "is_group"]


class EntrySerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", default=None)
    practice_name = serializers.CharField(source="practice.name", default=None)
    summary = serializers.CharField()

    class Meta:
        model = Entry
        exclude = ["document", "animal", "author", "practice"]


class MembershipSerializer(serializers.ModelSerializer):
    practice = PracticeSerializer()

    class Meta:
        model = PracticeMembership
        fields = ["id", "practice", "role", "is_practice_admin", "job_title", "joined_at"]


class WorkspaceClientOwnerSerializer(serializers.Serializer):
    """The client as the practice may see them: email and phone only where the owner
    shares their profile with the practice (absent otherwise, not null)."""

    id = serializers.IntegerField(source="owner.pk")
    name = serializers.CharField(source="owner.display_name")
    email = serializers.EmailField(
        source="owner.email", required=False, help_text="Only when the profile is shared."
    )
    phone = serializers.CharField(
        source="owner.phone", required=False, help_text="Only when the profile is shared."
    )
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
    grant = serializers.ChoiceField(choices=AccessLogGrant.choices, source="grant_kind")
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
    code = serializers.CharField(help_text="The code the owner gave; spaces and dashes ignored.")


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


# --- owners --------------------------------------------------------------------------


class PracticeSearchView(APIView):
    @extend_schema(
        operation_id="practices_search",
        parameters=[PracticeSearchSerializer],
        responses=inline_serializer(
            "PracticeSearchResults", {"results": PracticeSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        params = PracticeSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = sel.practice_search(**params.validated_data)
        return Response({"results": PracticeSerializer(results, many=True).data})


class PracticeDetailView(APIView):
    @extend_schema(responses=PracticeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PracticeSerializer(sel.get_practice(pk)).data)


class FavoriteListView(APIView):
    @extend_schema(
        operation_id="favorites_list",
        responses=inline_serializer("FavoriteList", {"results": FavoriteSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        favorites = sel.owner_favorites(request.user)  # type: ignore[arg-type]
        return Response(
            {"results": FavoriteSerializer(favorites, many=True, context={"request": request}).data}
        )

    @extend_schema(request=FavoriteSerializer, responses={201: FavoriteSerializer})
    def post(self, request: Request) -> Response:
        s = FavoriteSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        favorite = svc.favorite_create(
            owner=request.user,  # type: ignore[arg-type]
            practice=d["practice_obj"],
            share_profile=d.get("share_profile", True),
            all_animals=d.get("all_animals", True),
            animals=d.get("animals", []),
            kinds=d.get("kinds", []),
            ends_on=d.get("ends_on"),
            already_client=d.get("already_client", False),
            channel="api",
        )
        favorite = sel.get_owner_favorite(request.user, favorite.pk)  # type: ignore[arg-type]
        return Response(
            FavoriteSerializer(favorite, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class FavoriteDetailView(APIView):
    @extend_schema(responses=FavoriteSerializer)
    def get(self, request: Request, pk: int) -> Response:
        favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
        return Response(FavoriteSerializer(favorite, context={"request": request}).data)

    @extend_schema(request=FavoriteSerializer, responses=FavoriteSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
        s = FavoriteSerializer(
            favorite, data=request.data, partial=True, context={"request": request}
        )
        s.is_valid(raise_exception=True)
        d = s.validated_data
        svc.favorite_update(
            favorite=favorite,
            share_profile=d.get("share_profile", favorite.share_profile),
            all_animals=d.get("all_animals", favorite.all_animals),
            animals=d.get("animals", list(favorite.animals.all())),
            kinds=d.get("kinds", favorite.kinds),
            ends_on=d.get("ends_on", favorite.ends_on),
            channel="api",
        )
        favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
        return Response(FavoriteSerializer(favorite, context={"request": request}).data)

    @extend_schema(responses={200: FavoriteDeletedSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
        svc.favorite_delete(favorite=favorite, channel="api")
        return Response(
            FavoriteDeletedSerializer(
                {"detail": "Sharing stopped.", "practice_keeps": svc.CLINICAL_RECORD_NOTICE}
            ).data,
            status=status.HTTP_200_OK,
        )


class OwnerRequestListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "OwnerRecordRequests", {"results": RecordRequestSerializer(many=True)}
        )
    )
    def get(self, request: Request) -> Response:
        rows = sel.owner_requests(request.user)  # type: ignore[arg-type]
        return Response({"results": RecordRequestSerializer(rows, many=True).data})


class EmergencyShareListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "EmergencyShareList", {"results": EmergencyShareSerializer(many=True)}
        )
    )
    def get(self, request: Request) -> Response:
        shares = sel.owner_shares(request.user)  # type: ignore[arg-type]
        return Response(
            {
                "results": EmergencyShareSerializer(
                    shares, many=True, context={"request": request}
                ).data
            }
        )

    @extend_schema(request=EmergencyShareSerializer, responses={201: EmergencyShareSerializer})
    def post(self, request: Request) -> Response:
        s = EmergencyShareSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        hours = d.get("hours")
        share = svc.emergency_share_create(
            owner=request.user,  # type: ignore[arg-type]
            animals=d["animals"],
            hours=hours,
            practice=d.get("practice"),
        )
        return Response(
            EmergencyShareSerializer(share, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class EmergencyShareRevokeView(APIView):
    @extend_schema(request=None, responses=EmergencyShareSerializer)
    def post(self, request: Request, pk: int) -> Response:
        share = sel.get_owner_share(request.user, pk)  # type: ignore[arg-type]
        share = svc.emergency_share_revoke(share=share)
        return Response(EmergencyShareSerializer(share, context={"request": request}).data)


class AccessLogView(APIView):
    pagination_class = Pagination  # so the schema shows the page ({count, next, ...})

    @extend_schema(responses=AccessLogSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(
            sel.owner_access_log(request.user),  # type: ignore[arg-type]
            request,
            view=self,
        )
        return paginator.get_paginated_response(AccessLogSerializer(rows, many=True).data)


# --- the workspace -------------------------------------------------------------------


class WorkspaceView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "WorkspaceMemberships", {"results": MembershipSerializer(many=True)}
        )
    )
    def get(self, request: Request) -> Response:
        memberships = sel.active_memberships(request.user)  # type: ignore[arg-type]
        return Response({"results": MembershipSerializer(memberships, many=True).data})


class WorkspaceClientsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[WorkspaceClientSearchSerializer],
        responses=WorkspaceClientSerializer(many=True),
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        params = WorkspaceClientSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        keys = sel.workspace_client_keys(membership.practice, q=params.validated_data.get("q", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(keys, request, view=self)
        rows = sel.workspace_client_rows(request.user, page or [])  # type: ignore[arg-type]
        return paginator.get_paginated_response(WorkspaceClientSerializer(rows, many=True).data)


class WorkspaceAnimalView(APIView):
    @extend_schema(responses=WorkspaceAnimalRecordSerializer)
    def get(self, request: Request, practice_pk: int, animal_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        vis = sel.get_workspace_animal(
            request.user,  # type: ignore[arg-type]
            membership,
            animal_pk,
            view="animal record (app)",
        )
        owner = vis.animal.owner
        body = {
            "animal": vis.animal,
            "owner": {
                "id": owner.pk,
                "name": owner.display_name,
                "restricted": owner.is_restricted,
            },
            "read_only": owner.is_restricted,
            "shared_kinds": sorted(vis.kinds) if vis.kinds is not None else None,
            "vcpr_date": sel.vcpr_date(membership.practice, vis.animal),
            "entries": entries_for(vis),
        }
        return Response(WorkspaceAnimalRecordSerializer(body).data)


class WorkspaceEntryCreateView(APIView):
    @extend_schema(request=ClinicalEntryRequestSerializer, responses={201: EntrySerializer})
    def post(self, request: Request, practice_pk: int, animal_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        vis = sel.get_workspace_animal(
            request.user,  # type: ignore[arg-type]
            membership,
            animal_pk,
            view="add entry (app)",
        )
        form = ClinicalEntryForm(data=request.data)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        entry = svc.clinical_entry_create(
            vis=vis,
            author=request.user,  # type: ignore[arg-type]
            **form.service_kwargs(),
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WorkspaceRequestListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "PracticeRecordRequests", {"results": RecordRequestSerializer(many=True)}
        )
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        rows = sel.practice_requests(request.user, membership.practice)  # type: ignore[arg-type]
        return Response({"results": RecordRequestSerializer(rows, many=True).data})


class WorkspaceRequestAnswerView(APIView):
    @extend_schema(
        request=inline_serializer(
            "RecordRequestAnswer", {"note": serializers.CharField(required=False)}
        ),
        responses=RecordRequestSerializer,
    )
    def post(self, request: Request, practice_pk: int, pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        record_request = sel.get_practice_request(request.user, membership, pk)  # type: ignore[arg-type]
        record_request = svc.record_request_answer(
            record_request=record_request,
            actor=request.user,  # type: ignore[arg-type]
            note=str(request.data.get("note", "")),
        )
        return Response(RecordRequestSerializer(record_request).data)


class WorkspaceRequestImportView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "RecordImport",
                {
                    "file": serializers.FileField(),
                    "dry_run": serializers.BooleanField(default=True),
                },
            )
        },
        responses={200: RecordImportResultSerializer, 400: RecordImportResultSerializer},
    )
    def post(self, request: Request, practice_pk: int, pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        record_request = sel.get_practice_request(request.user, membership, pk)  # type: ignore[arg-type]
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Attach a CSV or JSON file."]})
        dry_run = str(request.data.get("dry_run", "true")).lower() not in ("false", "0", "no")
        result = svc.record_request_import(
            record_request=record_request,
            membership=membership,
            content=upload.read(),
            filename=upload.name or "",
            dry_run=dry_run,
        )
        body = RecordImportResultSerializer(
            {
                "dry_run": dry_run,
                "clean": result.is_clean,
                "imported": result.imported,
                "rows": result.rows,
                "errors": result.errors,
            }
        ).data
        code = status.HTTP_200_OK if result.is_clean else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)


class WorkspaceRedeemView(APIView):
    @extend_schema(
        request=EmergencyShareRedeemSerializer,
        responses=EmergencyShareRedeemedSerializer,
    )
    def post(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        share = svc.emergency_share_redeem(
            code=str(request.data.get("code", "")),
            user=request.user,  # type: ignore[arg-type]
            practice=membership.practice,
        )
        return Response(
            EmergencyShareRedeemedSerializer(
                {"expires_at": share.expires_at, "animals": [a.pk for a in share.animals.all()]}
            ).data
        )
