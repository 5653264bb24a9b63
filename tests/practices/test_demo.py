import io

import pytest

from records.models import Practice
from records.practices.demo import DEMO_PRACTICES, seed_practice_demo
from records.practices.selectors import practice_search

pytestmark = pytest.mark.django_db


def test_demo_practices_are_findable_and_seeding_twice_adds_nothing(reference_data, riverside):
    out = io.StringIO()
    seed_practice_demo(riverside, out)
    assert Practice.objects.count() == len(DEMO_PRACTICES) + 1
    assert seed_practice_demo(riverside, out) == []
    assert Practice.objects.count() == len(DEMO_PRACTICES) + 1
    near = practice_search(latitude=51.4545, longitude=-2.5879, radius_km=10, service="kennels")
    assert [p.name for p in near] == ["Oakfield Kennels and Cattery"]
