import pytest
from django.http import Http404

from records.selectors import animals_visible_to, get_animal_for_user


@pytest.mark.django_db
def test_owner_sees_own_animals_only(alice, rex, tom):
    assert list(animals_visible_to(alice)) == [rex]


@pytest.mark.django_db
def test_another_owners_animal_is_404(alice, tom):
    with pytest.raises(Http404):
        get_animal_for_user(alice, tom.pk)
