"""The owner side of the REST API: animals and herds, their record entries, co-owner
invitations and co-owners.

Thin views: every lookup goes through records.selectors (anything the user may not see
answers 404, never 403), every write through records.services — the same functions the
web views call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.accounts.models import User
from vetpass.api import Pagination
from vetpass.parsers import JSONObjectParser

from . import api_lean, selectors, services
from .models import Animal, AnimalAccess, CoOwnerInvitation, Entry, EntrySource, Species
from .serializers import (
    ANIMAL_LIST_COLUMNS,
    ENTRY_LIST_COLUMNS,
    AnimalMoveSerializer,
    AnimalSerializer,
    CoOwnerSerializer,
    EntryFilterSerializer,
    EntrySerializer,
    EntryUpdateSerializer,
    InvitationCreateSerializer,
    InvitationTokenSerializer,
    ReceivedInvitationSerializer,
    SentInvitationSerializer,
    SpeciesSerializer,
    animal_list_rows,
    entry_list_rows,
)

PARSERS = [JSONObjectParser, MultiPartParser, FormParser]
# A multipart body this much larger than the file limit cannot hold an acceptable file.
UPLOAD_BODY_SLACK = 1024 * 1024


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class UploadLimitMixin:
    """Refuse an oversized upload before its body is read, as a field error on the file.

    Django streams multipart files to disk whatever their size (DATA_UPLOAD_MAX_MEMORY_SIZE
    counts only the other fields), so without this a 30 MB photo would be written to a
    temporary file just to be refused by the 10 MB validator."""

    upload_field = "document"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if not (request.content_type or "").startswith("multipart/"):
            return
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_UPLOAD_BYTES
        if length > limit + UPLOAD_BODY_SLACK:
            raise ValidationError(
                {
                    self.upload_field: [
                        f"The file is about {length / 1024 / 1024:.0f} MB; "
                        f"the limit is {limit // 1024 // 1024} MB."
                    ]
                },
                code="too_large",
            )


# --- reference data ----------------------------------------------------------------------


@extend_schema(tags=["reference data"])
class SpeciesListView(generics.ListAPIView[Species]):
    """Species and their breeds, each with a short care summary."""

    serializer_class = SpeciesSerializer
    pagination_class = None
    queryset = Species.objects.prefetch_related("breeds")


# --- animals and herds -------------------------------------------------------------------


class AnimalFilter(django_filters.FilterSet):
    species = django_filters.CharFilter(
        field_name="species__slug", help_text="A species slug, e.g. `dog`."
    )
    is_group = django_filters.BooleanFilter(help_text="Herds and groups only (or none).")
    deceased = django_filters.BooleanFilter()
    group = django_filters.NumberFilter(
        field_name="group_id", method="filter_group", help_text="The members of this herd or group."
    )

    class Meta:
        model = Animal
        fields = ["species", "is_group", "deceased", "group"]

    def filter_group(
        self, queryset: QuerySet[Animal], name: str, value: Decimal
    ) -> QuerySet[Animal]:
        # A number no id can be matches nothing, on every database (SQLite's driver raised
        # OverflowError on it, a 500), as in the statement of api_lean.
        herd = api_lean.group_id(value)
        return queryset.none() if herd is None else queryset.filter(**{name: herd})


@extend_schema(tags=["animals"])
class AnimalViewSet(
    UploadLimitMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Animal],
):
    """Your animals and herds, and those co-owners shared with you.

    A herd or group is an animal with `is_group` and a `head_count`. Send `photo` as
    multipart/form-data."""

    serializer_class = AnimalSerializer
    filterset_class = AnimalFilter
    page_counts_itself = True  # vetpass.api.Pagination: the page and its total in one query
    parser_classes = PARSERS
    upload_field = "photo"

    def get_queryset(self) -> QuerySet[Animal]:
        return selectors.animals_owned_or_shared(_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if api_lean.available() and request.accepted_renderer.format == "json":
            return self._lean_list(request)
        # Only the columns shown, and rows built without a serializer per animal: the
        # same answer as AnimalSerializer's (issue 10; tests/api/test_lean_lists.py).
        rows = self.filter_queryset(self.get_queryset()).values(*ANIMAL_LIST_COLUMNS)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        if page is None:
            return Response(animal_list_rows(rows, request=request))
        return self.get_paginated_response(animal_list_rows(page, request=request))  # type: ignore[arg-type]

    def _lean_list(self, request: Request) -> HttpResponseBase:
        """The page as PostgreSQL writes it (records.api_lean): the same answer, with no
        Python per animal. The filters go through AnimalFilter's form only when some are
        given, so that bad values get its field errors."""
        cleaned: dict[str, Any] = {}
        if any(name in request.query_params for name in AnimalFilter.base_filters):
            filterset = AnimalFilter(
                request.query_params, queryset=Animal.objects.none(), request=request
            )
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            cleaned = filterset.form.cleaned_data
        query = api_lean.AnimalListQuery.from_filters(_user(request).pk, cleaned)
        link = api_lean.photo_link(request)

        def fetch(limit: int, offset: int) -> tuple[int, str]:
            if query is None:
                return 0, "[]"
            return query.page(limit=limit, offset=offset, photo_link=link)

        paginator = self.paginator
        assert isinstance(paginator, Pagination)
        body = paginator.paginate_json(request, fetch, count=lambda: query.count() if query else 0)
        return HttpResponse(body, content_type="application/json")

    def get_object(self) -> Animal:
        # Changing needs edit rights; deleting and arranging herds need ownership (as on
        # the web, whose form offers a co-owner no herd); either way a 404 otherwise.
        edit = self.action in ("update", "partial_update", "destroy", "move")
        owner = self.action in ("destroy", "move")
        vis = selectors.get_animal_for_user(
            _user(self.request), self.kwargs["pk"], edit=edit, owner=owner
        )
        identity = selectors.owner_identity(vis)
        if identity is not None:
            # Practice staff see the owner as the practice may (§1.7), not their name.
            vis.animal.owner_label = identity.name  # type: ignore[attr-defined]
        return vis.animal

    def perform_create(self, serializer: serializers.BaseSerializer[Animal]) -> None:
        serializer.instance = services.animal_create(
            owner=_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Animal]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.animal_update(
            animal=serializer.instance, actor=_user(self.request), **serializer.validated_data
        )

    def perform_destroy(self, instance: Animal) -> None:
        services.animal_delete(animal=instance, actor=_user(self.request))

    @extend_schema(request=AnimalMoveSerializer, responses=AnimalSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONObjectParser, FormParser])
    def move(self, request: Request, pk: str) -> Response:
        """Move the animal into a herd or group of the same owner, or out of one (null)."""
        animal = self.get_object()
        data = AnimalMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group: Animal | None = None
        group_id = data.validated_data["group"]
        if group_id is not None:
            try:
                group = selectors.get_animal_for_user(_user(request), group_id, owner=True).animal
            except Http404:
                raise ValidationError({"group": ["Choose one of your herds or groups."]}) from None
        animal = services.animal_move_to_group(animal=animal, group=group, actor=_user(request))
        return Response(self.get_serializer(animal).data)


# --- record entries ----------------------------------------------------------------------


def _a_page_number(request: Request, paginator: Pagination) -> bool:
    """Whether Pagination.paginate_json takes the page asked for as it is, without an
    error or a count first: absent, or a whole number from 1 (not `last`)."""
    raw = request.query_params.get(paginator.page_query_param) or "1"
    if raw in paginator.last_page_strings:
        return False
    try:
        return int(raw) >= 1
    except ValueError:
        return False


@extend_schema_view(
    get=extend_schema(parameters=[EntryFilterSerializer]),
)
@extend_schema(tags=["record entries"])
class AnimalEntriesView(UploadLimitMixin, generics.ListCreateAPIView[Entry]):
    """An animal's record, newest first; add an entry (a document as multipart/form-data)."""

    serializer_class = EntrySerializer
    queryset = Entry.objects.none()  # for the schema; get_queryset decides
    parser_classes = PARSERS
    page_counts_itself = True  # vetpass.api.Pagination: the page and its total in one query

    visibility: selectors.Visibility | None = None

    def _visibility(self) -> selectors.Visibility:
        if self.visibility is None:
            self.visibility = selectors.get_animal_for_user(
                _user(self.request), self.kwargs["animal_pk"], edit=self.request.method == "POST"
            )
        return self.visibility

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Visibility first: someone else's animal answers 404 whatever the body says.
        self._visibility()
        return super().create(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Entry]:
        query = EntryFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.entries_for(self._visibility(), kind=query.validated_data.get("kind"))

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.visibility is not None:
            context["owner_side"] = self.visibility.is_owner_side
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if api_lean.available() and request.accepted_renderer.format == "json":
            return self._lean_list(request)
        # Rows, not models (of the author and the practice only the names shown), built
        # without a serializer per entry: the same answer as EntrySerializer's (issue 10;
        # tests/api/test_lean_lists.py).
        entries = self.filter_queryset(self.get_queryset()).values(*ENTRY_LIST_COLUMNS)
        page = self.paginate_queryset(entries)
        owner_side = self._visibility().is_owner_side
        rows = entry_list_rows(
            entries if page is None else page, request=request, owner_side=owner_side
        )
        return Response(rows) if page is None else self.get_paginated_response(rows)

    def _lean_list(self, request: Request) -> HttpResponseBase:
        """The page as PostgreSQL writes it (records.api_lean.EntryListQuery): the same
        answer, with no Python per entry. The look is get_animal_for_user's, as above,
        except that the owner's side (their own animal, or one shared with them) is checked
        in the page's own statement; anything else (a 404, a practice's look) is still
        that selector's answer, asked before any page error could answer first."""
        query = EntryFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data.get("kind")
        link = api_lean.document_link(request)
        paginator = self.paginator
        assert isinstance(paginator, Pagination)
        animal_id = self.kwargs["animal_pk"]
        # Folded only when the page goes straight to the statement: a bad page number or
        # page=last is answered before it runs, and an animal the user may not see must
        # answer its 404 before those, as it always did.
        animal_id = int(self.kwargs["animal_pk"])
        fold = (
            self.visibility is None
            and _a_page_number(request, paginator)
            and api_lean.fits_bigint(animal_id)
        )
        if not fold:
            self._visibility()

        def fetch(limit: int, offset: int) -> tuple[int, str]:
            if fold:
                page = api_lean.EntryListQuery.owner_side_page(
                    user_id=_user(request).pk,
                    animal_id=animal_id,
                    kind=kind,
                    limit=limit,
                    offset=offset,
                    document_link=link,
                )
                if page is not None:
                    return page
            return self._lean_query(kind).page(limit=limit, offset=offset, document_link=link)

        body = paginator.paginate_json(request, fetch, count=lambda: self._lean_query(kind).count())
        return HttpResponse(body, content_type="application/json")

    def _lean_query(self, kind: str | None) -> api_lean.EntryListQuery:
        return api_lean.EntryListQuery.for_visibility(self._visibility(), kind)

    def perform_create(self, serializer: serializers.BaseSerializer[Entry]) -> None:
        vis = self._visibility()
        source, practice = EntrySource.OWNER, None
        if not vis.is_owner_side:
            source, practice = EntrySource.PRACTICE, getattr(vis.via, "practice", None)
        serializer.instance = services.entry_create(
            animal=vis.animal,
            author=_user(self.request),
            source=source,
            practice=practice,
            **serializer.validated_data,
        )


@extend_schema(tags=["record entries"])
class EntryDetailView(UploadLimitMixin, generics.RetrieveUpdateDestroyAPIView[Entry]):
    """One record entry. Its kind never changes: add a new entry instead."""

    parser_classes = PARSERS

    def get_serializer_class(self) -> type[EntrySerializer]:
        return EntrySerializer if self.request.method == "GET" else EntryUpdateSerializer

    def get_object(self) -> Entry:
        # With edit, the selector asks services.entry_check_change: an entry a practice
        # wrote answers 404 to a change, as on the web.
        entry, vis = selectors.get_entry_for_user(
            _user(self.request), self.kwargs["pk"], edit=self.request.method != "GET"
        )
        self.owner_side = vis.is_owner_side
        return entry

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["owner_side"] = getattr(self, "owner_side", True)
        return context

    def perform_update(self, serializer: serializers.BaseSerializer[Entry]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.entry_update(
            entry=serializer.instance, actor=_user(self.request), **serializer.validated_data
        )

    def perform_destroy(self, instance: Entry) -> None:
        services.entry_delete(entry=instance, actor=_user(self.request))


@extend_schema(
    tags=["record entries"],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
)
class EntryDocumentView(APIView):
    """The entry's uploaded document, after the same visibility check as the entry."""

    def get(self, request: Request, pk: str) -> FileResponse:
        entry, _vis = selectors.get_entry_for_user(_user(request), pk)
        if not entry.document:
            raise Http404("This entry has no document.")
        return FileResponse(
            entry.document.open("rb"),
            as_attachment=True,
            filename=entry.document.name.rsplit("/", 1)[-1],
        )


@extend_schema(
    tags=["animals"],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
)
class AnimalPhotoView(APIView):
    """The animal's photo, after the same visibility check as the animal."""

    def get(self, request: Request, pk: str) -> FileResponse:
        vis = selectors.get_animal_for_user(_user(request), pk, view="photo")
        if not vis.animal.photo:
            raise Http404("This animal has no photo.")
        response = FileResponse(vis.animal.photo.open("rb"))
        response["Cache-Control"] = "private, no-store"
        return response


# --- co-owner invitations and co-owners --------------------------------------------------


def _owned_animal(user: User, pk: object) -> Animal:
    """Only the owner invites and sees the invitations of an animal."""
    return selectors.get_animal_for_user(user, pk, owner=True).animal


@extend_schema(tags=["co-owners"])
class AnimalInvitationsView(generics.ListCreateAPIView[CoOwnerInvitation]):
    """The animal's invitations (owner only); invite someone by email to view or edit it."""

    serializer_class = SentInvitationSerializer
    queryset = CoOwnerInvitation.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self) -> QuerySet[CoOwnerInvitation]:
        animal = _owned_animal(_user(self.request), self.kwargs["animal_pk"])
        return CoOwnerInvitation.objects.filter(animal=animal).select_related("animal")

    @extend_schema(request=InvitationCreateSerializer, responses={201: SentInvitationSerializer})
    def post(self, request: Request, animal_pk: str) -> Response:
        animal = _owned_animal(_user(request), animal_pk)
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            animal=animal, invited_by=_user(request), **data.validated_data
        )
        return Response(SentInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["co-owners"])
class ReceivedInvitationsView(generics.ListAPIView[CoOwnerInvitation]):
    """Invitations sent to your email address, newest first."""

    serializer_class = ReceivedInvitationSerializer
    queryset = CoOwnerInvitation.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self) -> QuerySet[CoOwnerInvitation]:
        return CoOwnerInvitation.objects.filter(
            email=_user(self.request).email.lower()
        ).select_related("animal", "invited_by")


@extend_schema(tags=["co-owners"])
class SentInvitationsView(generics.ListAPIView[CoOwnerInvitation]):
    """Invitations you sent, newest first."""

    serializer_class = SentInvitationSerializer
    queryset = CoOwnerInvitation.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self) -> QuerySet[CoOwnerInvitation]:
        return CoOwnerInvitation.objects.filter(invited_by=_user(self.request)).select_related(
            "animal"
        )


NO_OPEN_INVITATION = OpenApiResponse(description="No invitation with this token for you.")


@extend_schema(tags=["co-owners"], request=InvitationTokenSerializer)
class InvitationAcceptView(APIView):
    """Accept an invitation sent to your email address: the animal is shared with you."""

    @extend_schema(responses={200: CoOwnerSerializer, 404: NO_OPEN_INVITATION})
    def post(self, request: Request) -> Response:
        data = InvitationTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = services.invitation_accept(token=data.validated_data["token"], user=_user(request))
        return Response(CoOwnerSerializer(access).data)


@extend_schema(tags=["co-owners"], request=InvitationTokenSerializer)
class InvitationDeclineView(APIView):
    @extend_schema(responses={200: ReceivedInvitationSerializer, 404: NO_OPEN_INVITATION})
    def post(self, request: Request) -> Response:
        data = InvitationTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_decline(
            token=data.validated_data["token"], user=_user(request)
        )
        return Response(ReceivedInvitationSerializer(invitation).data)


@extend_schema(tags=["co-owners"], request=None)
class InvitationRevokeView(APIView):
    """Withdraw an invitation you sent (or one sent for an animal you own)."""

    @extend_schema(responses={200: SentInvitationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        invitation = (
            CoOwnerInvitation.objects.filter(Q(invited_by=user) | Q(animal__owner=user), pk=pk)
            .select_related("animal")
            .first()
        )
        if invitation is None:
            raise Http404("No such invitation.")
        invitation = services.invitation_revoke(invitation=invitation)
        return Response(SentInvitationSerializer(invitation).data)


@extend_schema(tags=["co-owners"])
class CoOwnersView(generics.ListAPIView[AnimalAccess]):
    """The people an animal is shared with: its owner's list (co-owners and anyone else
    get a 404, as on the web)."""

    serializer_class = CoOwnerSerializer
    queryset = AnimalAccess.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self) -> QuerySet[AnimalAccess]:
        # The owner's list, as on the web: 404 to anyone else, before any read is logged.
        return selectors.co_owners_for(_user(self.request), self.kwargs["animal_pk"])


@extend_schema(tags=["co-owners"])
class CoOwnerDetailView(APIView):
    @extend_schema(responses={204: OpenApiResponse(description="Access removed.")})
    def delete(self, request: Request, animal_pk: str, pk: int) -> Response:
        """The owner removes a co-owner, or a co-owner gives their own access up."""
        access = selectors.get_access_for_user(_user(request), animal_pk, pk)
        services.access_remove(access=access)
        return Response(status=status.HTTP_204_NO_CONTENT)
