"""Who may see what, through the web pages: alice sees Rex; Tom (bob's) is a 404 for her
on every URL; anonymous visitors are sent to sign in."""

import pytest
from django.urls import reverse

from records.models import Entry
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory


@pytest.fixture
def tom_entry(tom):
    return EntryFactory(animal=tom, notes="Tom's private note")


@pytest.fixture
def rex_entry(rex):
    return EntryFactory(animal=rex, notes="Rex is bright and alert")


@pytest.mark.django_db
def test_owner_sees_own_animal_on_dashboard_list_and_detail(alice_client, rex, tom, rex_entry):
    home = alice_client.get(reverse("records:home"))
    assert "Rex" in home.content.decode()
    assert "Tom" not in home.content.decode()
    listing = alice_client.get(reverse("records:animal_list"))
    assert "Rex" in listing.content.decode() and "Tom" not in listing.content.decode()
    detail = alice_client.get(reverse("records:animal_detail", args=[rex.pk]))
    assert detail.status_code == 200
    assert "Rex is bright and alert" in detail.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["animal_detail", "animal_edit", "animal_photo", "animal_delete", "entry_add", "co_owners"],
)
def test_another_owners_animal_pages_are_404(alice_client, tom, name):
    response = alice_client.get(reverse(f"records:{name}", args=[tom.pk]))
    assert response.status_code == 404
    assert "Tom" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["entry_edit", "entry_delete", "entry_document"])
def test_another_owners_entry_pages_are_404(alice_client, tom_entry, name):
    response = alice_client.get(reverse(f"records:{name}", args=[tom_entry.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_posting_to_another_owners_entry_changes_nothing(alice_client, tom_entry):
    edit = alice_client.post(
        reverse("records:entry_edit", args=[tom_entry.pk]), {"occurred_on": "2024-01-01"}
    )
    delete = alice_client.post(reverse("records:entry_delete", args=[tom_entry.pk]))
    assert edit.status_code == delete.status_code == 404
    tom_entry.refresh_from_db()
    assert tom_entry.notes == "Tom's private note"
    assert Entry.objects.filter(pk=tom_entry.pk).exists()


@pytest.mark.django_db
def test_posting_to_another_owners_animal_changes_nothing(alice_client, tom):
    response = alice_client.post(
        reverse("records:animal_edit", args=[tom.pk]),
        {"name": "Stolen", "species": tom.species_id, "sex": "male"},
    )
    assert response.status_code == 404
    tom.refresh_from_db()
    assert tom.name == "Tom"
    assert alice_client.post(reverse("records:animal_delete", args=[tom.pk])).status_code == 404
    assert type(tom).objects.filter(pk=tom.pk).exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client, rex, rex_entry):
    for url in (
        reverse("records:animal_list"),
        reverse("records:animal_detail", args=[rex.pk]),
        reverse("records:entry_edit", args=[rex_entry.pk]),
        reverse("accounts:profile"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_anonymous_home_is_a_landing_page(client):
    response = client.get(reverse("records:home"))
    assert response.status_code == 200
    assert "Create an account" in response.content.decode()


@pytest.mark.django_db
def test_animal_list_query_count_does_not_grow_with_animals(
    alice, alice_client, django_assert_max_num_queries
):
    for _ in range(3):
        AnimalFactory(owner=alice)
    with django_assert_max_num_queries(12) as few:
        alice_client.get(reverse("records:animal_list"))
    animals = AnimalFactory.create_batch(40, owner=alice)
    for animal in animals[:10]:
        EntryFactory(animal=animal, kind="vaccination", vaccine_product="X", next_due_on=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(reverse("records:animal_list"))
    assert response.content.decode().count("/animals/") >= 43
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        alice_client.get(reverse("records:home"))


@pytest.mark.django_db
def test_dashboard_colours_next_vaccination_by_urgency(alice, alice_client, time_machine):
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    overdue = AnimalFactory(owner=alice, name="Overdue")
    soon = AnimalFactory(owner=alice, name="Soon")
    later = AnimalFactory(owner=alice, name="Later")
    for animal, due in (
        (overdue, dt.date(2026, 5, 1)),
        (soon, dt.date(2026, 6, 20)),
        (later, dt.date(2026, 12, 1)),
    ):
        EntryFactory(
            animal=animal,
            kind="vaccination",
            occurred_on=dt.date(2025, 5, 1),
            vaccine_product="Nobivac",
            next_due_on=due,
        )
    # A later dose of the same vaccine replaces the overdue date of the earlier one.
    EntryFactory(
        animal=later,
        kind="vaccination",
        occurred_on=dt.date(2024, 1, 1),
        vaccine_product="Nobivac",
        next_due_on=dt.date(2025, 1, 1),
    )
    html = alice_client.get(reverse("records:home")).content.decode()
    assert 'class="tag overdue">overdue since 1 May 2026' in html
    assert 'class="tag soon">due soon, 20 Jun 2026' in html
    assert 'class="tag ok">due 1 Dec 2026' in html
    assert "1 Jan 2025" not in html


@pytest.mark.django_db
def test_pending_invitation_shows_on_invitees_dashboard(alice, rex, bob):
    from records import services

    services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )
    html = client_for(bob).get(reverse("records:home")).content.decode()
    assert "Invitations for you" in html and "Rex" in html
