"""The practice API's schema types every body the apps get and send (no untyped objects):
the paged client list, an animal's record in the workspace, adding a clinical entry, the
import result, redeeming an emergency share and un-favoriting."""

import pytest

from records.practices.api import ClinicalEntryRequestSerializer
from records.practices.forms import ClinicalEntryForm

pytestmark = pytest.mark.django_db

COMPONENTS = {
    # Keyset pages (issue 10): no count.
    "PaginatedWorkspaceClientList": {"next", "previous", "results"},
    "WorkspaceClient": {"owner", "grant", "animals"},
    "WorkspaceClientOwner": {"id", "name", "email", "phone", "restricted"},
    "WorkspaceAnimal": {"id", "name", "species", "microchip"},
    "WorkspaceAnimalRecord": {
        "animal",
        "owner",
        "read_only",
        "shared_kinds",
        "vcpr_date",
        "entries",
    },
    "ClinicalEntryRequestRequest": {"kind", "occurred_on", "notes", "vaccine_product"},
    "RecordImportResult": {"dry_run", "clean", "imported", "rows", "errors"},
    "RecordImportRow": {"line", "summary"},
    "RecordImportError": {"line", "field", "message"},
    "EmergencyShareRedeemRequest": {"code"},
    "EmergencyShareRedeemed": {"expires_at", "animals"},
    "FavoriteDeleted": {"detail", "practice_keeps"},
    "PaginatedAccessLogList": {"count", "next", "previous", "results"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def body(operation, code="200"):
    return operation["responses"][code]["content"]["application/json"]["schema"]


def test_practice_api_components_carry_their_fields(schema):
    components = schema["components"]["schemas"]
    for name, fields in COMPONENTS.items():
        assert name in components, name
        assert fields <= set(components[name]["properties"]), name
    owner = components["WorkspaceClientOwner"]
    # Email and phone appear only where the owner shares their profile.
    assert set(owner["required"]) == {"id", "name", "restricted"}
    assert components["WorkspaceClient"]["properties"]["grant"] == ref("AccessLogGrantEnum")
    # "admin": a read by VetPass privacy staff in the Django admin (owners' access log);
    # "certificate_link": someone opened the owner's vaccination-certificate link.
    assert set(components["AccessLogGrantEnum"]["enum"]) == {
        "favorite",
        "emergency_share",
        "admin",
        "certificate_link",
    }
    assert "document" not in components["ClinicalEntryKindEnum"]["enum"]


def test_practice_api_operations_use_the_typed_bodies(schema):
    paths = schema["paths"]
    ws = "/api/v1/workspace/{practice_pk}"
    clients = paths[f"{ws}/clients/"]["get"]
    assert body(clients) == ref("PaginatedWorkspaceClientList")
    assert {"q", "cursor", "page_size"} <= {p["name"] for p in clients["parameters"]}
    assert "page" not in {p["name"] for p in clients["parameters"]}
    animal = paths[f"{ws}/animals/{{animal_pk}}/"]["get"]
    assert body(animal) == ref("WorkspaceAnimalRecord")
    create = paths[f"{ws}/animals/{{animal_pk}}/entries/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == ref(
        "ClinicalEntryRequestRequest"
    )
    imports = paths[f"{ws}/requests/{{id}}/import/"]["post"]
    assert body(imports) == ref("RecordImportResult")
    # A file with bad rows answers its report; a request without a file the error format.
    assert body(imports, "400") == {"oneOf": [ref("RecordImportResult"), ref("Error")]}
    redeem = paths[f"{ws}/emergency-shares/redeem/"]["post"]
    assert body(redeem) == ref("EmergencyShareRedeemed")
    assert body(paths["/api/v1/favorites/{id}/"]["delete"]) == ref("FavoriteDeleted")
    assert body(paths["/api/v1/access-log/"]["get"]) == ref("PaginatedAccessLogList")


def test_clinical_entry_request_schema_lists_the_fields_the_form_accepts():
    assert set(ClinicalEntryRequestSerializer().fields) == set(ClinicalEntryForm().fields)
