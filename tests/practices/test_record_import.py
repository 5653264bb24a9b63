"""Answering a record request with a CSV or JSON file: checked first, errors by line,
nothing imported until the whole file is clean."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Entry, EntrySource, RecordRequest
from records.practices import services as svc
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "animal,kind,date,title,notes,vaccine_product,weight_value,weight_unit\n"
    "985141000123456,vaccination,2025-06-01,,,Nobivac DHP,,\n"
    "{rex},weight,2025-06-01,,,,31.5,kg\n"
    "{rex},clinical_note,2025-06-01,Lameness,Left fore lameness; rest advised.,,,\n"
)
BAD_CSV = (
    "animal,kind,date,vaccine_product\n"
    "985141000123456,vaccination,2025-06-01,Nobivac DHP\n"
    "999,vaccination,2025-06-01,Nobivac DHP\n"
    "{rex},vaccination,01/06/2025,Nobivac DHP\n"
    "{rex},vaccination,2025-06-01,\n"
)


def run(membership, record_request, content, name="records.csv", dry_run=False):
    return svc.record_request_import(
        record_request=record_request,
        membership=membership,
        content=content.encode(),
        filename=name,
        dry_run=dry_run,
    )


@pytest.fixture
def membership(carol):
    return carol.memberships.get()


def test_dry_run_previews_and_imports_nothing(membership, record_request, rex):
    result = run(membership, record_request, GOOD_CSV.format(rex=rex.pk), dry_run=True)
    assert result.is_clean and len(result.rows) == 3 and result.imported == 0
    assert not Entry.objects.exists()


def test_clean_file_imports_every_row_and_answers_the_request(
    membership, record_request, rex, carol, riverside
):
    result = run(membership, record_request, GOOD_CSV.format(rex=rex.pk))
    assert result.imported == 3
    assert set(Entry.objects.values_list("source", "practice", "author")) == {
        (EntrySource.IMPORT, riverside.pk, carol.pk)
    }
    record_request.refresh_from_db()
    assert record_request.status == RecordRequest.Status.ANSWERED
    assert record_request.entries_added == 3


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(membership, record_request, rex):
    result = run(membership, record_request, BAD_CSV.format(rex=rex.pk))
    assert not result.is_clean
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "animal"),
        (4, "date"),
        (5, "vaccine_product"),
    ]
    assert not Entry.objects.exists()
    record_request.refresh_from_db()
    assert record_request.status == RecordRequest.Status.OPEN


def test_json_in_the_same_format_imports(membership, record_request, rex):
    rows = [
        {"animal": rex.pk, "kind": "allergy", "date": "2025-01-01", "allergen": "Penicillin"},
        {"animal": str(rex.pk), "kind": "examination", "date": "2025-01-02", "notes": "Healthy."},
    ]
    result = run(membership, record_request, json.dumps(rows), name="records.json")
    assert result.imported == 2


def test_json_errors_name_the_record_position(membership, record_request, rex):
    rows = [
        {"animal": rex.pk, "kind": "allergy", "date": "2025-01-01", "allergen": "Penicillin"},
        {"animal": rex.pk, "kind": "astrology", "date": "2025-01-01"},
    ]
    result = run(membership, record_request, json.dumps(rows), name="records.json")
    assert [(e.line, e.field) for e in result.errors] == [(2, "kind")]
    assert not Entry.objects.exists()


def test_another_owners_animal_cannot_be_imported_into(membership, record_request, tom):
    result = run(
        membership, record_request, f"animal,kind,date,notes\n{tom.pk},clinical_note,2025-01-01,x\n"
    )
    assert [(e.line, e.field) for e in result.errors] == [(2, "animal")]


def test_web_preview_then_import(carol, riverside, record_request, rex):
    client = client_for(carol)
    url = f"/workspace/{riverside.pk}/requests/{record_request.pk}/"
    upload = SimpleUploadedFile("r.csv", GOOD_CSV.format(rex=rex.pk).encode())
    page = client.post(url, {"check": "1", "file": upload}).content.decode()
    assert "Preview: 3 records ready" in page
    assert not Entry.objects.exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert Entry.objects.count() == 3


def test_web_shows_bad_lines_and_imports_nothing(carol, riverside, record_request, rex):
    client = client_for(carol)
    url = f"/workspace/{riverside.pk}/requests/{record_request.pk}/"
    upload = SimpleUploadedFile("r.csv", BAD_CSV.format(rex=rex.pk).encode())
    page = client.post(url, {"check": "1", "file": upload}).content.decode()
    assert "Line 3, animal" in page and "Line 4, date" in page
    client.post(url, {"confirm": "1"})
    assert not Entry.objects.exists()


def test_api_import_dry_run_and_errors(carol, riverside, record_request, rex):
    client = client_for(carol)
    url = f"/api/v1/workspace/{riverside.pk}/requests/{record_request.pk}/import/"
    bad = SimpleUploadedFile("r.csv", BAD_CSV.format(rex=rex.pk).encode())
    response = client.post(url, {"file": bad, "dry_run": "false"})
    assert response.status_code == 400
    assert [e["line"] for e in response.json()["errors"]] == [3, 4, 5]
    good = SimpleUploadedFile("r.csv", GOOD_CSV.format(rex=rex.pk).encode())
    response = client.post(url, {"file": good, "dry_run": "false"})
    assert response.json()["imported"] == 3


def test_owner_follows_the_request_status(alice, carol, riverside, record_request, rex):
    owner = client_for(alice)
    assert owner.get("/api/v1/record-requests/").json()["results"][0]["status"] == "open"
    svc.record_request_answer(record_request=record_request, actor=carol, note="Sent 3 records.")
    assert owner.get("/api/v1/record-requests/").json()["results"][0]["status"] == "answered"
    page = owner.get(f"/favorites/{record_request.favorite_id}/").content.decode()
    assert "Records added by the practice" in page and "Sent 3 records." in page


def test_import_queries_do_not_grow_with_the_number_of_rows(membership, record_request, rex):
    """Rows go in with bulk INSERTs (batches: SQLite caps the variables per statement);
    everything else is a fixed number of queries however long the file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(rows: int) -> tuple[int, int]:
        body = "animal,kind,date,notes\n" + "".join(
            f"{rex.pk},clinical_note,2025-06-01,Note {i}\n" for i in range(rows)
        )
        with CaptureQueriesContext(connection) as ctx:
            result = run(membership, record_request, body)
        assert result.imported == rows
        inserts = [
            q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "records_entry"')
        ]
        return len(ctx.captured_queries) - len(inserts), len(inserts)

    queries_for(1)  # the first import also answers the request
    few_other, _ = queries_for(5)
    many_other, many_inserts = queries_for(300)
    assert few_other == many_other
    assert many_inserts <= 300 // 25  # batched, never one INSERT per row
    assert Entry.objects.filter(source=EntrySource.IMPORT).count() == 306
