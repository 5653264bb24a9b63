"""A practice sees only what the owner chose: here Riverside gets Rex's vaccinations and
nothing else — not Rex's clinical notes, not Fido."""

import pytest
from django.http import Http404

from records.models import AccessRead, EntryKind
from records.practices import services as svc
from records.selectors import (
    animals_visible_to,
    entries_for,
    get_animal_for_user,
    get_entry_for_user,
)
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory

pytestmark = pytest.mark.django_db

SECRET = "Suspected pancreatitis, owner anxious"


@pytest.fixture
def scoped(alice, rex, carol, riverside):
    fido = AnimalFactory(owner=alice, name="Fido")
    vaccination = EntryFactory(
        animal=rex, kind=EntryKind.VACCINATION, vaccine_product="Nobivac DHP", notes=""
    )
    note = EntryFactory(animal=rex, kind=EntryKind.CLINICAL_NOTE, notes=SECRET)
    EntryFactory(animal=fido, kind=EntryKind.VACCINATION, vaccine_product="Fido's jab", notes="")
    svc.favorite_create(
        owner=alice,
        practice=riverside,
        all_animals=False,
        animals=[rex],
        kinds=[EntryKind.VACCINATION],
    )
    return {"fido": fido, "vaccination": vaccination, "note": note}


def test_selectors_give_only_the_chosen_animal_and_kind(scoped, rex, carol):
    assert list(animals_visible_to(carol)) == [rex]
    vis = get_animal_for_user(carol, rex.pk)
    assert vis.kinds == frozenset({EntryKind.VACCINATION})
    assert list(entries_for(vis)) == [scoped["vaccination"]]
    with pytest.raises(Http404):
        get_entry_for_user(carol, scoped["note"].pk)
    with pytest.raises(Http404):
        get_animal_for_user(carol, scoped["fido"].pk)


def test_web_workspace_shows_vaccinations_but_not_clinical_notes(scoped, rex, carol, riverside):
    client = client_for(carol)
    page = client.get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").content.decode()
    assert "Nobivac DHP" in page
    assert SECRET not in page
    assert client.get(f"/workspace/{riverside.pk}/animals/{scoped['fido'].pk}/").status_code == 404
    clients_page = client.get(f"/workspace/{riverside.pk}/").content.decode()
    assert "Rex" in clients_page and "Fido" not in clients_page


def test_api_workspace_shows_vaccinations_but_not_clinical_notes(scoped, rex, carol, riverside):
    client = client_for(carol)
    body = client.get(f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/").json()
    assert [e["kind"] for e in body["entries"]] == ["vaccination"]
    assert body["shared_kinds"] == ["vaccination"]
    assert SECRET not in str(body)
    response = client.get(f"/api/v1/workspace/{riverside.pk}/animals/{scoped['fido'].pk}/")
    assert response.status_code == 404
    clients = client.get(f"/api/v1/workspace/{riverside.pk}/clients/").json()["results"]
    assert [a["name"] for a in clients[0]["animals"]] == ["Rex"]


def test_every_read_by_the_practice_is_in_the_owners_access_log(
    scoped, alice, rex, carol, riverside
):
    client = client_for(carol)
    client.get(f"/workspace/{riverside.pk}/")
    client.get(f"/workspace/{riverside.pk}/animals/{rex.pk}/")
    client.get(f"/api/v1/workspace/{riverside.pk}/animals/{rex.pk}/")
    rows = list(AccessRead.objects.filter(owner=alice).order_by("created_at"))
    assert [(r.viewer_id, r.practice_id, r.animal_id, r.grant_kind) for r in rows] == [
        (carol.pk, riverside.pk, None, "favorite"),
        (carol.pk, riverside.pk, rex.pk, "favorite"),
        (carol.pk, riverside.pk, rex.pk, "favorite"),
    ]
    assert rows[0].view == "client list"
    # the owner's own looks are not logged
    client_for(alice).get("/access-log/")
    get_animal_for_user(alice, rex.pk)
    assert AccessRead.objects.count() == 3
    api_rows = client_for(alice).get("/api/v1/access-log/").json()["results"]
    assert {r["viewer_name"] for r in api_rows} == {"Carol Vet"}
