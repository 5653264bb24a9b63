"""Vaccination certificates (issue 11): the PDF with the NASPHV Form 51 fields, and the
time-limited, revocable verification link that shows only the vaccination facts, each
look of it in the owner's access log."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from records import certificates as certs
from records.models import AccessLog, AccessLogGrant, Breed, CertificateLink, Entry, EntryKind
from records.practices.selectors import owner_access_log
from tests.conftest import client_for
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def dog(now, alice, rex):
    """alice (with an address and phone) and Rex, with a rabies dose given at a practice,
    a booster she recorded herself, and two records that are not vaccinations."""
    alice.address_line1 = "12 Private Lane"
    alice.phone = "07700 900123"
    alice.save(update_fields=["address_line1", "phone"])
    rex.breed = Breed.objects.filter(species=rex.species).order_by("name").first()
    rex.colour = "Tan and white"
    rex.sex, rex.neutered = "male", True
    rex.save()
    practice = PracticeFactory(name="Riverside Vets")
    vet = UserFactory(email="carol.vet@example.com", full_name="Carol Vet")
    MembershipFactory(practice=practice, user=vet)
    Entry.objects.create(
        animal=rex,
        kind=EntryKind.VACCINATION,
        occurred_on=date(2025, 6, 1),
        vaccine_product="Rabisin",
        manufacturer="Boehringer Ingelheim",
        batch_number="LOT-7781",
        next_due_on=date(2028, 6, 1),
        duration_years=3,
        tag_number="TAG-4410",
        vet_licence="MRCVS 1234567",
        author=vet,
        source="practice",
        practice=practice,
    )
    Entry.objects.create(
        animal=rex,
        kind=EntryKind.VACCINATION,
        occurred_on=date(2026, 1, 10),
        vaccine_product="Nobivac L4",
        next_due_on=date(2027, 1, 10),
        vet_name="Dr Jones",
        author=alice,
    )
    Entry.objects.create(
        animal=rex, kind=EntryKind.CLINICAL_NOTE, notes="Secret note about his hip", author=alice
    )
    Entry.objects.create(animal=rex, kind=EntryKind.ALLERGY, allergen="Peanut dust", author=alice)
    return rex


def _open(token: str) -> object:
    return Client().get(f"/vaccinations/{token}/")


def _link(alice, rex, days: int = 30) -> tuple[CertificateLink, str]:
    return certs.certificate_link_create(owner=alice, animal=rex, days=days)


def test_link_shows_the_vaccination_facts_and_nothing_else(alice, dog):
    _link_row, token = _link(alice, dog)
    response = _open(token)
    assert response.status_code == 200
    html = response.content.decode()
    for fact in (
        "Rex",
        "985141000123456",
        dog.species.name,
        dog.breed.name,
        "Tan and white",
        "Male (neutered)",
        "Rabisin",
        "Boehringer Ingelheim",
        "LOT-7781",
        "3 years",
        "TAG-4410",
        "Carol Vet",
        "MRCVS 1234567",
        "Riverside Vets",
        "Nobivac L4",
        "Dr Jones",
    ):
        assert fact in html, fact
    for secret in (
        "Alice Owner",
        "alice@example.com",
        "12 Private Lane",
        "07700 900123",
        "Secret note about his hip",
        "Peanut dust",
    ):
        assert secret not in html, secret
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_link_stops_working_at_expiry(now, alice, dog, time_machine):
    _link_row, token = _link(alice, dog, days=7)
    time_machine.move_to(now + timedelta(days=7) - timedelta(minutes=1), tick=False)
    assert _open(token).status_code == 200
    time_machine.move_to(now + timedelta(days=7, minutes=1), tick=False)
    response = _open(token)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link expired on" in html
    assert "Rabisin" not in html and "985141000123456" not in html
    # only the look that showed something is logged
    assert AccessLog.objects.filter(grant_kind=AccessLogGrant.CERTIFICATE_LINK).count() == 1


def test_link_stops_working_once_revoked_and_unknown_links_are_404(alice, dog):
    link, token = _link(alice, dog)
    assert _open(token).status_code == 200
    certs.certificate_link_revoke(link=link)
    response = _open(token)
    assert response.status_code == 410
    assert "The owner has revoked this link" in response.content.decode()
    assert "Rabisin" not in response.content.decode()
    unknown = _open(token[:-2] + "xx")
    assert unknown.status_code == 404
    assert "There is no certificate at this address" in unknown.content.decode()


def test_each_look_is_in_the_owners_access_log(alice, dog, bob):
    link, token = _link(alice, dog)
    _open(token)
    _open(token)
    rows = AccessLog.objects.filter(owner_id=alice.pk)
    assert rows.count() == 2
    assert {(r.grant_kind, r.grant_id, r.animal_id, r.practice_id) for r in rows} == {
        (AccessLogGrant.CERTIFICATE_LINK, link.pk, dog.pk, None)
    }
    (line,) = owner_access_log(alice)
    assert line["count"] == 2
    assert line["viewer_name"] == "Someone with your certificate link"
    assert line["view"] == certs.ACCESS_LOG_VIEW
    page = client_for(alice).get("/access-log/").content.decode()
    assert "Someone with your certificate link" in page
    assert "Vaccination certificate link" in page
    assert owner_access_log(bob).count() == 0


def test_only_a_hash_of_the_token_is_stored(alice, dog):
    link, token = _link(alice, dog)
    link.refresh_from_db()
    assert token not in link.token_hash
    assert re.fullmatch(r"[0-9a-f]{64}", link.token_hash)
    assert len(token) >= 40


def test_link_lifetime_is_one_of_the_offered_choices(alice, dog):
    with pytest.raises(ValidationError) as exc:
        _link(alice, dog, days=365)
    assert "days" in exc.value.message_dict
    assert CertificateLink.objects.count() == 0


def test_a_restricted_owner_cannot_start_sharing_with_a_link(alice, dog):
    alice.restricted_at = timezone.now()
    alice.save(update_fields=["restricted_at"])
    with pytest.raises(ValidationError, match="restricted"):
        _link(alice, dog)
    assert CertificateLink.objects.count() == 0


def test_nobody_but_the_owner_links_or_revokes(alice, bob, dog):
    with pytest.raises(ValidationError):
        certs.certificate_link_create(owner=bob, animal=dog, days=30)
    link, _token = _link(alice, dog)
    response = client_for(bob).post(f"/certificate-links/{link.pk}/revoke/")
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_the_certificate_fields_and_not_the_owner(alice, dog):
    response = client_for(alice).get(f"/animals/{dog.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for fact in (
        "Rex",
        "985141000123456",
        "Tan and white",
        "Male (neutered)",
        "Rabisin",
        "Boehringer",
        "LOT-7781",
        "2025-06-01",
        "3 years",
        "2028-06-01",
        "TAG-4410",
        "Carol Vet",
        "MRCVS 1234567",
        "Riverside Vets",
        "Nobivac L4",
        "Form 51",
    ):
        assert fact in text, fact
    for secret in ("Alice Owner", "alice@example.com", "Private Lane", "Secret note", "Peanut"):
        assert secret not in text, secret


def test_pdf_with_a_live_link_carries_its_qr_code_and_address(alice, dog):
    link, token = _link(alice, dog)
    url = f"/animals/{dog.pk}/certificate.pdf?link={token}"
    with_qr = client_for(alice).get(url).content
    reader = PdfReader(io.BytesIO(with_qr))
    assert len(reader.pages[0].images) == 1
    assert f"/vaccinations/{token[:10]}" in _pdf_text(with_qr)
    certs.certificate_link_revoke(link=link)
    revoked = client_for(alice).get(url).content
    assert len(PdfReader(io.BytesIO(revoked)).pages[0].images) == 0


def test_web_page_makes_a_link_and_shows_it_once(alice, dog):
    client = client_for(alice)
    response = client.post(f"/animals/{dog.pk}/certificate/", {"days": "90"})
    assert response.status_code == 302
    link = CertificateLink.objects.get()
    assert link.expires_at == link.created_at + timedelta(days=90)
    page = client.get(f"/animals/{dog.pk}/certificate/").content.decode()
    match = re.search(r'value="(http[^"]+/vaccinations/([^/"]+)/)"', page)
    assert match, "the new link is shown"
    assert 'src="data:image/svg+xml' in page  # its QR code
    assert _open(match.group(2)).status_code == 200
    again = client.get(f"/animals/{dog.pk}/certificate/").content.decode()
    assert match.group(2) not in again
    client.post(f"/certificate-links/{link.pk}/revoke/")
    assert _open(match.group(2)).status_code == 410


def test_web_form_refuses_a_lifetime_not_offered(alice, dog):
    response = client_for(alice).post(f"/animals/{dog.pk}/certificate/", {"days": "365"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert CertificateLink.objects.count() == 0


def test_api_makes_lists_and_revokes_links(alice, dog):
    api = APIClient()
    api.force_authenticate(alice)
    made = api.post(f"/api/v1/animals/{dog.pk}/certificate-links/", {"days": 7}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "live"
    assert body["qr_svg"].startswith("data:image/svg+xml")
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert _open(token).status_code == 200
    listed = api.get(f"/api/v1/animals/{dog.pk}/certificate-links/").json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert "url" not in listed[0]
    bad = api.post(f"/api/v1/animals/{dog.pk}/certificate-links/", {"days": 2}, format="json")
    assert bad.status_code == 400 and "days" in bad.json()["error"]["fields"]
    revoked = api.post(f"/api/v1/certificate-links/{body['id']}/revoke/", format="json")
    assert revoked.json()["status"] == "revoked"
    assert _open(token).status_code == 410
    pdf = api.get(f"/api/v1/animals/{dog.pk}/certificate/")
    assert pdf.status_code == 200
    assert "Rabisin" in _pdf_text(pdf.content)


def test_owner_enters_the_certificate_fields_on_a_vaccination(alice, rex):
    api = APIClient()
    api.force_authenticate(alice)
    url = f"/api/v1/animals/{rex.pk}/entries/"
    fields = {
        "kind": "vaccination",
        "occurred_on": "2026-01-05",
        "vaccine_product": "Rabisin",
        "duration_years": 3,
        "tag_number": "T-1",
        "vet_name": "Dr Jones",
        "vet_licence": "L-99",
    }
    made = api.post(url, fields, format="json")
    assert made.status_code == 201, made.content
    entry = Entry.objects.get()
    assert (entry.duration_years, entry.tag_number, entry.vet_name, entry.vet_licence) == (
        3,
        "T-1",
        "Dr Jones",
        "L-99",
    )
    bad = api.post(url, {**fields, "duration_years": 2}, format="json")
    assert bad.status_code == 400 and "duration_years" in bad.json()["error"]["fields"]


def test_api_pdf_answers_a_client_that_asks_for_pdf(alice, bob, dog):
    api = APIClient()
    api.force_authenticate(alice)
    url = f"/api/v1/animals/{dog.pk}/certificate/"
    response = api.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    other = APIClient()
    other.force_authenticate(bob)
    assert other.get(url, HTTP_ACCEPT="application/pdf").status_code == 404


def test_the_timeline_shows_a_vaccinations_certificate_fields(alice, dog):
    page = client_for(alice).get(f"/animals/{dog.pk}/").content.decode()
    assert "3 years · tag TAG-4410" in page
    assert "(licence MRCVS 1234567)" in page
    assert "given by Dr Jones" in page
    assert f'href="/animals/{dog.pk}/certificate/"' in page
