"""Data-subject requests in the API (/api/v1/privacy/requests/): the app's door to the same
intake as the privacy centre. Making a request needs a fresh re-authentication
(`POST /_allauth/app/v1/auth/reauthenticate`), which is what verifies it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.contrib.sessions.backends.base import SessionBase
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import intake, selectors
from .dashboard import privacy_dashboard
from .export.api import ExportProgressSerializer, export_progress
from .export.selectors import latest_exports
from .models import Channel, DataSubjectRequest, RequestType
from .retention.notices import keep_records


class ReauthenticationRequired(exceptions.PermissionDenied):
    default_detail = (
        "Confirm your password first (POST /_allauth/app/v1/auth/reauthenticate): it "
        "verifies that the request is yours."
    )
    default_code = "reauthentication_required"


class DataSubjectRequestSerializer(serializers.ModelSerializer):
    due_on = serializers.DateField(read_only=True)
    export = serializers.SerializerMethodField()

    class Meta:
        model = DataSubjectRequest
        fields = [
            "reference",
            "type",
            "status",
            "details",
            "received_at",
            "acknowledge_by",
            "respond_by",
            "due_on",
            "export",
        ]
        read_only_fields = [f for f in fields if f not in ("type", "details")]

    @extend_schema_field(ExportProgressSerializer(allow_null=True))
    def get_export(self, request: DataSubjectRequest) -> dict[str, Any] | None:
        """The latest export of the request (its progress, then its download link)."""
        exports = self.context.get("exports", {})
        return export_progress(exports.get(request.pk), self.context)


class NewRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RequestType.choices)
    details = serializers.CharField(required=False, allow_blank=True, max_length=5000)


def _recently_reauthenticated(request: Request) -> bool:
    session = request.auth if isinstance(request.auth, SessionBase) else request._request.session
    return did_recently_reauthenticate(SimpleNamespace(user=request.user, session=session))  # type: ignore[arg-type]


class RequestListView(APIView):
    @extend_schema(
        operation_id="privacy_requests_list",
        responses=inline_serializer(
            "DataSubjectRequestList", {"results": DataSubjectRequestSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        rows = list(selectors.requests_of(request.user))  # type: ignore[arg-type]
        context = {"request": request, "exports": latest_exports(rows)}
        return Response(
            {"results": DataSubjectRequestSerializer(rows, many=True, context=context).data}
        )

    @extend_schema(
        operation_id="privacy_requests_create",
        request=NewRequestSerializer,
        responses={201: DataSubjectRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        data: Any = NewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not _recently_reauthenticated(request):
            raise ReauthenticationRequired()
        case = intake.dsar_intake_signed_in(
            user=request.user,  # type: ignore[arg-type]
            type=data.validated_data["type"],
            details=data.validated_data.get("details", ""),
            channel=Channel.API,
        )
        return Response(DataSubjectRequestSerializer(case).data, status=status.HTTP_201_CREATED)


class HeldKindSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the field named "label"
    count = serializers.IntegerField()


class RecentReadSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="last_at")
    times = serializers.IntegerField(source="count")
    who = serializers.CharField(source="viewer_name")
    organisation = serializers.CharField(source="organisation_name", allow_null=True)
    page = serializers.CharField(source="view")
    animal = serializers.CharField(source="animal__name", allow_null=True)


class ConsentLineSerializer(serializers.Serializer):
    purpose = serializers.CharField(source="purpose.code")
    name = serializers.CharField(source="purpose.name")
    scope = serializers.CharField()
    state = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    held = HeldKindSerializer(many=True)
    recent_reads = RecentReadSerializer(many=True)
    consents = ConsentLineSerializer(many=True)
    open_requests = DataSubjectRequestSerializer(many=True)
    removal_at = serializers.DateTimeField(
        help_text="When the account would be removed if it were not used again from now."
    )
    notice_sent = serializers.SerializerMethodField()

    def get_notice_sent(self, board: Any) -> bool:
        return board.notice is not None


class DashboardView(APIView):
    @extend_schema(operation_id="privacy_dashboard", responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        board = privacy_dashboard(request.user)  # type: ignore[arg-type]
        return Response(DashboardSerializer(board).data)


class KeepRecordsView(APIView):
    @extend_schema(operation_id="privacy_keep_records", request=None, responses=DashboardSerializer)
    def post(self, request: Request) -> Response:
        """Keep my records: counts as using VetPass, so no removal is pending."""
        keep_records(owner=request.user)  # type: ignore[arg-type]
        board = privacy_dashboard(request.user)  # type: ignore[arg-type]
        return Response(DashboardSerializer(board).data)
