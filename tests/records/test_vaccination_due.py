"""A vaccine's next due date comes from its latest dose (issue 7 §2.5): once the same
vaccine is given again, the earlier dose's date no longer shows "overdue" — on the
dashboard, the animals list or the animal's timeline. "The same vaccine" ignores case and
surrounding spaces; other vaccines and other animals are unaffected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from records.models import EntryKind
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def dose(animal, product, given, due):
    return EntryFactory(
        animal=animal,
        kind=EntryKind.VACCINATION,
        vaccine_product=product,
        occurred_on=given,
        next_due_on=due,
    )


def test_dashboard_takes_the_due_date_from_the_latest_dose_of_the_same_vaccine(alice_client, rex):
    dose(rex, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    dose(rex, " nobivac l4 ", dt.date(2026, 3, 5), dt.date(2027, 3, 5))

    for url in (reverse("records:home"), reverse("records:animal_list")):
        html = alice_client.get(url).content.decode()
        assert "overdue" not in html, url
        assert "5 Mar 2027" in html, url


def test_timeline_does_not_show_a_superseded_dose_as_overdue(alice_client, rex):
    dose(rex, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    dose(rex, "NOBIVAC L4", dt.date(2026, 3, 5), dt.date(2027, 3, 5))

    html = alice_client.get(reverse("records:animal_detail", args=[rex.pk])).content.decode()

    assert "overdue" not in html
    assert "a later dose was given" in html
    assert 'class="tag ok">next due 5 Mar 2027' in html


def test_a_later_dose_with_no_due_date_clears_the_earlier_due_date(alice_client, rex):
    dose(rex, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    dose(rex, "nobivac L4", dt.date(2026, 3, 5), None)

    html = alice_client.get(reverse("records:home")).content.decode()

    assert "overdue" not in html
    assert "Next vaccination" not in html


def test_another_vaccine_stays_overdue(alice_client, rex):
    dose(rex, "Rabies", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    dose(rex, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 4, 1))
    dose(rex, "Nobivac L4", dt.date(2026, 4, 1), dt.date(2027, 4, 1))

    html = alice_client.get(reverse("records:home")).content.decode()

    assert 'class="tag overdue">overdue since 1 Mar 2026' in html
    assert "(Rabies)" in html


def test_another_animals_dose_does_not_replace_this_ones(alice, alice_client, rex):
    other = AnimalFactory(owner=alice, name="Bella")
    dose(rex, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    dose(other, "Nobivac L4", dt.date(2026, 3, 5), dt.date(2027, 3, 5))

    html = alice_client.get(reverse("records:home")).content.decode()

    assert 'class="tag overdue">overdue since 1 Mar 2026' in html


def test_of_two_doses_on_one_day_the_one_recorded_last_counts(alice_client, rex):
    dose(rex, "Nobivac L4", dt.date(2026, 3, 5), dt.date(2026, 4, 5))
    dose(rex, "Nobivac L4", dt.date(2026, 3, 5), dt.date(2027, 3, 5))  # the correction

    html = alice_client.get(reverse("records:home")).content.decode()

    assert "5 Mar 2027" in html and "overdue" not in html


def test_dashboard_queries_do_not_grow_with_doses(
    alice, alice_client, django_assert_max_num_queries, django_assert_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            animal = AnimalFactory(owner=alice)
            dose(animal, "Nobivac L4", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
            dose(animal, "nobivac l4", dt.date(2026, 3, 5), dt.date(2027, 3, 5))

    add(2)
    # Warm: the first request of a process also reads what it then caches (the policy
    # versions in force, the session, the account), so it is not the one to compare.
    alice_client.get(reverse("records:home"))
    with django_assert_max_num_queries(50) as few:
        alice_client.get(reverse("records:home"))
    add(20)
    with django_assert_num_queries(len(few.captured_queries)):
        html = alice_client.get(reverse("records:home")).content.decode()
    assert html.count("5 Mar 2027") == 22


def test_the_set_based_answer_equals_the_per_animal_one(alice):
    """next_due_of (one query for the dashboard) against with_next_due (the subqueries):
    the same date and vaccine for every animal, over the cases that matter."""
    from random import Random

    from records.models import Animal
    from records.vaccinations import next_due_of, with_next_due

    rng = Random(10)
    products = ["Nobivac L4", " nobivac l4 ", "NOBIVAC L4", "Rabisin", "rabisin ", "", "  "]
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=d) for d in (0, 0, 30, 90, 200, 400)]
    animals = [AnimalFactory(owner=alice) for _ in range(25)]
    for animal in animals:
        for _ in range(rng.randrange(0, 6)):
            given = rng.choice(days)
            due = rng.choice([None, given + dt.timedelta(days=rng.choice((100, 365, 30)))])
            dose(animal, rng.choice(products), given, due)
        if rng.random() < 0.3:
            EntryFactory(animal=animal, kind=EntryKind.WEIGHT)

    expected = {
        a.pk: (a.next_due_on, a.next_due_product)
        for a in with_next_due(Animal.objects.filter(owner=alice))
        if a.next_due_on is not None
    }
    assert len(expected) >= 10  # the cases are there
    assert next_due_of(a.pk for a in animals) == expected
