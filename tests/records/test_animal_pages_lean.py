"""The two animal pages read rows in hand-written statements and write their timelines in
Python (issue 10). These hold each statement to the ORM rule it restates, and the pages'
HTML to the escaping the template gave: a person's text is never markup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from records import selectors
from records.models import Animal, AnimalAccess, Entry, EntryKind, Favorite, Permission
from records.practices import services as svc
from records.practices.selectors import favorites_sharing_animal
from records.vaccinations import with_superseded
from records.visibility import Visibility
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory, MembershipFactory, PracticeFactory
from vetpass.compiled import CompiledGet

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def mixed(rex, riverside):
    """Entries of several kinds, some written by a practice."""
    today = timezone.localdate()
    other = PracticeFactory(name="Hilltop")
    for n, kind in enumerate(["vaccination", "weight", "allergy", "clinical_note"] * 2):
        EntryFactory(
            animal=rex,
            kind=kind,
            occurred_on=today - dt.timedelta(days=n),
            vaccine_product="Nobivac" if kind == "vaccination" else "",
            weight_value=10 if kind == "weight" else None,
            weight_unit="kg" if kind == "weight" else "",
            allergen="Pollen" if kind == "allergy" else "",
            practice=[None, riverside, other][n % 3],
            source="practice" if n % 3 else "owner",
        )
    return other


@pytest.mark.parametrize(
    ("kinds", "practice_ids"),
    [
        (None, ()),
        (frozenset(), ()),
        (frozenset({"vaccination"}), ()),
        (frozenset({"weight", "allergy"}), ()),
        (frozenset(), ("riverside",)),
        (frozenset({"allergy"}), ("riverside", "other")),
    ],
)
def test_entry_rows_see_what_entries_for_sees(rex, riverside, mixed, kinds, practice_ids):
    ids = {"riverside": riverside.pk, "other": mixed.pk}
    vis = Visibility(
        animal=rex,
        can_edit=False,
        is_owner=False,
        kinds=kinds,
        practice_ids=frozenset(ids[name] for name in practice_ids),
    )
    expected = list(selectors.entries_for(vis).values_list("pk", flat=True))
    assert [row.id for row in selectors.entry_rows(vis)] == expected
    weights = list(selectors.entries_for(vis, kind="weight").values_list("pk", flat=True))
    assert [row.id for row in selectors.entry_rows(vis, kind="weight")] == weights


def test_superseded_matches_the_one_answer(rex):
    def dose(product, days_ago):
        return EntryFactory(
            animal=rex,
            kind=EntryKind.VACCINATION,
            vaccine_product=product,
            occurred_on=timezone.localdate() - dt.timedelta(days=days_ago),
        )

    dose("Nobivac L4", 400)
    dose(" nobivac l4 ", 10)
    dose("", 300)
    dose("", 5)
    dose("Rabies", 50)
    dose("Rabies", 50)  # the same day: the one recorded last is the latest
    vis = Visibility(animal=rex, can_edit=True, is_owner=True)

    expected = dict(
        with_superseded(Entry.objects.filter(animal=rex)).values_list("pk", "superseded")
    )
    rows = selectors.entry_rows(vis, limit=50, superseded=True)
    assert {row.id: bool(row.superseded) for row in rows} == expected
    assert sum(expected.values()) == 2


def test_sharing_favorites_are_the_active_ones_that_cover_the_animal(alice, rex):
    other = AnimalFactory(owner=alice, name="Bella")
    cases = [
        {"all_animals": True},
        {"all_animals": False, "animals": [rex]},
        {"all_animals": False, "animals": [other]},
        {"all_animals": True, "ends_on": timezone.localdate()},
        {"all_animals": True, "ends_on": timezone.localdate() + dt.timedelta(days=3)},
        {"all_animals": True, "all_kinds": False, "kinds": ["vaccination"]},
    ]
    for case in cases:
        svc.favorite_create(owner=alice, practice=PracticeFactory(), **case)
    ended = svc.favorite_create(owner=alice, practice=PracticeFactory())
    svc.favorite_delete(favorite=ended)
    past = svc.favorite_create(owner=alice, practice=PracticeFactory())
    Favorite.objects.filter(pk=past.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))

    expected = list(
        Favorite.objects.active()
        .filter(owner_id=alice.pk)
        .filter(Q(all_animals=True) | Q(animals=rex))
        .distinct()
        .order_by("-created_at", "-id")
    )
    rows = favorites_sharing_animal(rex)
    assert [row.pk for row in rows] == [f.pk for f in expected]
    assert [(row.practice_name, row.some_kinds, row.ends_on) for row in rows] == [
        (f.practice.name, bool(f.kinds), f.ends_on) for f in expected
    ]


def test_co_owner_rows_list_co_owners_of_in_its_order(alice, bob, rex):
    from tests.factories import UserFactory

    nameless = UserFactory(full_name="")
    AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.EDIT)
    AnimalAccess.objects.create(animal=rex, user=nameless, permission=Permission.VIEW)
    vis = Visibility(animal=rex, can_edit=True, is_owner=True)

    rows = selectors.co_owner_rows(vis)

    assert [(r.pk, r.name, r.permission_label) for r in rows] == [
        (a.pk, a.user.display_name, a.get_permission_display().lower())
        for a in selectors.co_owners_of(vis)
    ]


def test_the_compiled_read_gives_what_the_orm_gives(rex):
    from records.models import Breed

    rex.breed = Breed.objects.filter(species=rex.species).first()
    rex.neutered = True
    rex.save()
    read = CompiledGet(lambda: Animal.objects.select_related("species", "breed", "owner"))

    for _ in range(2):  # compiled on the first call, reused on the second
        got = read.get(rex.pk)
        orm = Animal.objects.select_related("species", "breed", "owner").get(pk=rex.pk)
        for model_obj, orm_obj in [
            (got, orm),
            (got.species, orm.species),
            (got.breed, orm.breed),
            (got.owner, orm.owner),
        ]:
            fields = model_obj._meta.concrete_fields
            assert [getattr(model_obj, f.attname) for f in fields] == [
                getattr(orm_obj, f.attname) for f in fields
            ]
    assert read.get(rex.pk + 1000) is None
    assert read.get(2**70) is None  # no bigint: nothing, as the ORM
    with pytest.raises(ValueError):
        read.get("not a number")


def test_an_animal_with_no_breed_reads_none_for_it(rex):
    read = CompiledGet(lambda: Animal.objects.select_related("species", "breed", "owner"))
    assert read.get(rex.pk).breed is None


def test_a_key_no_animal_can_have_is_a_404(alice_client):
    assert alice_client.get(f"/animals/{2**70}/").status_code == 404


def test_the_owner_page_escapes_what_people_wrote(alice, alice_client, rex, riverside):
    rex.name = f"Rex {EVIL}"
    rex.save()
    vet = MembershipFactory(practice=riverside).user
    vet.full_name = f"Vet {EVIL}"
    vet.save()
    riverside.name = f"Riverside {EVIL}"
    riverside.save()
    EntryFactory(animal=rex, kind="clinical_note", title=f"Title {EVIL}", notes=f"a {EVIL}\nb")
    EntryFactory(
        animal=rex,
        kind="vaccination",
        vaccine_product=f"Vaccine {EVIL}",
        manufacturer=f"Maker {EVIL}",
        batch_number=EVIL,
        vet_name=EVIL,
        next_due_on=timezone.localdate() + dt.timedelta(days=400),
    )
    EntryFactory(
        animal=rex,
        kind="allergy",
        allergen=EVIL,
        severity=EVIL,
        source="practice",
        practice=riverside,
        author=vet,
    )
    svc.favorite_create(owner=alice, practice=riverside)

    html = alice_client.get(f"/animals/{rex.pk}/").content.decode()

    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 12
    assert "a &lt;script&gt;alert(1)&lt;/script&gt;<br>b" in html


def test_the_vet_page_escapes_what_people_wrote(alice, rex, carol, riverside):
    rex.name = f"Rex {EVIL}"
    rex.save()
    EntryFactory(animal=rex, kind="examination", notes=f"Exam {EVIL}", practice=riverside)
    EntryFactory(animal=rex, kind="lab_result", test_name=EVIL, result=EVIL, notes=EVIL)
    svc.favorite_create(owner=alice, practice=riverside)

    html = client_for(carol).get(f"/workspace/{riverside.pk}/animals/{rex.pk}/").content.decode()

    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_the_workspace_look_compiled_once_sees_what_the_queryset_sees(alice, rex, carol, riverside):
    from records.practices import access
    from records.practices.selectors import get_membership

    other = AnimalFactory(owner=alice, name="Bella")
    favorite = svc.favorite_create(
        owner=alice, practice=riverside, all_animals=False, animals=[other]
    )
    membership = get_membership(carol, riverside.pk)
    assert access.practice_visibility(carol, rex, riverside, membership=membership) is None
    favorite.animals.add(rex)
    for _ in range(2):  # compiled on the first call, reused on the second
        vis = access.practice_visibility(carol, rex, riverside, membership=membership)
        assert vis is not None and vis.via == favorite and vis.via.practice == riverside
        assert vis.via.owner == alice and vis.kinds is None
    Favorite.objects.filter(pk=favorite.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert access.practice_visibility(carol, rex, riverside, membership=membership) is None


def test_a_compiled_query_refuses_a_parameter_that_does_not_reach_the_sql():
    from vetpass.compiled import CompiledQuery

    query = CompiledQuery(lambda owner: Animal.objects.filter(owner_id=abs(owner)), "owner")
    with pytest.raises(ValueError, match="owner"):
        query.all(owner=1)
