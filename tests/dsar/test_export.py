"""The export of a person's data (issue 8 §5): the zip's JSON, schema, CSV and summary,
its progress, its link, its expiry and who may download it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dsar import services as svc
from dsar.export import archive
from dsar.export import services as export_services
from dsar.export.models import DataExport, ExportStatus
from dsar.export.rows import WITHHELD, tables
from dsar.export.schema import SCHEMA_PATH, export_schema, export_schema_text
from dsar.models import CaseEvent, CaseEventKind, RequestType, Status
from records.models import AccessLog, Entry
from records.models.practices import AccessLogGrant
from records.practices import services as practice_services
from tests.conftest import client_for, mfa_client_for
from tests.dsar.conftest import case_for
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db(transaction=False)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _working_case(user, dpo, *, type=RequestType.ACCESS, jurisdiction="uk"):
    case = case_for(user, NOW - timedelta(days=1), type=type, jurisdiction=jurisdiction)
    case = svc.dsar_verify(request=case, actor=user, method=svc.REAUTHENTICATION)
    return svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)


def _build(case, dpo, django_capture_on_commit_callbacks) -> DataExport:
    """Start the export as the DPO's button does; the task runs eagerly after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        export = export_services.export_start(case=case, actor=dpo)
    export.refresh_from_db()
    return export


def _zip(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file_name, "rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def _link_token(export: DataExport) -> str:
    """The token as the owner receives it: from the link in the outbox email."""
    body = next(m.body for m in reversed(mail.outbox) if export.request.reference in m.subject)
    line = next(x for x in body.splitlines() if "/privacy/requests/export/" in x)
    return line.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def alice_world(alice, bob, rex, tom, riverside, hilltop, carol, dave):
    """alice with Rex, entries of her own and one written at Riverside, a favorite of
    Riverside whose vet carol read Rex twice; bob's data beside it."""
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        favorite = practice_services.favorite_create(owner=alice, practice=riverside)
    EntryFactory(animal=rex, notes="Alice's own note")
    Entry.objects.create(
        animal=rex,
        author=carol,
        practice=riverside,
        source="practice",
        kind="clinical_note",
        notes="Examined by Riverside",
    )
    EntryFactory(animal=tom, notes="Bob's private note")
    for day in (20, 10):
        AccessLog.objects.create(
            viewer=carol,
            practice=riverside,
            owner=alice,
            animal=rex,
            view="animal",
            grant_kind=AccessLogGrant.FAVORITE,
            grant_id=favorite.pk,
            created_at=NOW - timedelta(days=day),
        )
    # carol read bob's cat at Hilltop? No: dave did, at Hilltop, for bob only.
    AccessLog.objects.create(
        viewer=dave,
        practice=hilltop,
        owner=bob,
        animal=tom,
        view="animal",
        grant_kind=AccessLogGrant.FAVORITE,
        created_at=NOW - timedelta(days=5),
    )
    return favorite


def _data(export) -> dict:
    return json.loads(_zip(export).read("data.json"))


# --- the JSON ---------------------------------------------------------------------------


def test_the_json_holds_the_persons_rows_and_none_of_another_owners(
    alice_world, alice, bob, rex, tom, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    data = _data(export)
    tables_ = data["tables"]
    assert [a["name"] for a in tables_["records.Animal"]] == ["Rex"]
    notes = {e["notes"] for e in tables_["records.Entry"]}
    assert notes == {"Alice's own note", "Examined by Riverside"}
    assert tables_["accounts.User"][0]["email"] == "alice@example.com"
    text = json.dumps(data)
    for other in ("bob@example.com", "Bob's private note", "Tom", "Bob Other", "dave.vet"):
        assert other not in text
    # A vet who read the records appears as the practice, never as another person's id.
    reads = tables_["records.AccessLog"]
    assert {r["viewer"] for r in reads} == {"Riverside Vets"}
    assert {r["owner"] for r in reads} == {"you"}
    assert len(reads) == 2
    # Credentials are held but not copied.
    assert "password" not in tables_["accounts.User"][0]


def test_a_row_found_along_several_paths_appears_once(
    alice, rex, dpo, django_capture_on_commit_callbacks
):
    # alice wrote her own entry: found as its owner and as its author.
    entry = EntryFactory(animal=rex, author=alice)
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    ids = [e["id"] for e in _data(export)["tables"]["records.Entry"]]
    assert ids == [entry.pk]


def test_a_vets_export_shows_their_part_in_clients_records_without_the_clients_data(
    alice_world, carol, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(carol, dpo), dpo, django_capture_on_commit_callbacks)
    data = _data(export)
    (written,) = data["tables"]["records.Entry"]
    assert written["_scope"] == "activity"
    assert written["author"] == "you"
    assert written["practice"] == "Riverside Vets"
    assert "notes" not in written and "animal" not in written
    reads = data["tables"]["records.AccessLog"]
    assert {r["viewer"] for r in reads} == {"you"}
    assert "alice@example.com" not in json.dumps(data)


# --- the schema --------------------------------------------------------------------------


def test_the_json_validates_against_the_schema_shipped_in_the_zip(
    alice_world, alice, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    archive = _zip(export)
    schema = json.loads(archive.read("schema.json"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(json.loads(archive.read("data.json")))


def test_the_schema_refuses_data_that_does_not_match_the_map():
    validator = jsonschema.Draft202012Validator(export_schema())
    bad = {
        "format": "vetpass-export/1",
        "generated_at": NOW.isoformat(),
        "reference": "DSR-AAAA-AAAA",
        "subject": {"email": "a@example.com", "has_account": True},
        "tables": {t.label: [] for t in tables()},
    }
    validator.validate(bad)
    bad["tables"]["records.Animal"] = [{"_scope": "own", "name": 5}]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
    bad["tables"]["records.Animal"] = [{"_scope": "own", "not_a_field": "x"}]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == export_schema_text(), (
        "Regenerate it: python -c 'import django; django.setup(); "
        "from dsar.export.schema import write_schema_file; write_schema_file()'"
    )


def test_every_withheld_credential_is_a_real_field():
    labels = {t.label: t for t in tables()}
    for label, names in WITHHELD.items():
        model = labels[label].model
        for name in names:
            model._meta.get_field(name)
            assert name not in labels[label].names


# --- CSV and HTML ------------------------------------------------------------------------


def test_there_is_a_csv_per_table_with_the_same_rows(
    alice_world, alice, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    archive = _zip(export)
    names = set(archive.namelist())
    assert {f"csv/{t.label}.csv" for t in tables()} <= names
    data = json.loads(archive.read("data.json"))
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/records.Entry.csv").decode())))
    assert len(rows) == len(data["tables"]["records.Entry"]) == 2
    assert {r["notes"] for r in rows} == {"Alice's own note", "Examined by Riverside"}


def test_the_summary_lists_the_practices_that_read_the_records_with_dates(
    alice_world, alice, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    html = _zip(export).read("summary.html").decode()
    recipients = html.split('id="recipients"')[1].split('id="retention"')[0]
    assert "Riverside Vets" in recipients
    first, last = NOW - timedelta(days=20), NOW - timedelta(days=10)
    assert f"{first:%-d %b %Y}" in recipients and f"{last:%-d %b %Y}" in recipients
    assert "Hilltop" not in html
    for answer in ("purposes", "categories", "retention", "sources", "rights", "complain"):
        assert f'id="{answer}"' in html
    assert "Information Commissioner" in html  # alice is in the UK
    assert "Riverside Vets</strong>: 1 record entry it wrote" in html
    categories = html.split('id="categories"')[1].split('id="recipients"')[0]
    assert "<td>Animals <span" in categories and "<td>Entries <span" in categories


@pytest.mark.parametrize(
    ("jurisdiction", "authority"),
    [
        ("uk", "Information Commissioner"),
        ("eea", "lead supervisory authority"),
        ("us-ca", "California Privacy Protection Agency"),
    ],
)
def test_the_summary_names_the_authority_of_the_persons_jurisdiction(
    alice, dpo, jurisdiction, authority, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo, jurisdiction=jurisdiction)
    export = _build(case, dpo, django_capture_on_commit_callbacks)
    complain = _zip(export).read("summary.html").decode().split('id="complain"')[1]
    assert authority in complain


# --- progress, events, rules of starting -------------------------------------------------


def test_progress_is_recorded_per_table_and_shown_to_the_owner_and_the_dpo(
    alice, rex, dpo, monkeypatch, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_services.export_start(case=case, actor=dpo)
    assert len(callbacks) == 1  # the task is queued after commit, with the id
    export.refresh_from_db()
    assert (export.status, export.percent) == (ExportStatus.QUEUED, 0)
    alice_page = client_for(alice).get("/privacy/requests/").content.decode()
    assert "Being prepared" in alice_page
    api = client_for(alice).get("/api/v1/privacy/requests/").json()["results"][0]["export"]
    assert api["status"] == "queued" and api["download_url"] is None

    # Each table is read after the previous one's progress was committed.
    seen: list[int] = []
    real = archive.table_rows

    def watching(table, person, renderer):
        seen.append(DataExport.objects.values_list("tables_done", flat=True).get(pk=export.pk))
        return real(table, person, renderer)

    monkeypatch.setattr(archive, "table_rows", watching)
    callbacks[0]()
    assert seen == list(range(len(tables())))
    export.refresh_from_db()
    assert (export.status, export.percent, export.tables_done) == (
        ExportStatus.READY,
        100,
        len(tables()),
    )
    TOTP.activate(dpo, generate_totp_secret())  # the admin is reached with MFA only
    dpo_page = mfa_client_for(dpo).get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/")
    assert 'data-export-status="ready"' in dpo_page.content.decode()
    api = client_for(alice).get("/api/v1/privacy/requests/").json()["results"][0]["export"]
    assert api["percent"] == 100 and api["download_url"].endswith(
        f"/api/v1/privacy/requests/{case.reference}/export/"
    )
    kinds = list(CaseEvent.objects.filter(request=case).values_list("kind", "text"))
    assert (CaseEventKind.EXPORT, "Export requested") in kinds
    assert any(k == CaseEventKind.EMAIL and "ready" in t for k, t in kinds)


def test_running_the_build_twice_builds_once(alice, rex, dpo, django_capture_on_commit_callbacks):
    case = _working_case(alice, dpo)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_services.export_start(case=case, actor=dpo)
    callbacks[0]()
    assert export_services.export_build(export_id=export.pk) is None
    assert [m.subject for m in mail.outbox].count(
        f"Your copy of your data is ready ({case.reference})"
    ) == 1


def test_an_export_needs_a_case_being_worked_of_a_kind_that_has_one(alice, dpo):
    received = case_for(alice, NOW)
    with pytest.raises(ValidationError, match="Start work"):
        export_services.export_start(case=received, actor=dpo)
    erasure = _working_case(alice, dpo, type=RequestType.ERASURE)
    with pytest.raises(ValidationError, match="no export"):
        export_services.export_start(case=erasure, actor=dpo)
    assert not DataExport.objects.exists()


def test_a_failed_build_is_marked_failed_and_leaves_no_file(
    alice, rex, dpo, monkeypatch, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_services, "write_archive", broken)
    with pytest.raises(RuntimeError):
        _build(case, dpo, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    assert (export.status, export.file_name, export.token_hash) == (ExportStatus.FAILED, "", "")
    assert "disk full" in export.error
    assert not [m for m in mail.outbox if m.subject.startswith("Your copy")]


# --- the link, downloads and expiry ---------------------------------------------------


def test_the_owner_downloads_through_the_emailed_link_after_signing_in(
    alice, rex, dpo, django_capture_on_commit_callbacks
):
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    url = f"/privacy/requests/export/{_link_token(export)}/"
    from django.test import Client

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    response = client_for(alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert "data.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    export.refresh_from_db()
    assert export.downloaded_at is not None


def test_download_is_refused_to_another_user(
    alice, bob, carol, dpo, rex, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo)
    export = _build(case, dpo, django_capture_on_commit_callbacks)
    token = _link_token(export)
    for other in (bob, carol, dpo):
        client = client_for(other)
        assert client.get(f"/privacy/requests/export/{token}/").status_code == 404
        assert client.get(f"/privacy/requests/{case.reference}/export/").status_code == 404
        api = client.get(f"/api/v1/privacy/requests/{case.reference}/export/")
        assert api.status_code == 404
    assert client_for(alice).get("/privacy/requests/export/not-the-token/").status_code == 404
    assert client_for(alice).get(f"/privacy/requests/{case.reference}/export/").status_code == 200
    api = client_for(alice).get(f"/api/v1/privacy/requests/{case.reference}/export/")
    assert api.status_code == 200 and api["Content-Type"] == "application/zip"


def test_the_link_expires_after_7_days_and_the_beat_task_deletes_the_file(
    alice, rex, dpo, django_capture_on_commit_callbacks
):
    from dsar.export.tasks import export_purge_task

    with time_machine.travel(NOW, tick=False):
        export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    assert export.expires_at == NOW + timedelta(days=7)
    token = _link_token(export)
    alice_client = client_for(alice)
    with time_machine.travel(NOW + timedelta(days=7) - timedelta(minutes=1), tick=False):
        assert alice_client.get(f"/privacy/requests/export/{token}/").status_code == 200
        assert export_purge_task() == 0
    assert default_storage.exists(export.file_name)
    with time_machine.travel(NOW + timedelta(days=7, minutes=1), tick=False):
        assert alice_client.get(f"/privacy/requests/export/{token}/").status_code == 404
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            assert export_purge_task() == 1
        # The row is marked in the transaction; the file goes only after it commits.
        assert default_storage.exists(export.file_name)
        for callback in after_commit:
            callback()
        assert export_purge_task() == 0  # run twice: nothing more to do
    assert not default_storage.exists(export.file_name)
    export.refresh_from_db()
    assert export.status == ExportStatus.DELETED and export.deleted_at is not None
    assert export.token_hash == ""
    assert CaseEvent.objects.filter(request=export.request, text__contains="deleted").count() == 1


def test_a_person_without_an_account_downloads_with_the_link_alone(
    alice, dpo, django_capture_on_commit_callbacks
):
    from django.test import Client

    case = svc.dsar_create(
        type=RequestType.ACCESS,
        email="walkin@example.com",
        jurisdiction="uk",
        channel="public_form",
        name="Walk In",
    )
    case = svc.dsar_verify(
        request=case, actor=dpo, method="waived", waived_reason="Identity checked in person."
    )
    case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
    export = _build(case, dpo, django_capture_on_commit_callbacks)
    response = Client().get(f"/privacy/requests/export/{_link_token(export)}/")
    assert response.status_code == 200
    data = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json")
    )
    assert data["subject"] == {"email": "walkin@example.com", "has_account": False}
    assert "alice@example.com" not in json.dumps(data)


# --- queries ------------------------------------------------------------------------


def _queries_to_build(owner, dpo, callbacks_fixture) -> int:
    case = _working_case(owner, dpo)
    with callbacks_fixture(execute=False) as callbacks:
        export_services.export_start(case=case, actor=dpo)
    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_animals_and_entries(
    alice, bob, dpo, riverside, django_capture_on_commit_callbacks
):
    practice_services.favorite_create(owner=alice, practice=riverside)
    practice_services.favorite_create(owner=bob, practice=riverside)
    for animal in [AnimalFactory(owner=alice)]:
        EntryFactory(animal=animal)
    small = _queries_to_build(alice, dpo, django_capture_on_commit_callbacks)
    for _ in range(15):
        animal = AnimalFactory(owner=bob)
        for _ in range(10):
            EntryFactory(animal=animal)
    large = _queries_to_build(bob, dpo, django_capture_on_commit_callbacks)
    assert large <= small, (small, large)


def test_a_second_build_is_refused_while_one_runs_but_not_after_its_worker_died(
    alice, dpo, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo)
    with django_capture_on_commit_callbacks(execute=False):
        first = export_services.export_start(case=case, actor=dpo)
    with pytest.raises(ValidationError, match="already being built"):
        export_services.export_start(case=case, actor=dpo)
    DataExport.objects.filter(pk=first.pk).update(
        status=ExportStatus.BUILDING, started_at=NOW - timedelta(hours=2)
    )
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=False):
        second = export_services.export_start(case=case, actor=dpo)
    first.refresh_from_db()
    assert first.status == ExportStatus.FAILED and second.status == ExportStatus.QUEUED


def test_the_persons_own_files_are_in_the_zip_and_no_one_elses(
    alice, bob, rex, tom, dpo, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    mine = EntryFactory(animal=rex, kind="document")
    mine.document.save("alice-xray.pdf", ContentFile(b"%PDF-1.4 alice"))
    theirs = EntryFactory(animal=tom, kind="document")
    theirs.document.save("bob-xray.pdf", ContentFile(b"%PDF-1.4 bob"))
    export = _build(_working_case(alice, dpo), dpo, django_capture_on_commit_callbacks)
    archive = _zip(export)
    assert archive.read(f"files/{mine.document.name}") == b"%PDF-1.4 alice"
    assert not [n for n in archive.namelist() if "bob-xray" in n]


def test_the_dpos_button_builds_the_export_and_the_case_page_shows_it(
    alice, rex, dpo, django_capture_on_commit_callbacks
):
    case = _working_case(alice, dpo)
    client = mfa_client_for(dpo)
    page = client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert 'data-action="export"' in page and "Build the export" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/dsar/datasubjectrequest/{case.pk}/act/export/", {})
    assert response.status_code == 302
    export = DataExport.objects.get(request=case)
    assert export.status == ExportStatus.READY and export.requested_by == dpo
    page = client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert export.file_name in page and 'data-export-status="ready"' in page
    # Refused with the reason on the action page, for a case not yet started.
    received = case_for(alice, NOW, type=RequestType.PORTABILITY)
    refused = client.post(f"/admin/dsar/datasubjectrequest/{received.pk}/act/export/", {})
    assert refused.status_code == 200 and "Start work" in refused.content.decode()


def test_staff_and_vets_appear_as_their_organisation_never_as_an_account(
    alice, rex, dpo, carol, riverside, django_capture_on_commit_callbacks
):
    from vetpass.accounts.services import restriction_apply

    restriction_apply(user=alice, reason="Disputes accuracy", actor=dpo)
    AccessLog.objects.create(
        viewer=dpo, owner=alice, view="admin", grant_kind=AccessLogGrant.ADMIN, created_at=NOW
    )
    case = _working_case(alice, dpo)
    svc.dsar_assign(request=case, assignee=dpo, actor=dpo)
    data = _data(_build(case, dpo, django_capture_on_commit_callbacks))["tables"]
    assert {e["actor"] for e in data["accounts.RestrictionEvent"]} == {"VetPass privacy staff"}
    assert data["records.AccessLog"][0]["viewer"] == "VetPass privacy staff"
    assert {r["assignee"] for r in data["dsar.DataSubjectRequest"]} == {"VetPass privacy staff"}


def test_a_failure_after_the_zip_is_saved_deletes_it_and_fails_the_export(
    alice, rex, dpo, monkeypatch, django_capture_on_commit_callbacks
):
    from dsar.export import services as export_services

    saved: list[str] = []
    real_save = default_storage.save

    def remember(name, content, **kw):
        saved.append(real_save(name, content, **kw))
        return saved[-1]

    def mail_server_refuses(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(default_storage, "save", remember)
    monkeypatch.setattr(export_services, "_export_ready", mail_server_refuses)
    case = _working_case(alice, dpo)
    with pytest.raises(RuntimeError):
        _build(case, dpo, django_capture_on_commit_callbacks)
    assert saved and not default_storage.exists(saved[0])
    export = DataExport.objects.get(request=case)
    assert export.status == ExportStatus.FAILED and export.file_name == ""
