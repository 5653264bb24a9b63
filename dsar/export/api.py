"""The export in the API: its progress on each request (/api/v1/privacy/requests/) and the
download of the finished zip (/api/v1/privacy/requests/<reference>/export/)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from . import services
from .models import DataExport
from .views import zip_response


class ExportProgressSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = [
            "status",
            "percent",
            "tables_done",
            "tables_total",
            "created_at",
            "ready_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export: DataExport) -> str | None:
        if not export.is_downloadable():
            return None
        return reverse(
            "api:privacy-request-export",
            args=[export.request.reference],
            request=self.context.get("request"),
        )


def export_progress(export: DataExport | None, context: dict[str, Any]) -> dict[str, Any] | None:
    if export is None:
        return None
    return ExportProgressSerializer(export, context=context).data  # type: ignore[return-value]


class ExportDownloadView(APIView):
    @extend_schema(
        operation_id="privacy_requests_export_download",
        tags=["privacy"],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        description="The zip of your copy of your data, while its link is valid (7 days).",
    )
    def get(self, request: Request, reference: str) -> FileResponse:
        user: Any = request.user
        export = services.export_for_owner(user=user, reference=reference)
        services.export_downloaded(export=export, user=user)
        return zip_response(export)
