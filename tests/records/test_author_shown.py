"""Who wrote an entry, as the viewer may be told (§1.7): one function for the web page,
the owner-side API and the workspace API."""

from types import SimpleNamespace

from records.visibility import author_shown

carol = SimpleNamespace(display_name="Carol Vet")
vic = SimpleNamespace(display_name="Vic Viewer")


def test_the_owner_side_sees_every_author():
    assert author_shown(SimpleNamespace(author=vic, practice_id=None), owner_side=True) == (
        "Vic Viewer"
    )
    assert author_shown(SimpleNamespace(author=carol, practice_id=3), owner_side=True) == (
        "Carol Vet"
    )


def test_a_practice_sees_its_staff_but_never_the_owners_side():
    assert author_shown(SimpleNamespace(author=carol, practice_id=3), owner_side=False) == (
        "Carol Vet"
    )
    assert author_shown(SimpleNamespace(author=vic, practice_id=None), owner_side=False) is None
    assert author_shown(SimpleNamespace(author=None, practice_id=3), owner_side=False) is None
