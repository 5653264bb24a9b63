"""The animal page: record timeline with its kind filter, the weight chart, the care summary."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from records.charts import weight_chart_svg
from tests.factories import EntryFactory


@pytest.fixture
def records(rex):
    EntryFactory(
        animal=rex,
        kind="vaccination",
        vaccine_product="Nobivac L4",
        occurred_on=dt.date(2025, 6, 1),
    )
    EntryFactory(animal=rex, kind="allergy", allergen="Pollen", occurred_on=dt.date(2025, 7, 1))
    for month, kg in ((1, "30.5"), (2, "31"), (3, "31.75")):
        EntryFactory(
            animal=rex,
            kind="weight",
            weight_value=Decimal(kg),
            weight_unit="kg",
            occurred_on=dt.date(2025, month, 10),
        )
    EntryFactory(
        animal=rex,
        kind="weight",
        weight_value=Decimal("70000"),
        weight_unit="g",
        occurred_on=dt.date(2025, 4, 10),
    )


@pytest.mark.django_db
def test_timeline_shows_every_kind_and_filters_by_kind(alice_client, rex, records):
    url = reverse("records:animal_detail", args=[rex.pk])
    everything = alice_client.get(url).content.decode()
    assert "Nobivac L4" in everything and "Pollen" in everything
    only_vaccinations = alice_client.get(url, {"kind": "vaccination"}).content.decode()
    timeline = only_vaccinations.split('class="timeline"', 1)[1]
    assert "Nobivac L4" in timeline
    assert "Pollen" not in timeline
    assert 'href="?kind=vaccination" aria-current="page"' in only_vaccinations
    unknown = alice_client.get(url, {"kind": "nonsense"}).content.decode()
    assert "Pollen" in unknown.split('class="timeline"', 1)[1]


@pytest.mark.django_db
def test_weight_chart_renders_an_svg_with_a_point_per_weighing(alice_client, rex, records):
    html = alice_client.get(reverse("records:animal_detail", args=[rex.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg.count("<circle") == 4
    assert "70.0 kg" in svg  # 70 000 g shown in kg
    assert 'role="img"' in svg and "<title" in svg


def test_weight_chart_places_heavier_points_higher():
    svg = weight_chart_svg([(dt.date(2025, 1, 1), 10.0), (dt.date(2025, 2, 1), 20.0)])
    ys = [float(y) for y in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert len(ys) == 2 and ys[1] < ys[0]
    assert weight_chart_svg([]) == ""


def test_weight_chart_escapes_the_name():
    svg = weight_chart_svg([(dt.date(2025, 1, 1), 10.0)], name="<script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.django_db
def test_animal_page_shows_species_and_breed_care_summary(alice_client, rex):
    from records.models import Breed

    rex.breed = Breed.objects.get(species=rex.species, name="Labrador Retriever")
    rex.save()
    html = alice_client.get(reverse("records:animal_detail", args=[rex.pk])).content.decode()
    assert rex.species.care_summary[:40] in html
    assert "Prone to weight gain" in html


@pytest.mark.django_db
def test_timeline_query_count_does_not_grow_with_entries(
    alice_client, rex, django_assert_max_num_queries
):
    url = reverse("records:animal_detail", args=[rex.pk])
    EntryFactory(animal=rex)
    with django_assert_max_num_queries(20) as few:
        alice_client.get(url)
    EntryFactory.create_batch(30, animal=rex)
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(url)
