"""Bad input on the web forms: a clear message beside the field and in the summary at the
top, what the person typed kept, and nothing saved."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from records.models import Animal, Entry

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def animal_data(species_id, **overrides):
    data = {
        "name": "Biscuit",
        "species": species_id,
        "sex": "female",
        "date_of_birth": "2022-02-02",
        "colour": "Brown",
        "microchip": "",
    }
    data.update(overrides)
    return data


def assert_field_error(html: str, field: str, message: str) -> None:
    assert 'class="error-summary"' in html
    assert f'href="#id_{field}"' in html, f"summary does not link to {field}"
    assert f'id="id_{field}-error"' in html, f"no message beside {field}"
    assert message in html


@pytest.mark.django_db
def test_sixteen_digit_microchip_is_refused_with_the_input_kept(alice, alice_client, rex):
    before = Animal.objects.count()
    response = alice_client.post(
        reverse("records:animal_add"),
        animal_data(rex.species_id, microchip="9851410001234567"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert_field_error(html, "microchip", "Enter a 15-digit ISO microchip number")
    assert 'value="9851410001234567"' in html
    assert 'value="Biscuit"' in html
    assert Animal.objects.count() == before


@pytest.mark.django_db
def test_date_of_birth_in_the_future_is_refused(alice_client, rex):
    before = Animal.objects.count()
    response = alice_client.post(
        reverse("records:animal_add"), animal_data(rex.species_id, date_of_birth="2026-04-01")
    )
    html = response.content.decode()
    assert_field_error(html, "date_of_birth", "This date cannot be in the future.")
    assert 'value="2026-04-01"' in html
    assert Animal.objects.count() == before


@pytest.mark.django_db
def test_editing_with_bad_microchip_saves_nothing(alice_client, rex):
    response = alice_client.post(
        reverse("records:animal_edit", args=[rex.pk]),
        animal_data(rex.species_id, name="Rexy", microchip="12"),
    )
    assert_field_error(response.content.decode(), "microchip", "15-digit")
    rex.refresh_from_db()
    assert rex.name == "Rex"
    assert rex.microchip == "985141000123456"


@pytest.mark.django_db
def test_animal_is_added_with_photo_and_valid_microchip(alice, alice_client, rex):
    photo = SimpleUploadedFile("biscuit.png", png_bytes(), content_type="image/png")
    response = alice_client.post(
        reverse("records:animal_add"),
        {**animal_data(rex.species_id, microchip="985 141 000 765 432"), "photo": photo},
    )
    animal = Animal.objects.get(name="Biscuit")
    assert response.status_code == 302
    assert animal.owner == alice
    assert animal.microchip == "985141000765432"
    assert animal.photo
    photo_response = alice_client.get(reverse("records:animal_photo", args=[animal.pk]))
    assert photo_response.status_code == 200


@pytest.mark.django_db
def test_herd_needs_a_head_count(alice_client, rex):
    before = Animal.objects.count()
    response = alice_client.post(
        reverse("records:animal_add"), animal_data(rex.species_id, name="Herd", is_group="on")
    )
    assert_field_error(response.content.decode(), "head_count", "head count")
    assert Animal.objects.count() == before


@pytest.mark.django_db
def test_moving_an_animal_into_and_out_of_a_herd_updates_head_counts(alice, alice_client, rex):
    from tests.factories import AnimalFactory

    herd = AnimalFactory(owner=alice, name="Pack", is_group=True, head_count=3, sex="mixed")
    data = animal_data(rex.species_id, name="Rex", microchip=rex.microchip, group=herd.pk)
    response = alice_client.post(reverse("records:animal_edit", args=[rex.pk]), data)
    assert response.status_code == 302
    rex.refresh_from_db()
    herd.refresh_from_db()
    assert rex.group == herd and herd.head_count == 4
    data["group"] = ""
    alice_client.post(reverse("records:animal_edit", args=[rex.pk]), data)
    rex.refresh_from_db()
    herd.refresh_from_db()
    assert rex.group is None and herd.head_count == 3


@pytest.mark.django_db
def test_another_owners_herd_cannot_be_chosen(alice_client, rex, bob):
    from tests.factories import AnimalFactory

    bobs_herd = AnimalFactory(owner=bob, name="Bob's herd", is_group=True, head_count=2)
    data = animal_data(rex.species_id, name="Rex", group=bobs_herd.pk)
    response = alice_client.post(reverse("records:animal_edit", args=[rex.pk]), data)
    assert response.status_code == 200
    assert 'id="id_group-error"' in response.content.decode()
    rex.refresh_from_db()
    assert rex.group is None


@pytest.mark.django_db
def test_negative_weight_is_refused_with_the_input_kept(alice_client, rex):
    before = Entry.objects.count()
    url = reverse("records:entry_add", args=[rex.pk]) + "?kind=weight"
    response = alice_client.post(
        url, {"occurred_on": "2026-03-01", "weight_value": "-3", "weight_unit": "kg"}
    )
    html = response.content.decode()
    assert_field_error(html, "weight_value", "Enter a number greater than zero.")
    assert 'value="-3"' in html
    assert Entry.objects.count() == before


@pytest.mark.django_db
def test_entry_in_the_future_is_refused(alice_client, rex):
    url = reverse("records:entry_add", args=[rex.pk]) + "?kind=vaccination"
    response = alice_client.post(url, {"occurred_on": "2026-05-01", "vaccine_product": "Nobivac"})
    assert_field_error(response.content.decode(), "occurred_on", "cannot be in the future")
    assert 'value="Nobivac"' in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_oversized_upload_is_refused(alice_client, rex, settings):
    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * (settings.MAX_UPLOAD_BYTES + 1), "application/pdf"
    )
    url = reverse("records:entry_add", args=[rex.pk]) + "?kind=document"
    response = alice_client.post(
        url, {"occurred_on": "2026-03-01", "document": big, "document_type": "Lab report"}
    )
    html = response.content.decode()
    assert_field_error(html, "document", "the limit is 10 MB")
    assert 'value="Lab report"' in html
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_wrong_file_type_is_refused(alice_client, rex):
    url = reverse("records:entry_add", args=[rex.pk]) + "?kind=document"
    for upload, message in (
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream"), "Upload a PDF"),
        (SimpleUploadedFile("fake.pdf", b"not a pdf at all", "application/pdf"), "do not match"),
    ):
        response = alice_client.post(url, {"occurred_on": "2026-03-01", "document": upload})
        assert_field_error(response.content.decode(), "document", message)
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_document_is_uploaded_and_served_only_to_those_who_may_see_it(
    alice_client, bob_client, rex
):
    url = reverse("records:entry_add", args=[rex.pk]) + "?kind=document"
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = alice_client.post(
        url, {"occurred_on": "2026-03-01", "document": pdf, "document_type": "Lab report"}
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    document_url = reverse("records:entry_document", args=[entry.pk])
    served = alice_client.get(document_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
    assert "no-store" in served["Cache-Control"]
    assert bob_client.get(document_url).status_code == 404
    # The edit page names the file but never links to a public media URL.
    edit = alice_client.get(reverse("records:entry_edit", args=[entry.pk])).content.decode()
    assert "report" in edit and "/media/" not in edit


@pytest.mark.django_db
def test_entry_form_shows_only_the_fields_of_its_kind(alice_client, rex):
    html = alice_client.get(
        reverse("records:entry_add", args=[rex.pk]) + "?kind=vaccination"
    ).content.decode()
    assert 'name="vaccine_product"' in html and 'name="next_due_on"' in html
    assert 'name="weight_value"' not in html and 'name="document"' not in html


@pytest.mark.django_db
def test_choosing_no_kind_shows_an_error_on_the_chooser(alice_client, rex):
    response = alice_client.get(reverse("records:entry_add", args=[rex.pk]) + "?kind=")
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'name="kind"' in html


@pytest.mark.django_db
def test_vaccination_is_added_edited_and_deleted(alice_client, rex):
    add = reverse("records:entry_add", args=[rex.pk]) + "?kind=vaccination"
    response = alice_client.post(
        add,
        {
            "occurred_on": "2026-03-01",
            "vaccine_product": "Nobivac L4",
            "manufacturer": "MSD",
            "batch_number": "A123",
            "next_due_on": "2027-03-01",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.kind, entry.vaccine_product, entry.author) == (
        "vaccination",
        "Nobivac L4",
        rex.owner,
    )
    edit = reverse("records:entry_edit", args=[entry.pk])
    bad = alice_client.post(
        edit,
        {"occurred_on": "2026-03-01", "vaccine_product": "Nobivac L4", "next_due_on": "2025-01-01"},
    )
    assert_field_error(bad.content.decode(), "next_due_on", "must be after")
    entry.refresh_from_db()
    assert entry.next_due_on == dt.date(2027, 3, 1)
    alice_client.post(edit, {"occurred_on": "2026-03-02", "vaccine_product": "Nobivac DHP"})
    entry.refresh_from_db()
    assert entry.vaccine_product == "Nobivac DHP"
    confirm = alice_client.get(reverse("records:entry_delete", args=[entry.pk]))
    assert "Yes, delete it" in confirm.content.decode()
    assert Entry.objects.exists()
    alice_client.post(reverse("records:entry_delete", args=[entry.pk]))
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_profile_refuses_future_date_of_birth_and_keeps_input(alice, alice_client):
    response = alice_client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Alice Changed",
            "date_of_birth": "2030-01-01",
            "country": "GB",
            "postcode": "BS1 4DJ",
        },
    )
    html = response.content.decode()
    assert_field_error(html, "date_of_birth", "Date of birth must be in the past.")
    assert 'value="Alice Changed"' in html
    alice.refresh_from_db()
    assert alice.full_name == "Alice Owner"


@pytest.mark.django_db
def test_profile_is_saved(alice, alice_client):
    response = alice_client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Alice Changed",
            "date_of_birth": "1985-05-17",
            "country": "US",
            "region": "CA",
            "address_line1": "1 Main St",
            "town": "San Jose",
            "postcode": "95113",
            "phone": "+1 408 555 0100",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.postcode, alice.jurisdiction) == (
        "Alice Changed",
        "95113",
        "us-ca",
    )
