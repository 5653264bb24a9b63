"""Find a practice by name or town, distance from a postcode or coordinates, species
and service; results say whether the practice participates."""

import pytest

from records.models import Service
from records.practices.postcodes import coordinates_for, distance_km, district_of
from records.practices.selectors import practice_search
from tests.conftest import client_for
from tests.factories import PracticeFactory, species

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(reference_data):
    bristol = PracticeFactory(name="Clifton Cats", latitude=51.4560, longitude=-2.6190)
    bristol.species_treated.set([species("cat")])
    bath = PracticeFactory(name="Bath Paws", town="Bath", latitude=51.3857, longitude=-2.3639)
    bath.services.set([Service.objects.get(slug="grooming")])
    leeds = PracticeFactory(
        name="Leeds Kennels", town="Leeds", latitude=53.7997, longitude=-1.5492, participates=False
    )
    leeds.services.set([Service.objects.get(slug="kennels")])
    return bristol, bath, leeds


def test_postcodes_resolve_to_their_district_centroid():
    assert district_of("bs1 4dj") == "BS1"
    assert district_of("SW1A 1AA") == "SW1A"
    assert coordinates_for("BS1 4DJ") == (51.4545, -2.5879)
    assert coordinates_for("BS99 9ZZ") is not None  # unknown district: the area's mean
    assert coordinates_for("not a postcode") is None
    assert 150 < distance_km(51.4545, -2.5879, 51.5074, -0.1278) < 175  # Bristol–London


def test_nearest_first_within_the_radius(practices):
    bristol, bath, leeds = practices
    lat, lng = coordinates_for("BS1 4DJ")
    found = practice_search(latitude=lat, longitude=lng, radius_km=30)
    assert found == [bristol, bath]
    assert found[0].distance_km < found[1].distance_km
    assert practice_search(latitude=lat, longitude=lng, radius_km=5) == [bristol]


def test_by_name_town_species_and_service(practices):
    bristol, bath, leeds = practices
    assert practice_search(q="bath") == [bath]
    assert practice_search(species="cat") == [bristol]
    assert practice_search(service="kennels") == [leeds]


def test_web_search_by_postcode_shows_distance_and_participation(alice, practices):
    page = client_for(alice).get("/practices/", {"postcode": "LS1 4AP", "radius_km": 10})
    body = page.content.decode()
    assert "Leeds Kennels" in body and "Not on VetPass yet" in body and "km away" in body
    assert "Bath Paws" not in body


def test_web_search_by_browser_coordinates(alice, practices):
    body = client_for(alice).get("/practices/", {"latitude": "51.38", "longitude": "-2.36"})
    assert "Bath Paws" in body.content.decode()


def test_unknown_postcode_is_a_field_error(alice, practices):
    body = client_for(alice).get("/practices/", {"postcode": "XYZ"}).content.decode()
    assert 'href="#id_postcode"' in body
    response = client_for(alice).get("/api/v1/practices/", {"postcode": "XYZ"})
    assert response.status_code == 400 and "postcode" in response.json()["error"]["fields"]


def test_api_search_by_postcode(alice, practices):
    results = client_for(alice).get("/api/v1/practices/", {"postcode": "BS8"}).json()["results"]
    assert [r["name"] for r in results] == ["Clifton Cats", "Bath Paws"]
    assert results[0]["participates"] is True


def test_cannot_favorite_a_practice_not_on_vetpass(alice, practices):
    leeds = practices[2]
    response = client_for(alice).post(
        "/api/v1/favorites/", {"practice_id": leeds.pk}, content_type="application/json"
    )
    assert response.status_code == 400
