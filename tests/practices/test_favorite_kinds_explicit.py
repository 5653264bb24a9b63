"""Sharing every kind of record is an explicit choice, never the silent default (issue 7
§2.7): the favorite form asks "all kinds / only these" with neither preselected, and
favorite_create refuses "only these" with none chosen, so the web form and the API agree."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from consent.models import ConsentEvent
from records.models import EntryKind, Favorite
from records.practices import services as svc
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _form_url(practice) -> str:
    return f"/practices/{practice.pk}/favorite/"


def _nothing_shared(alice) -> bool:
    return (
        not Favorite.objects.filter(owner=alice).exists()
        and not ConsentEvent.objects.filter(purpose__code="practice_sharing").exists()
    )


def test_the_form_preselects_neither_all_kinds_nor_only_these(alice, riverside):
    page = client_for(alice).get(_form_url(riverside)).content.decode()

    radios = re.findall(r'<input type="radio" name="which_kinds"[^>]*>', page)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)


def test_only_these_with_no_kind_ticked_is_a_field_error_and_nothing_is_shared(
    alice, rex, riverside
):
    response = client_for(alice).post(
        _form_url(riverside), {"share_profile": "on", "which": "all", "which_kinds": "chosen"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_kinds-error"' in html
    assert "Choose at least one kind of record, or share all kinds." in html
    assert _nothing_shared(alice)


def test_no_answer_about_kinds_is_a_field_error(alice, rex, riverside):
    response = client_for(alice).post(_form_url(riverside), {"which": "all"})

    html = response.content.decode()
    assert 'id="id_which_kinds-error"' in html
    assert "Which records is required." in html
    assert _nothing_shared(alice)


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ({"which_kinds": "all", "kinds": ["vaccination"]}, []),
        ({"which_kinds": "chosen", "kinds": ["vaccination"]}, ["vaccination"]),
        ({"kinds": ["vaccination"]}, ["vaccination"]),  # ticked without the radio
    ],
)
def test_the_owners_answer_is_what_is_shared(alice, rex, riverside, data, stored):
    response = client_for(alice).post(_form_url(riverside), {"which": "all", **data})

    assert response.status_code == 302, response.content.decode()
    assert Favorite.objects.get(owner=alice).kinds == stored


def test_the_service_refuses_only_these_with_none_chosen(alice, riverside):
    with pytest.raises(ValidationError) as caught:
        svc.favorite_create(owner=alice, practice=riverside, all_kinds=False, kinds=[])

    assert "kinds" in caught.value.message_dict
    assert _nothing_shared(alice)


def test_the_service_refuses_all_kinds_and_a_list_at_once(alice, riverside):
    with pytest.raises(ValidationError) as caught:
        svc.favorite_create(owner=alice, practice=riverside, all_kinds=True, kinds=["weight"])

    assert "kinds" in caught.value.message_dict


@pytest.mark.parametrize("body", [{}, {"kinds": []}, {"all_kinds": False, "kinds": []}])
def test_api_create_without_an_explicit_answer_is_refused(alice, rex, riverside, body):
    response = client_for(alice).post(
        "/api/v1/favorites/", {"practice_id": riverside.pk, **body}, content_type="application/json"
    )

    assert response.status_code == 400, response.json()
    assert "kinds" in response.json()["error"]["fields"]
    assert _nothing_shared(alice)


@pytest.mark.parametrize(
    ("body", "all_kinds", "kinds"),
    [({"all_kinds": True}, True, []), ({"kinds": ["vaccination"]}, False, ["vaccination"])],
)
def test_api_create_shares_what_was_said(alice, rex, riverside, body, all_kinds, kinds):
    response = client_for(alice).post(
        "/api/v1/favorites/", {"practice_id": riverside.pk, **body}, content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["all_kinds"], response.json()["kinds"]) == (all_kinds, kinds)


def test_api_change_to_only_these_with_none_is_refused_and_nothing_changes(alice, rex, riverside):
    favorite = svc.favorite_create(owner=alice, practice=riverside)
    events = ConsentEvent.objects.count()

    response = client_for(alice).patch(
        f"/api/v1/favorites/{favorite.pk}/", {"all_kinds": False}, content_type="application/json"
    )

    assert response.status_code == 400, response.json()
    assert "kinds" in response.json()["error"]["fields"]
    favorite.refresh_from_db()
    assert favorite.kinds == [] and ConsentEvent.objects.count() == events


def test_api_change_to_only_these_kinds(alice, rex, riverside):
    favorite = svc.favorite_create(owner=alice, practice=riverside)

    response = client_for(alice).patch(
        f"/api/v1/favorites/{favorite.pk}/",
        {"all_kinds": False, "kinds": [EntryKind.WEIGHT]},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    favorite.refresh_from_db()
    assert favorite.kinds == [EntryKind.WEIGHT]
