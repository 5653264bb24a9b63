"""The record as FHIR R4: the download button on the animal page and
GET /api/v1/animals/<id>/fhir/. Both doors call records.fhir.animal_fhir_export (the
owner's own animal only; 404 for anyone else) and answer application/fhir+json."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from vetpass.accounts.models import User

from . import fhir


def _download(bundle: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(bundle, cls=DjangoJSONEncoder, indent=2),
        content_type=f"{fhir.MEDIA_TYPE}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{fhir.filename(bundle)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def animal_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return _download(fhir.animal_fhir_export(user=user, animal_pk=pk))


@extend_schema(
    tags=["animals"],
    summary="The animal's record as a FHIR R4 Bundle (owner only)",
    responses={
        (200, fhir.MEDIA_TYPE): OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="A FHIR R4 Bundle of type collection: Patient (patient-animal), "
            "the owner as RelatedPerson, Immunization, ImmunizationRecommendation, "
            "Observation (body weight, lab results), AllergyIntolerance, "
            "MedicationStatement and DocumentReference.",
        ),
        404: OpenApiResponse(description="No such animal of yours."),
    },
)
class AnimalFhirView(APIView):
    def get(self, request: Request, pk: str) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        return _download(fhir.animal_fhir_export(user=user, animal_pk=pk))
