"""The animals list is built from rows, not a serializer per animal (issue 10): its answer
must be exactly AnimalSerializer's for the same animals, whatever they hold."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIRequestFactory

from records import selectors
from records.models import Animal, AnimalAccess, Breed, Entry, Permission
from records.serializers import AnimalSerializer, EntrySerializer
from tests.api.conftest import api_client_for
from tests.api.files import pdf, png
from tests.factories import AnimalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _serializer_answer(user, animals, path="/api/v1/animals/"):
    request = APIRequestFactory().get(path)
    request.user = user
    return [
        dict(row) for row in AnimalSerializer(animals, many=True, context={"request": request}).data
    ]


def test_the_animals_list_answers_exactly_what_the_serializer_would(alice_api, alice):
    nameless = UserFactory(email="nameless@example.com", full_name="")
    breed = Breed.objects.filter(species__slug="dog").first()
    herd = AnimalFactory(owner=alice, name="Flock", is_group=True, head_count=12)
    AnimalFactory(
        owner=alice,
        name="Bella",
        breed=breed,
        microchip="985141000123457",
        colour="black",
        deceased=True,
        deceased_on=dt.date(2024, 2, 3),
        group=herd,
        photo=png("b.png"),
    )
    AnimalFactory(owner=alice, name="Charlie", date_of_birth=None)
    shared = AnimalFactory(owner=nameless, name="Daisy")
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.VIEW)
    AnimalFactory(name="Not mine")

    response = alice_api.get("/api/v1/animals/")

    assert response.status_code == 200
    mine = Animal.objects.filter(pk__in=[a["id"] for a in response.json()["results"]])
    expected = _serializer_answer(alice, mine.select_related("species", "breed", "owner"))
    assert response.json()["results"] == expected
    assert response.json()["count"] == 4
    assert [a["name"] for a in expected] == ["Bella", "Charlie", "Daisy", "Flock"]
    assert expected[0]["photo_url"].startswith("http://testserver/api/v1/animals/")
    assert expected[2]["owner_name"] == "nameless@example.com"
    assert [a["is_owner"] for a in expected] == [True, True, False, True]


def test_an_own_animal_shared_with_two_people_is_listed_once(alice_api, alice, bob):
    """No DISTINCT any more: the shared animals are an IN, not a join that repeats rows."""
    own = AnimalFactory(owner=alice, name="Own")
    for person in (bob, UserFactory()):
        AnimalAccess.objects.create(animal=own, user=person, permission=Permission.VIEW)
    shared = AnimalFactory(owner=bob, name="Shared")
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.EDIT)

    response = alice_api.get("/api/v1/animals/")

    assert [a["name"] for a in response.json()["results"]] == ["Own", "Shared"]
    assert response.json()["count"] == 2
    assert "DISTINCT" not in str(selectors.animals_owned_or_shared(alice).query)


WEIGHT_SHOWN = EntrySerializer().fields["weight_value"].to_representation(12.5)


def _entries_serializer_answer(user, animal, *, owner_side):
    request = APIRequestFactory().get("/api/v1/")
    request.user = user
    entries = Entry.objects.filter(animal=animal).select_related("author", "practice")
    context = {"request": request, "owner_side": owner_side}
    return [dict(row) for row in EntrySerializer(entries, many=True, context=context).data]


def test_the_entries_list_answers_exactly_what_the_serializer_would(
    alice_api, alice, bob, rex, riverside, carol
):
    from decimal import Decimal

    from records.practices import services as practice_services

    practice_services.favorite_create(owner=alice, practice=riverside, already_client=True)
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)
    day = dt.date(2025, 3, 4)
    Entry.objects.create(
        animal=rex,
        author=alice,
        kind="vaccination",
        occurred_on=day,
        vaccine_product="Nobivac",
        next_due_on=dt.date(2026, 3, 4),
    )
    Entry.objects.create(
        animal=rex,
        author=bob,
        kind="weight",
        occurred_on=day,
        weight_value=Decimal("12.5"),
        weight_unit="kg",
    )
    Entry.objects.create(
        animal=rex,
        author=alice,
        kind="medication",
        occurred_on=day,
        medication_name="Metacam",
        dose="1 ml",
        ends_on=dt.date(2025, 3, 9),
    )
    Entry.objects.create(
        animal=rex,
        author=alice,
        kind="document",
        occurred_on=day,
        document=pdf(),
        document_type="Lab report",
    )
    Entry.objects.create(
        animal=rex,
        author=carol,
        practice=riverside,
        source="practice",
        kind="clinical_note",
        occurred_on=day,
        notes="Seen at the practice.",
    )
    Entry.objects.create(
        animal=rex, author=None, kind="clinical_note", occurred_on=day, title="", notes="x" * 120
    )
    # Every other kind, and the summaries that read differently (a round weight, a medication
    # without a dose, a titled document and note).
    for kind, fields in (
        ("weight", {"weight_value": Decimal("10"), "weight_unit": "kg"}),
        ("weight", {"weight_value": Decimal("0.250"), "weight_unit": "lb"}),
        ("weight", {"weight_value": Decimal("1200.5"), "weight_unit": "g"}),
        ("medication", {"medication_name": "Drontal", "dose": ""}),
        ("allergy", {"allergen": "Pollen", "severity": "mild"}),
        ("lab_result", {"test_name": "T4", "result": "normal"}),
        ("examination", {"title": "", "notes": "Heart ok. " * 10}),
        ("clinical_note", {"title": "Limping", "notes": "Left fore."}),
        ("document", {"title": "X-ray", "document": pdf(), "document_type": "Image"}),
        ("vaccination", {"vaccine_product": "Rabisin", "duration_years": 3, "tag_number": "T1"}),
    ):
        Entry.objects.create(animal=rex, author=alice, kind=kind, occurred_on=day, **fields)

    for user, client, owner_side in (
        (alice, alice_api, True),
        (bob, api_client_for(bob), True),
        (carol, api_client_for(carol), False),
    ):
        response = client.get(f"/api/v1/animals/{rex.pk}/entries/")
        assert response.status_code == 200
        shown = {row["id"] for row in response.json()["results"]}
        expected = [
            row
            for row in _entries_serializer_answer(user, rex, owner_side=owner_side)
            if row["id"] in shown
        ]
        assert response.json()["results"] == expected
        assert len(expected) >= 1
    alice_rows = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/").json()["results"]
    assert WEIGHT_SHOWN in {r["weight_value"] for r in alice_rows}
    assert {"10 kg", "0.25 lb", "1200.5 g", "12.5 kg"} <= {r["summary"] for r in alice_rows}
    assert any(r["document_url"] for r in alice_rows)
    assert "Riverside Vets" in {r["author_name"] for r in alice_rows}


def test_a_page_and_its_total_come_in_one_query(alice_api, alice, django_assert_max_num_queries):
    for i in range(5):
        AnimalFactory(owner=alice, name=f"Pet {i}")

    with django_assert_max_num_queries(10) as ctx:
        first = alice_api.get("/api/v1/animals/?page_size=2")
    sql = [q["sql"] for q in ctx.captured_queries]  # before the next request resets the log
    third = alice_api.get("/api/v1/animals/?page_size=2&page=3")
    last = alice_api.get("/api/v1/animals/?page_size=2&page=last")

    assert first.json()["count"] == 5
    assert [a["name"] for a in first.json()["results"]] == ["Pet 0", "Pet 1"]
    assert first.json()["next"].endswith("page=2&page_size=2")
    assert first.json()["previous"] is None
    assert third.json()["count"] == 5
    assert [a["name"] for a in third.json()["results"]] == ["Pet 4"]
    assert third.json()["next"] is None
    assert last.json()["results"] == third.json()["results"]
    assert not [q for q in sql if '"__count"' in q]
    assert sum("records_animal" in q for q in sql) == 1, sql
    for bad in ("4", "0", "abc"):
        response = alice_api.get(f"/api/v1/animals/?page_size=2&page={bad}")
        assert response.status_code == 404, bad
        assert response.json()["error"]["code"] == "not_found"


def test_an_empty_list_is_a_first_page_of_nothing(alice_api, alice, rex):
    response = alice_api.get(f"/api/v1/animals/{rex.pk}/entries/")
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert alice_api.get("/api/v1/animals/?species=cat").json()["count"] == 0


FILTERS = [
    "",
    "species=dog",
    "species=cat",
    "species=no-such-species",
    "is_group=true",
    "is_group=false",
    "is_group=maybe",
    "deceased=true",
    "deceased=false&species=dog",
    "group={herd}",
    "group={herd}.7",
    "group=99999999999999999999999",
    "species=&group=",
    "page_size=2",
    "page_size=2&page=2",
    "page_size=2&page=last",
    "page_size=3&page=last&is_group=false",
]


@pytest.mark.parametrize("query", FILTERS)
def test_the_lean_list_shows_what_the_selector_and_the_filters_show(query, alice_api, alice, bob):
    """The list PostgreSQL writes states the owner-or-shared rule in SQL beside the
    selector's Q (records.selectors): both must list the same animals, in the same order,
    under every filter AnimalFilter takes, on every page."""
    from django.http import QueryDict

    from records.api import AnimalFilter

    herd = AnimalFactory(owner=alice, name="Flock", is_group=True, head_count=3)
    AnimalFactory(owner=alice, name="Ewe", group=herd)
    AnimalFactory(owner=alice, name="Bella", deceased=True)
    AnimalFactory(owner=alice, name="Bella")  # same name: the id breaks the tie
    AnimalFactory(owner=alice, name="Kitty", species=Breed.objects.get(name="Persian").species)
    shared = AnimalFactory(owner=bob, name="Pony")
    AnimalAccess.objects.create(animal=shared, user=alice, permission=Permission.VIEW)
    hers_shared = AnimalFactory(owner=alice, name="Lent")
    AnimalAccess.objects.create(animal=hers_shared, user=bob, permission=Permission.EDIT)
    AnimalFactory(owner=bob, name="Not shared")
    query = query.format(herd=herd.pk)

    response = alice_api.get(f"/api/v1/animals/?{query}")

    assert response.status_code == 200, response.json()
    params = QueryDict(query)
    expected = AnimalFilter(params, queryset=selectors.animals_owned_or_shared(alice)).qs
    ids = list(expected.values_list("pk", flat=True))
    size = int(params.get("page_size", 50))
    number = params.get("page", "1")
    number = max(1, -(-len(ids) // size)) if number == "last" else int(number)
    body = response.json()
    assert body["count"] == len(ids)
    assert [a["id"] for a in body["results"]] == ids[(number - 1) * size : number * size]
    assert body["results"] == _serializer_answer(alice, expected[(number - 1) * size :][:size])


ENTRY_QUERIES = [
    "",
    "kind=vaccination",
    "kind=clinical_note",
    "kind=weight",
    "page_size=2",
    "page_size=2&page=2",
    "page_size=2&page=last",
    "page_size=1&page=last&kind=vaccination",
]


@pytest.mark.parametrize("query", ENTRY_QUERIES)
def test_the_lean_entries_list_shows_what_the_selector_shows(
    query, alice_api, alice, bob, rex, riverside, carol
):
    """The entries list PostgreSQL writes states Visibility.entries_q in SQL: for the owner,
    a co-owner and practice staff who were shared vaccinations only (and always see what
    their practice wrote), the same entries as selectors.entries_for, in its order."""
    from django.http import QueryDict

    from records.practices import services as practice_services

    practice_services.favorite_create(
        owner=alice, practice=riverside, all_animals=False, animals=[rex], kinds=["vaccination"]
    )
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)
    day = dt.date(2025, 3, 4)
    for i, kind in enumerate(["vaccination", "clinical_note", "vaccination", "weight"]):
        Entry.objects.create(
            animal=rex, author=alice, kind=kind, occurred_on=day - dt.timedelta(days=i), notes="n"
        )
    Entry.objects.create(
        animal=rex, author=carol, practice=riverside, source="practice", kind="clinical_note"
    )
    Entry.objects.create(animal=AnimalFactory(owner=alice), author=alice, kind="vaccination")
    params = QueryDict(query)
    size = int(params.get("page_size", 50))

    for user, client in ((alice, alice_api), (bob, api_client_for(bob)), (carol, None)):
        client = client or api_client_for(carol)
        response = client.get(f"/api/v1/animals/{rex.pk}/entries/?{query}")

        assert response.status_code == 200, response.json()
        vis = selectors.get_animal_for_user(user, rex.pk)
        ids = list(selectors.entries_for(vis, kind=params.get("kind")).values_list("pk", flat=True))
        number = params.get("page", "1")
        number = max(1, -(-len(ids) // size)) if number == "last" else int(number)
        body = response.json()
        assert body["count"] == len(ids)
        assert [e["id"] for e in body["results"]] == ids[(number - 1) * size : number * size]
    carol_ids = {
        e["id"]
        for e in api_client_for(carol).get(f"/api/v1/animals/{rex.pk}/entries/").json()["results"]
    }
    assert len(carol_ids) == 3  # two vaccinations and her practice's note


def test_a_bad_entries_filter_or_page_is_answered_as_before(alice_api, alice, rex):
    url = f"/api/v1/animals/{rex.pk}/entries/"
    response = alice_api.get(f"{url}?kind=nonsense")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    assert alice_api.get(f"{url}?page=2").status_code == 404
    assert alice_api.get(f"/api/v1/animals/{rex.pk + 1000}/entries/").status_code == 404


def test_a_bad_filter_value_is_a_field_error(alice_api, alice, rex):
    for query, field in (("group=abc", "group"), ("species=a%00b", "species")):
        response = alice_api.get(f"/api/v1/animals/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["error"]["fields"], query


def test_the_browsable_api_still_renders_the_list(client, alice, rex):
    client.force_login(alice)
    response = client.get("/api/v1/animals/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Rex" in response.content
