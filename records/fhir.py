"""The animal's record as a FHIR R4 Bundle (issue 11): the owner takes the record with them.

What goes in is decided by the declaration beside the personal-data map
(records.privacy.FHIR_EXPORT): every model field the builder reads goes through
`exported()`, which refuses a field the map calls personal unless the mapping names the
FHIR element that carries it. So a new personal field never leaks into the bundle by
accident, and a test walks the finished JSON for the values of every unmapped field.

Resources are shaped for FHIR R4 (4.0.1) and checked with the `fhir.resources` R4B models
(FHIR 4.3.0; the resources used here have the same shape in R4 and R4B) before they leave:
the bundle is parsed by `fhir.resources.R4B.bundle.Bundle`, which refuses unknown elements,
wrong types and missing required elements.
"""

from __future__ import annotations

import mimetypes
import uuid
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts import privacy as accounts_privacy
from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from . import privacy, selectors
from .models import Animal, Entry, EntryKind, Sex
from .visibility import Visibility

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"
PATIENT_ANIMAL = "http://hl7.org/fhir/StructureDefinition/patient-animal"
GENDER_STATUS = "http://terminology.hl7.org/CodeSystem/animal-genderstatus"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
IMMUNIZATION_FORECAST = "http://terminology.hl7.org/CodeSystem/immunization-recommendation-status"
MICROCHIP_SYSTEM = "urn:iso:std:iso:11784"
# Stable resource ids: the same record gives the same ids in every download.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://vetpass.example/fhir")

# The kinds of entry the bundle carries, and as what.
EXPORTED_KINDS = (
    EntryKind.VACCINATION,
    EntryKind.WEIGHT,
    EntryKind.LAB_RESULT,
    EntryKind.MEDICATION,
    EntryKind.ALLERGY,
    EntryKind.DOCUMENT,
)
_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown", Sex.MIXED: "other"}


class UnmappedFieldError(LookupError):
    """The builder tried to export a personal field that FHIR_EXPORT does not map."""


def _personal_map() -> dict[str, dict[str, Any]]:
    return {**accounts_privacy.PERSONAL_DATA, **privacy.PERSONAL_DATA}


def exported(obj: models.Model, field: str) -> Any:
    """The value of one field for the bundle: refused unless the mapping names the element
    that carries it, or the personal-data map calls the field not personal."""
    label = obj._meta.label
    if field not in privacy.FHIR_EXPORT.get(label, {}):
        declared = _personal_map().get(label, {}).get(field)
        if declared is None or declared.personal:
            raise UnmappedFieldError(
                f"{label}.{field} is not mapped to a FHIR element in records.privacy.FHIR_EXPORT"
            )
    return getattr(obj, field)


def mapping_problems() -> list[str]:
    """Mapping entries that name no field of the model (a renamed field must be re-mapped)."""
    problems = []
    for label, fields in privacy.FHIR_EXPORT.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        problems += [f"{label}.{name}" for name in fields if name not in names]
    return problems


def _urn(label: str, pk: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{label}:{pk}')}"


def _id(urn: str) -> str:
    return urn.removeprefix("urn:uuid:")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _text(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _notes(entry: Entry, *extra: str) -> list[dict[str, str]]:
    text = _text(exported(entry, "title"), *extra, exported(entry, "notes"))
    return [{"text": text}] if text else []


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    """Drop empty elements: FHIR forbids empty strings, lists and objects."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


# --- resources --------------------------------------------------------------------------------


def _patient(animal: Animal, urn: str) -> dict[str, Any]:
    species = exported(animal, "species")
    breed = exported(animal, "breed")
    sub = [{"url": "species", "valueCodeableConcept": {"text": exported(species, "name")}}]
    if breed is not None:
        sub.append({"url": "breed", "valueCodeableConcept": {"text": exported(breed, "name")}})
    status = "neutered" if exported(animal, "neutered") else "intact"
    sub.append(
        {
            "url": "genderStatus",
            "valueCodeableConcept": {
                "coding": [{"system": GENDER_STATUS, "code": status}],
                "text": status,
            },
        }
    )
    microchip = exported(animal, "microchip")
    deceased_on = exported(animal, "deceased_on")
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id(urn),
        "extension": [{"url": PATIENT_ANIMAL, "extension": sub}],
        "identifier": (
            [{"system": MICROCHIP_SYSTEM, "value": microchip, "type": {"text": "Microchip"}}]
            if microchip
            else []
        ),
        "name": [{"text": exported(animal, "name")}],
        "gender": _GENDER.get(exported(animal, "sex"), "unknown"),
        "birthDate": _day(exported(animal, "date_of_birth")),
    }
    if deceased_on:
        patient["deceasedDateTime"] = _day(deceased_on)
    elif exported(animal, "deceased"):
        patient["deceasedBoolean"] = True
    return _clean(patient)


def _related_person(owner: User, patient_urn: str, urn: str) -> dict[str, Any]:
    email = exported(owner, "email")
    name = exported(owner, "full_name")
    return _clean(
        {
            "resourceType": "RelatedPerson",
            "id": _id(urn),
            "patient": {"reference": patient_urn},
            "relationship": [{"text": "Owner"}],
            "name": [{"text": name}] if name else [],
            "telecom": [{"system": "email", "value": email}] if email else [],
        }
    )


def _immunization(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    manufacturer = exported(entry, "manufacturer")
    return _clean(
        {
            "resourceType": "Immunization",
            "id": _id(urn),
            "status": "completed",
            "vaccineCode": {"text": exported(entry, "vaccine_product")},
            "patient": {"reference": patient_urn},
            "occurrenceDateTime": _day(exported(entry, "occurred_on")),
            "manufacturer": {"display": manufacturer} if manufacturer else None,
            "lotNumber": exported(entry, "batch_number"),
            "note": _notes(entry),
        }
    )


def _recommendation(entry: Entry, patient_urn: str, urn: str, given_urn: str) -> dict[str, Any]:
    return {
        "resourceType": "ImmunizationRecommendation",
        "id": _id(urn),
        "patient": {"reference": patient_urn},
        "date": _day(exported(entry, "occurred_on")),
        "recommendation": [
            {
                "vaccineCode": [{"text": exported(entry, "vaccine_product")}],
                "forecastStatus": {
                    "coding": [{"system": IMMUNIZATION_FORECAST, "code": "due"}],
                    "text": "Due",
                },
                "dateCriterion": [
                    {
                        "code": {
                            "coding": [
                                {"system": LOINC, "code": "30980-7", "display": "Date vaccine due"}
                            ]
                        },
                        "value": _day(exported(entry, "next_due_on")),
                    }
                ],
                "supportingImmunization": [{"reference": given_urn}],
            }
        ],
    }


def _weight(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    exported(entry, "weight_unit")
    exported(entry, "weight_value")
    return _clean(
        {
            "resourceType": "Observation",
            "id": _id(urn),
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
            "code": {
                "coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"}],
                "text": "Body weight",
            },
            "subject": {"reference": patient_urn},
            "effectiveDateTime": _day(exported(entry, "occurred_on")),
            "valueQuantity": {
                "value": round(entry.weight_kg or 0.0, 3),
                "unit": "kg",
                "system": UCUM,
                "code": "kg",
            },
            "note": _notes(entry),
        }
    )


def _lab_result(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    return _clean(
        {
            "resourceType": "Observation",
            "id": _id(urn),
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory"}]}],
            "code": {"text": exported(entry, "test_name")},
            "subject": {"reference": patient_urn},
            "effectiveDateTime": _day(exported(entry, "occurred_on")),
            "valueString": exported(entry, "result"),
            "note": _notes(entry),
        }
    )


def _medication(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    ends_on = exported(entry, "ends_on")
    dose = exported(entry, "dose")
    return _clean(
        {
            "resourceType": "MedicationStatement",
            "id": _id(urn),
            "status": "completed" if ends_on and ends_on < timezone.localdate() else "active",
            "medicationCodeableConcept": {"text": exported(entry, "medication_name")},
            "subject": {"reference": patient_urn},
            "effectivePeriod": _clean(
                {"start": _day(exported(entry, "occurred_on")), "end": _day(ends_on)}
            ),
            "dosage": [{"text": dose}] if dose else [],
            "note": _notes(entry),
        }
    )


def _allergy(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    severity = exported(entry, "severity")
    return _clean(
        {
            "resourceType": "AllergyIntolerance",
            "id": _id(urn),
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
            "code": {"text": exported(entry, "allergen")},
            "patient": {"reference": patient_urn},
            "recordedDate": _day(exported(entry, "occurred_on")),
            "note": _notes(entry, f"Severity: {severity}" if severity else ""),
        }
    )


def _document(entry: Entry, patient_urn: str, urn: str) -> dict[str, Any]:
    """The document by reference: its url is the signed-in download (the same visibility
    check as the page), not the bytes, so the bundle stays small and a copy of it does not
    carry the file to anyone the owner did not give it to."""
    document = exported(entry, "document")
    name = document.name.rsplit("/", 1)[-1] if document else ""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    doc_type = exported(entry, "document_type")
    return _clean(
        {
            "resourceType": "DocumentReference",
            "id": _id(urn),
            "status": "current",
            "type": {"text": doc_type} if doc_type else None,
            "subject": {"reference": patient_urn},
            "description": exported(entry, "title") or name,
            "content": [
                {
                    "attachment": _clean(
                        {
                            "contentType": content_type,
                            "url": settings.SITE_URL.rstrip("/")
                            + reverse("records:entry_document", args=[entry.pk]),
                            "title": name,
                            "creation": _day(exported(entry, "occurred_on")),
                        }
                    )
                }
            ],
        }
    )


_BUILDERS = {
    EntryKind.VACCINATION: _immunization,
    EntryKind.WEIGHT: _weight,
    EntryKind.LAB_RESULT: _lab_result,
    EntryKind.MEDICATION: _medication,
    EntryKind.ALLERGY: _allergy,
    EntryKind.DOCUMENT: _document,
}


def entries_exported(vis: Visibility) -> list[Entry]:
    """The entries the bundle carries: those this look may see (the one selector's filter),
    of the kinds that have a resource, oldest first."""
    entries = list(
        Entry.objects.filter(animal=vis.animal, kind__in=EXPORTED_KINDS)
        .filter(vis.entries_q())
        .order_by("occurred_on", "created_at", "pk")
    )
    for entry in entries:
        entry.animal = vis.animal  # one query for the record, however long
    return entries


def record_bundle(vis: Visibility) -> dict[str, Any]:
    """The animal's record as a FHIR Bundle of type collection, as plain JSON data,
    validated by the fhir.resources models before it is returned."""
    animal = vis.animal
    owner = exported(animal, "owner")
    patient_urn = _urn("records.Animal", animal.pk)
    owner_urn = _urn("accounts.User", f"{owner.pk}:{animal.pk}")
    resources: list[tuple[str, dict[str, Any]]] = [
        (patient_urn, _patient(animal, patient_urn)),
        (owner_urn, _related_person(owner, patient_urn, owner_urn)),
    ]
    for entry in entries_exported(vis):
        exported(entry, "kind")
        exported(entry, "animal")
        urn = _urn("records.Entry", entry.pk)
        resources.append((urn, _BUILDERS[EntryKind(entry.kind)](entry, patient_urn, urn)))
        if entry.kind == EntryKind.VACCINATION and exported(entry, "next_due_on"):
            due_urn = _urn("records.Entry.next_due_on", entry.pk)
            resources.append((due_urn, _recommendation(entry, patient_urn, due_urn, urn)))
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": timezone.now().isoformat()},
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [{"fullUrl": urn, "resource": resource} for urn, resource in resources],
    }
    validate(bundle)
    return bundle


def validate(bundle: dict[str, Any]) -> None:
    """Parse the bundle with the fhir.resources models (raises pydantic's ValidationError)."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def animal_fhir_export(*, user: User, animal_pk: object) -> dict[str, Any]:
    """The one door for the download (web and API): the owner's own animal only, 404 for
    anyone else (co-owners and practice staff included); each download is a use of the
    service (it resets the retention clock)."""
    vis = selectors.get_animal_for_user(user, animal_pk, owner=True)
    bundle = record_bundle(vis)
    activity_record(user=user, kind=ActivityKind.RECORD_EXPORT)
    return bundle


def filename(bundle: dict[str, Any]) -> str:
    return f"vetpass-record-{bundle['entry'][0]['resource']['id'][:8]}.fhir.json"
