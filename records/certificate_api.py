"""Vaccination certificates in the API (issue 11), for the owner: make, list and revoke
verification links, and download the PDF. The same services as the web pages
(records.certificates); the public verification page itself is web only."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.accounts.models import User

from . import certificates as certs
from . import selectors
from .certificate_pdf import certificate_pdf
from .models import Animal, CertificateLink


class CertificateLinkSerializer(serializers.ModelSerializer[CertificateLink]):
    status = serializers.CharField(read_only=True, help_text="live, expired or revoked")

    class Meta:
        model = CertificateLink
        fields = ["id", "animal", "created_at", "expires_at", "revoked_at", "status"]
        read_only_fields = fields


class CertificateLinkCreatedSerializer(CertificateLinkSerializer):
    url = serializers.CharField(
        read_only=True, help_text="The verification address. Shown only now: it is not kept."
    )
    qr_svg = serializers.CharField(
        read_only=True, help_text="The address's QR code as an SVG data: URI."
    )

    class Meta(CertificateLinkSerializer.Meta):
        fields = [*CertificateLinkSerializer.Meta.fields, "url", "qr_svg"]
        read_only_fields = fields


class CertificateLinkCreateSerializer(serializers.Serializer):
    days = serializers.ChoiceField(
        choices=list(certs.LINK_DAYS),
        default=certs.LINK_DAYS_DEFAULT,
        help_text="How many days the link works.",
    )


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf` (an error still answers JSON)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _owned_animal(request: Request, pk: object) -> Animal:
    return selectors.get_animal_for_user(_user(request), pk, owner=True).animal


@extend_schema(tags=["certificates"])
class CertificateLinksView(APIView):
    """The animal's certificate links (owner only); make a new one."""

    @extend_schema(responses=CertificateLinkSerializer(many=True))
    def get(self, request: Request, animal_pk: str) -> Response:
        animal = _owned_animal(request, animal_pk)
        links = certs.owner_certificate_links(_user(request), animal)
        return Response(CertificateLinkSerializer(links, many=True).data)

    @extend_schema(
        request=CertificateLinkCreateSerializer,
        responses={201: CertificateLinkCreatedSerializer},
    )
    def post(self, request: Request, animal_pk: str) -> Response:
        animal = _owned_animal(request, animal_pk)
        data = CertificateLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link, token = certs.certificate_link_create(
            owner=_user(request), animal=animal, days=data.validated_data["days"]
        )
        url = certs.link_url(token)
        link.url = url  # type: ignore[attr-defined]
        link.qr_svg = certs.qr_svg_data_uri(url)  # type: ignore[attr-defined]
        return Response(CertificateLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["certificates"])
class CertificateLinkRevokeView(APIView):
    """Revoke a link: it stops working at once."""

    @extend_schema(request=None, responses=CertificateLinkSerializer)
    def post(self, request: Request, pk: str) -> Response:
        link = certs.get_owner_certificate_link(_user(request), pk)
        link = certs.certificate_link_revoke(link=link)
        return Response(CertificateLinkSerializer(link).data)


@extend_schema(
    tags=["certificates"],
    parameters=[
        OpenApiParameter(
            "link",
            str,
            required=False,
            description="The token of a live link of this animal: adds its QR code.",
        )
    ],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY},
)
class CertificatePdfView(APIView):
    """The animal's vaccination certificate (NASPHV Form 51 fields) as a PDF (owner only)."""

    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    def get(self, request: Request, animal_pk: str) -> HttpResponse:
        animal = _owned_animal(request, animal_pk)
        token = request.query_params.get("link", "")
        url = (
            certs.live_link_url(owner=_user(request), animal=animal, token=token) if token else None
        )
        response = HttpResponse(
            certificate_pdf(certs.certificate_facts(animal), verify_url=url),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="vaccination-certificate-{animal.pk}.pdf"'
        )
        return response
