import pytest
from django.db import connection

from dsar.personal_data_map import (
    Person,
    models_without_subjects,
    personal_data_map,
    querysets_for,
    stale_declarations,
    subjects_map,
    unclassified_fields,
)
from vetpass.accounts.models import User
from vetpass.privacy import Match


def test_every_model_field_is_classified():
    assert unclassified_fields() == []


def test_no_declaration_names_a_field_that_does_not_exist():
    assert stale_declarations() == []


def test_the_map_knows_the_owner_email_is_personal_contact_data():
    field = personal_data_map()["accounts.User"]["email"]
    assert field.personal and field.category == "contact"


def test_every_installed_model_says_whose_rows_it_holds():
    assert models_without_subjects() == []


def test_every_subject_path_resolves_to_an_account_or_an_address():
    from django.apps import apps
    from django.contrib.postgres.fields import ArrayField
    from django.db import models

    from dsar.personal_data_map import _last_field

    for label, subjects in subjects_map().items():
        model = apps.get_model(label)
        for subject in subjects:
            field = _last_field(model, subject.path)
            if subject.match == Match.USER:
                assert field.is_relation or subject.path == "pk", (label, subject)
                target = field.related_model if field.is_relation else model
                assert target is User, (label, subject)
            elif subject.match == Match.USER_IDS:
                # An array of account ids (the access log's list form).
                assert isinstance(field, ArrayField), (label, subject)
                assert isinstance(field.base_field, models.BigIntegerField), (label, subject)
            else:
                assert isinstance(field, (models.CharField, models.JSONField)), (label, subject)


def test_a_model_with_personal_fields_has_a_path_to_the_person():
    mapping = personal_data_map()
    for label, subjects in subjects_map().items():
        if any(f.personal for f in mapping[label].values()):
            assert subjects, f"{label} holds personal data but no path to whose it is"


@pytest.mark.django_db
def test_the_paths_find_an_owner_s_rows_and_not_another_s(rex, tom):
    from records.models import Animal

    found = {
        (model._meta.label, subject.path): set(qs.values_list("pk", flat=True))
        for model, subject, qs in querysets_for(Person.of(user=rex.owner))
    }
    assert found[("accounts.User", "pk")] == {rex.owner.pk}
    mine = set(Animal.objects.filter(owner=rex.owner).values_list("pk", flat=True))
    assert mine and found[("records.Animal", "owner")] == mine
    assert not set(Animal.objects.filter(owner=tom.owner).values_list("pk", flat=True)) & mine


def test_an_undeclared_list_access_log_fails_the_map(monkeypatch):
    """The list form of the access log is a table like any other: left out of the map,
    the completeness checks fail."""
    import dsar.personal_data_map as pdm

    fields = {k: v for k, v in personal_data_map().items() if k != "records.ListAccessLog"}
    subjects = {k: v for k, v in subjects_map().items() if k != "records.ListAccessLog"}
    monkeypatch.setattr(pdm, "personal_data_map", lambda: fields)
    monkeypatch.setattr(pdm, "subjects_map", lambda: subjects)
    assert "records.ListAccessLog.owners" in pdm.unclassified_fields()
    assert "records.ListAccessLog" in pdm.models_without_subjects()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the list form is PostgreSQL's")
def test_the_array_path_finds_the_owners_named_in_a_list_read(rex, tom, carol):
    from records.models import ListAccessLog

    seen = ListAccessLog.objects.create(
        viewer=carol,
        view="client list",
        owners=[tom.owner_id, rex.owner_id],
        animals=[None, None],
        grant_kinds=["favorite", "favorite"],
        grant_ids=[1, 2],
    )
    ListAccessLog.objects.create(
        viewer=carol,
        view="client list",
        owners=[tom.owner_id],
        animals=[None],
        grant_kinds=["favorite"],
        grant_ids=[1],
    )
    found = {
        (model._meta.label, subject.path): set(qs.values_list("pk", flat=True))
        for model, subject, qs in querysets_for(Person.of(user=rex.owner))
    }
    assert found[("records.ListAccessLog", "owners")] == {seen.pk}
