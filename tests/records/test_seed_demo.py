import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from records.models import Animal, Entry, Practice, PracticeMembership
from vetpass.accounts.models import User

LOGINS = [
    "owner@example.com",
    "vet@example.com",
    "practice-admin@example.com",
    "dpo@example.com",
]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_logins(reference_data, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        Animal.objects.count(),
        Entry.objects.count(),
        Practice.objects.count(),
        PracticeMembership.objects.count(),
        EmailAddress.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        User.objects.count(),
        Animal.objects.count(),
        Entry.objects.count(),
        Practice.objects.count(),
        PracticeMembership.objects.count(),
        EmailAddress.objects.count(),
    )
    out = capsys.readouterr().out
    for email in LOGINS:
        assert email in out
        user = User.objects.get(email=email)
        assert user.check_password("vetpass-demo")
        assert EmailAddress.objects.get(user=user).verified
    assert "vetpass-demo" in out

    owner = User.objects.get(email="owner@example.com")
    herd = Animal.objects.get(owner=owner, is_group=True)
    assert herd.head_count and herd.head_count > 1
    assert {a.species.slug for a in Animal.objects.filter(owner=owner)} >= {"dog", "cat", "cattle"}
    dog = Animal.objects.get(owner=owner, species__slug="dog")
    kinds = set(dog.entries.values_list("kind", flat=True))
    assert {"vaccination", "weight", "clinical_note", "medication", "allergy"} <= kinds
    assert dog.entries.filter(kind="weight").count() >= 12

    practice = Practice.objects.get(name="Riverside Veterinary Centre")
    assert (practice.postcode, practice.latitude, practice.longitude) == (
        "BS1 4DJ",
        51.4545,
        -2.5879,
    )
    assert PracticeMembership.objects.get(user__email="vet@example.com").role == "vet_surgeon"
    admin = PracticeMembership.objects.get(user__email="practice-admin@example.com")
    assert admin.role == "admin_staff" and admin.is_practice_admin
    dpo = User.objects.get(email="dpo@example.com")
    assert dpo.is_dpo and dpo.is_staff


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_owner_can_sign_in_and_sees_a_year_of_records(reference_data, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "owner@example.com", "password": "vetpass-demo"}
    )
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Rex" in home and "Misty" in home and "dairy herd" in home
    rex = Animal.objects.get(name="Rex")
    detail = client.get(f"/animals/{rex.pk}/").content.decode()
    assert "<svg" in detail and "Nobivac" in detail


def test_the_demo_owner_can_book_rex_with_the_demo_vet(reference_data, settings):
    from datetime import timedelta

    from django.utils import timezone

    from records.practices.appointment_selectors import bookable_animals, practice_slots

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # the hours are published once
    owner = User.objects.get(email="owner@example.com")
    vet = User.objects.get(email="vet@example.com")
    practice = PracticeMembership.objects.get(user=vet).practice
    assert practice.weekly_availability.count() == 5
    assert [a.name for a in bookable_animals(owner, practice)] == ["Rex"]
    week = practice_slots(practice, day_from=timezone.localdate() + timedelta(days=2), days=7)
    assert len(week) == 5 * 9  # weekday mornings, 09:00-12:00 in 20-minute slots
    assert all(slot.online for slot in week)
