"""Erasure leaves nothing of the person behind (issue 8, Done when): every table of the
PostgreSQL database is dumped after the run and searched for their name, address, phone,
postcode, email and the microchip of the animal no practice held; what is kept is what
the map keeps, data under a legal hold survives, another owner is untouched, the stored
files are gone, and running it again (or after a crash) ends in the same state."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dsar import services as cases
from dsar.deadlines import add_months
from dsar.erasure import engine
from dsar.erasure.services import erasure_run
from dsar.models import (
    CaseEventKind,
    DataExport,
    DataSubjectRequest,
    ErasedSubject,
    ErasureCertificate,
    PracticeNotice,
    Status,
)
from records.models import (
    Animal,
    CertificateLink,
    ClientRegistration,
    EmergencyShare,
    Entry,
    Favorite,
    Practice,
    RecordRequest,
)
from tests.dsar.conftest import case_for
from tests.dsar.erasure_world import (
    CLINIC_CHIP,
    HELD_CHIP,
    another_owner,
    build_world,
    dump,
    exists,
    rows_of,
)
from vetpass.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, alice, bob, riverside, hilltop, carol, dpo):
    # Email goes through the outbox table as in production, so the dump searches it too.
    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    built = build_world(alice=alice, riverside=riverside, hilltop=hilltop, carol=carol, dpo=dpo)
    another_owner(bob, riverside)
    return built


def erase(email: str, *extra: str) -> dict:
    out = StringIO()
    args = ["--email", email, "--reason", "Asked by letter", "--json", *extra]
    call_command("dsar_erase", *args, stdout=out)
    return json.loads(out.getvalue())


def test_erasure_leaves_none_of_the_person_in_any_table(
    world, bob, django_capture_on_commit_callbacks
):
    before = dump()
    for secret in world.secrets():
        assert secret in before  # the search can find each one
    bob_before = rows_of(bob)
    # Rows that hold only her id escape a search for her details: count them directly.
    hers = _rows_that_hold_only_her_id(world.owner)
    assert all(hers.values()), hers  # each kind is there to be erased

    with django_capture_on_commit_callbacks(execute=True):
        certificate = erase("alice@example.com")

    after = dump()
    found = [s for s in world.secrets() if s.lower() in after.lower()]
    assert found == [], [line for line in after.splitlines() if any(s in line for s in found)]
    # The practice's clinical record stays (Bella, her chip, Riverside's entry); the
    # owner's own entries and the photos go; the held animal and its records survive.
    assert CLINIC_CHIP in after
    bella = Animal.objects.get(pk=world.bella.pk)
    assert bella.photo.name == ""
    assert list(Entry.objects.filter(animal=bella).values_list("notes", flat=True)) == [
        "Riverside: vaccinated"
    ]
    assert not Animal.objects.filter(pk=world.rex.pk).exists()
    held = Animal.objects.get(pk=world.max.pk)
    assert held.microchip == HELD_CHIP
    assert Entry.objects.filter(animal=held, notes="Max's held record").exists()
    assert all(exists(name) for name in world.held_files)
    assert not any(exists(name) for name in world.files)  # photos, documents, the export zip
    assert list(DataExport.objects.values_list("file_name", "token_hash")) == [("", "")]
    # The account is a tombstone that can never sign in.
    tombstone = User.objects.get(pk=world.owner.pk)
    assert tombstone.email.endswith("@erased.invalid")
    assert not tombstone.is_active and not tombstone.has_usable_password()
    assert not any(_rows_that_hold_only_her_id(world.owner).values())
    # Another owner is untouched.
    assert rows_of(bob) == bob_before
    # Proof: manifest (counts only), certificate, register, notices, case completed.
    assert certificate["manifest"]["tables"]["records.Animal"]["deleted"] == 1
    case = ErasureCertificate.objects.get().request
    assert case.status == Status.COMPLETED
    assert ErasedSubject.objects.filter(request=case).exists()
    notices = PracticeNotice.objects.filter(request=case)
    notified = set(notices.values_list("practice__name", flat=True))
    assert notified == {"Riverside Vets", "Hilltop Vets"}
    assert case.events.filter(kind=CaseEventKind.EMAIL).count() == 2
    out = StringIO()
    call_command("dsar_verify_certificate", case.reference, stdout=out)
    assert "valid" in out.getvalue()


def _rows_that_hold_only_her_id(owner: User) -> dict[str, int]:
    from vetpass.accounts.models import Session

    return {
        "sessions": Session.objects.filter(user=owner).count(),
        "favorites": Favorite.objects.filter(owner=owner).count(),
        "registrations": ClientRegistration.objects.filter(owner=owner).count(),
        "record requests": RecordRequest.objects.filter(owner=owner).count(),
        "emergency shares": EmergencyShare.objects.filter(owner=owner).count(),
        "certificate links": CertificateLink.objects.filter(owner=owner).count(),
    }


def test_running_it_again_changes_nothing_and_exits_zero(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase("alice@example.com")
    first = dump()
    with django_capture_on_commit_callbacks(execute=True):
        again = erase("alice@example.com")
    assert again["already_erased"] is True
    assert dump() == first


def test_a_crash_half_way_changes_nothing_and_the_rerun_finishes(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    before = dump()
    real = engine._apply_fields

    def crash_on_the_account(step, rows, manifest):
        if step.label == "accounts.User":
            raise RuntimeError("killed half-way")
        return real(step, rows, manifest)

    monkeypatch.setattr(engine, "_apply_fields", crash_on_the_account)
    with pytest.raises(RuntimeError):
        erase("alice@example.com")

    # Rolled back whole: every table as it was but the case the command opened first
    # (entered and verified before the run), which the rerun reuses; files kept.
    def without_cases(text: str) -> list[str]:
        return [
            line
            for line in text.splitlines()
            if not line.startswith(("dsar_datasubjectrequest", "dsar_caseevent"))
        ]

    assert without_cases(dump()) == without_cases(before)
    assert all(exists(name) for name in world.files)
    opened = DataSubjectRequest.objects.get(type="erasure")
    assert opened.status == Status.VERIFIED

    monkeypatch.setattr(engine, "_apply_fields", real)
    with django_capture_on_commit_callbacks(execute=True):
        erase("alice@example.com")
    after = dump()
    assert not [s for s in world.secrets() if s.lower() in after.lower()]
    assert not any(exists(name) for name in world.files)
    assert DataSubjectRequest.objects.get(type="erasure").pk == opened.pk


def test_files_left_by_a_crash_after_commit_are_finished_by_the_next_run(world):
    erase("alice@example.com")  # on_commit never runs in the test's transaction: a "crash"
    assert all(exists(name) for name in world.files)
    erase("alice@example.com")
    assert not any(exists(name) for name in world.files)


def test_a_hold_on_the_whole_subject_blocks_and_changes_nothing(world, dpo):
    cases.legal_hold_place(subject=world.owner, reason="Court order 44", actor=dpo)
    before = dump()
    with pytest.raises(CommandError, match="Court order 44"):
        erase("alice@example.com")
    with pytest.raises(CommandError, match="Court order 44"):
        erase("alice@example.com", "--preview")
    assert dump() == before


def test_preview_changes_nothing_and_says_what_is_kept_and_until_when(world):
    before = dump()
    preview = erase("alice@example.com", "--preview")
    assert dump() == before
    kept = {(k["table"], k["role"]): k for k in preview["keep"]}
    clinical = kept[("records.Entry", "owner")]
    assert clinical["rows"] == 1 and "clinical record" in clinical["why"]
    visit = timezone.localdate() - timedelta(days=30)
    assert clinical["until"] == add_months(visit, 60).isoformat()  # GB practice: 5 years
    assert any(k["role"] == "legal hold" for k in preview["keep"])
    deleted = {d["table"] for d in preview["delete"]}
    assert {"records.Favorite", "records.ClientRegistration", "accounts.Session"} <= deleted
    assert preview["blocked_by"] == []


def test_without_a_staff_account_to_record_the_operator_it_refuses(alice):
    with pytest.raises(CommandError, match="operator"):
        erase("alice@example.com")
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_california_practice_keeps_its_record_three_years(world, riverside):
    Practice.objects.filter(pk=riverside.pk).update(country="US")
    preview = erase("alice@example.com", "--preview")
    [clinical] = [k for k in preview["keep"] if k["table"] == "records.Entry"]
    visit = timezone.localdate() - timedelta(days=30)
    assert clinical["until"] == add_months(visit, 36).isoformat()


def test_no_such_person_exits_non_zero():
    with pytest.raises(CommandError, match="No person"):
        erase("nobody@example.com")


def test_the_service_refuses_a_case_that_is_not_an_erasure(alice, dpo):
    case = case_for(alice, timezone.now())
    with pytest.raises(ValidationError):
        erasure_run(case=case, actor=dpo)
    assert not ErasedSubject.objects.exists()


def test_a_tampered_certificate_fails_verification(world, django_capture_on_commit_callbacks):
    erase("alice@example.com")
    certificate = ErasureCertificate.objects.get()
    reference = certificate.request.reference
    call_command("dsar_verify_certificate", reference, stdout=StringIO())
    payload = json.loads(certificate.payload)
    payload["manifest"]["tables"]["records.Animal"]["deleted"] = 0
    ErasureCertificate.objects.filter(pk=certificate.pk).update(payload=json.dumps(payload))
    with pytest.raises(CommandError, match="NOT valid"):
        call_command("dsar_verify_certificate", reference, stdout=StringIO())


def test_the_manifest_holds_counts_never_values(world):
    manifest = erase("alice@example.com")
    text = json.dumps(manifest)
    assert not [s for s in world.secrets() if s in text]
    assert manifest["manifest"]["tables"]["accounts.User"]["fields"]["email"] == 1


def test_the_batch_entry_point_erases_many_people_in_one_pass(
    settings, alice, bob, carol, rex, tom, mailoutbox
):
    """What the retention job and the benchmark use: every statement covers them all."""
    from django.core.mail import send_mail

    from dsar.personal_data_map import Person
    from vetpass.outbox.models import OutboxEmail

    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    for person in (alice, bob, carol):
        send_mail("Hello", "Hi", None, [person.email.upper()])
    carol_rows = rows_of(carol)

    manifest = engine.erase_rows([Person.of(user=alice), Person.of(user=bob)])

    assert manifest.tables["records.Animal"]["deleted"] == 2
    assert manifest.tables["outbox.OutboxEmail"]["deleted"] == 2
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == [[carol.email.upper()]]
    assert User.objects.filter(email__endswith="@erased.invalid").count() == 2
    assert rows_of(carol) == carol_rows


def test_array_parameters_survive_quotes_and_backslashes(alice):
    awkward = ['o"brien@example.com', "back\\slash@example.com", "plain@example.com"]
    for address in awkward:
        User.objects.create(email=address)
    found = User.objects.filter(email__in=engine.any_of(awkward, "text"))
    assert sorted(found.values_list("email", flat=True)) == sorted(awkward)


def test_a_person_without_an_account_is_erased_by_address(settings, reference_data, dpo):
    from consent.models import ConsentEvent, EmailSubject
    from consent.services import consent_grant

    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    consent_grant(subject="Pat@Example.com", purpose="marketing_email", channel="web")
    events = ConsentEvent.objects.count()

    manifest = erase("pat@example.com")

    assert manifest["manifest"]["tables"]["consent.EmailSubject"]["deleted"] == 1
    assert not EmailSubject.objects.exists()
    assert ConsentEvent.objects.count() == events  # the ledger is kept, keyed by a hash
    assert "pat@example.com" not in dump().lower()
    assert erase("pat@example.com")["already_erased"] is True


def test_someone_who_signs_up_again_after_erasure_can_be_erased_again(alice, dpo):
    erase("alice@example.com")
    again = User.objects.create(email="alice@example.com", full_name="Alice Again")
    second = erase("alice@example.com")
    assert second.get("already_erased") is not True
    again.refresh_from_db()
    assert again.email.endswith("@erased.invalid") and again.full_name == ""


def test_the_certificate_and_the_register_outlive_the_purged_case(world):
    erase("alice@example.com")
    certificate = ErasureCertificate.objects.get()
    reference = certificate.reference
    DataSubjectRequest.objects.filter(reference=reference).delete()  # after 24 months

    out = StringIO()
    call_command("dsar_verify_certificate", reference, stdout=out)
    assert "valid" in out.getvalue()
    assert erase("alice@example.com") == {"already_erased": True, "reference": reference}


def test_a_new_request_for_someone_already_erased_is_completed_by_that_erasure(
    world, dpo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = erase("alice@example.com")
    again = cases.dsar_create(
        type="erasure",
        email="alice@example.com",
        jurisdiction="uk",
        channel="staff",
        entered_by=dpo,
    )
    again = cases.dsar_verify(request=again, actor=dpo, method=cases.WAIVED, waived_reason="Post")
    certificate = erasure_run(case=again, actor=dpo)
    assert json.loads(certificate.payload)["reference"] == first["reference"]
    again.refresh_from_db()
    assert again.status == Status.COMPLETED
    assert again.events.filter(text__startswith="Already erased under").exists()


def test_the_operator_must_be_a_dpo(world, carol):
    carol.is_staff = True
    carol.save(update_fields=["is_staff"])
    with pytest.raises(CommandError, match="not an active DPO"):
        call_command(
            "dsar_erase", "--email", "alice@example.com", "--reason", "x", "--operator", carol.email
        )
    assert not DataSubjectRequest.objects.filter(type="erasure").exists()
