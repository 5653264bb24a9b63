"""The practice side in the API (/api/v1/): the same services and selectors as the web
views, so the two can never disagree about who may see what."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from vetpass.api import Pagination
from vetpass.parsers import JSONObjectParser

from ..models import Favorite
from ..selectors import entries_for
from . import selectors as sel
from . import services as svc
from .client_keys import ClientCursor, InvalidCursor
from .forms import ClinicalEntryForm
from .serializers import (
    AccessLogSerializer,
    ClinicalEntryRequestSerializer,
    EmergencyShareRedeemedSerializer,
    EmergencyShareRedeemSerializer,
    EmergencyShareSerializer,
    EntrySerializer,
    FavoriteDeletedSerializer,
    FavoriteSerializer,
    MembershipSerializer,
    PracticeRecordRequestSerializer,
    PracticeSearchSerializer,
    PracticeSerializer,
    RecordImportResultSerializer,
    RecordRequestAnswerSerializer,
    RecordRequestSerializer,
    WorkspaceAnimalRecordSerializer,
    WorkspaceClientSearchSerializer,
    WorkspaceClientSerializer,
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
            # The serializer made sure one of the two was said; kinds alone means only these.
            all_kinds=d.get("all_kinds", False),
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


def _kinds_change(
    favorite: Favorite, all_kinds: bool | None, kinds: list[str] | None
) -> tuple[bool, list[str]]:
    """A PATCH's (all_kinds, kinds): what it leaves out stays as it was; `kinds` alone means
    only these (an empty list is then refused by the service, never read as "all")."""
    if all_kinds is None and kinds is None:
        return not favorite.kinds, list(favorite.kinds)
    if all_kinds is None:
        return False, list(kinds or [])
    if kinds is None:
        return all_kinds, [] if all_kinds else list(favorite.kinds)
    return all_kinds, list(kinds)


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
        all_kinds, kinds = _kinds_change(favorite, d.get("all_kinds"), d.get("kinds"))
        svc.favorite_update(
            favorite=favorite,
            share_profile=d.get("share_profile", favorite.share_profile),
            all_animals=d.get("all_animals", favorite.all_animals),
            animals=d.get("animals", list(favorite.animals.all())),
            all_kinds=all_kinds,
            kinds=kinds,
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
    """Your emergency shares; create one for a clinic you have not favorited. The clinic
    sees the records of the animals chosen, not your name or contact details."""

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


class ClientListPagination(CursorPagination):
    """Keyset pages for the client list (issue 10): {next, previous, results}, no count —
    counting a practice's clients costs what all of them cost. `cursor` is opaque; the
    page itself is read by `selectors.workspace_client_page`, this class gives the schema
    and the page size (50, up to 200)."""

    page_size = sel.CLIENTS_PER_PAGE
    page_size_query_param = "page_size"
    max_page_size = 200

    def link(self, request: Request, cursor: ClientCursor | None) -> str | None:
        if cursor is None:
            return None
        url = request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor.encode())


class WorkspaceClientsView(APIView):
    pagination_class = ClientListPagination

    @extend_schema(
        parameters=[WorkspaceClientSearchSerializer],
        responses=WorkspaceClientSerializer(many=True),
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        params = WorkspaceClientSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        text = request.query_params.get(paginator.cursor_query_param, "")
        try:
            cursor = ClientCursor.decode(text) if text else None
        except InvalidCursor:
            raise serializers.ValidationError({"cursor": ["Invalid cursor."]}) from None
        page = sel.workspace_client_page(
            membership.practice,
            q=params.validated_data.get("q", ""),
            cursor=cursor,
            size=paginator.get_page_size(request) or sel.CLIENTS_PER_PAGE,
        )
        rows = sel.workspace_client_rows(request.user, membership.practice, page.keys)  # type: ignore[arg-type]
        return Response(
            {
                "next": paginator.link(request, page.next),
                "previous": paginator.link(request, page.previous),
                "results": WorkspaceClientSerializer(rows, many=True).data,
            }
        )


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
        client = sel.client_identity(membership.practice, owner)
        body = {
            "animal": vis.animal,
            "owner": {
                "id": owner.pk,
                "name": client.name,
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
            "PracticeRecordRequests", {"results": PracticeRecordRequestSerializer(many=True)}
        )
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        rows = sel.practice_requests(request.user, membership.practice)  # type: ignore[arg-type]
        return Response({"results": PracticeRecordRequestSerializer(rows, many=True).data})


class WorkspaceRequestAnswerView(APIView):
    @extend_schema(request=RecordRequestAnswerSerializer, responses=PracticeRecordRequestSerializer)
    def post(self, request: Request, practice_pk: int, pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        record_request = sel.get_practice_request(request.user, membership, pk)  # type: ignore[arg-type]
        answer = RecordRequestAnswerSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        record_request = svc.record_request_answer(
            record_request=record_request,
            actor=request.user,  # type: ignore[arg-type]
            note=answer.validated_data.get("note", ""),
        )
        return Response(PracticeRecordRequestSerializer(record_request).data)


class WorkspaceRequestImportView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONObjectParser]

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
        redeem = EmergencyShareRedeemSerializer(data=request.data)
        redeem.is_valid(raise_exception=True)
        share = svc.emergency_share_redeem(
            code=redeem.validated_data["code"],
            user=request.user,  # type: ignore[arg-type]
            practice=membership.practice,
        )
        return Response(
            EmergencyShareRedeemedSerializer(
                {"expires_at": share.expires_at, "animals": [a.pk for a in share.animals.all()]}
            ).data
        )
