"""The erasure map is executable: every role that finds a person's rows has a plan, and
every action fits its column (nullability, uniqueness, types, files, on_delete, retention
anchors). Deliberately wrong declarations prove the check fails on each kind of mistake."""

from __future__ import annotations

import pytest

from dsar.erasure.checks import erasure_map_problems, roles_without_a_plan
from dsar.erasure.plan import erasure_map, steps
from vetpass.privacy import (
    DELETE_FILE,
    GENERALISE_DATE,
    KEYED_HASH,
    SET_NULL,
    Plan,
    Role,
    constant,
    delete_rows,
    keep,
    keep_rows,
)


def test_every_role_of_every_subject_path_has_a_plan():
    assert roles_without_a_plan() == []


def test_the_declared_map_runs_on_the_schema():
    assert erasure_map_problems() == []


def test_favorites_are_deleted_before_the_registrations_they_protect():
    order = [s.label for s in steps()]
    assert order.index("records.Favorite") < order.index("records.ClientRegistration")
    assert order.index("records.Entry") < order.index("records.Animal")
    assert order[-1] == "accounts.User"


@pytest.mark.parametrize(
    ("label", "role", "plan", "complaint"),
    [
        ("accounts.User", Role.ACCOUNT, Plan(fields={"email": constant("x@y")}), "unique"),
        ("records.Entry", Role.AUTHOR, Plan(fields={"kind": SET_NULL}), "NOT NULL"),
        ("records.Animal", Role.OWNER, Plan(fields={"name": GENERALISE_DATE}), "date"),
        ("records.Animal", Role.OWNER, Plan(fields={"neutered": DELETE_FILE}), "no file"),
        ("records.Animal", Role.OWNER, Plan(fields={"sex": constant("robot")}), "choices"),
        ("records.Animal", Role.OWNER, Plan(fields={"neutered": constant("")}), "non-text"),
        ("records.Animal", Role.OWNER, Plan(fields={"nope": SET_NULL}), "no such column"),
        ("records.Animal", Role.OWNER, Plan(fields={"colour": KEYED_HASH}), "too short"),
        (
            "records.AccessLog",
            Role.OWNER,
            keep_rows("because", anchor="view", months=12),
            "not a date",
        ),
        (
            "records.Entry",
            Role.OWNER,
            Plan(row=keep("x", anchor="occurred_on", months_setting="NO_SUCH_SETTING", per="kind")),
            "not a table of months",
        ),
        ("records.Animal", Role.VIEWER, delete_rows(), "no subject path"),
    ],
)
def test_a_declaration_that_cannot_run_is_refused(label, role, plan, complaint):
    wrong = {**erasure_map(), label: {**erasure_map().get(label, {}), role: plan}}
    problems = erasure_map_problems(wrong)
    assert any(complaint in p and label in p for p in problems), problems


def test_deleting_registrations_before_their_favorites_would_hit_protect():
    wrong = {label: plans for label, plans in erasure_map().items() if label != "records.Favorite"}
    problems = erasure_map_problems(wrong)
    assert any("ClientRegistration" in p and "PROTECT" in p for p in problems), problems


def test_deleting_animals_would_cascade_into_the_kept_clinical_record():
    animal_plan = delete_rows(files=("photo",))  # no carve-out for the practice's record
    wrong = {**erasure_map(), "records.Animal": {Role.OWNER: animal_plan}}
    problems = erasure_map_problems(wrong)
    assert any("records.Entry" in p and "CASCADE" in p for p in problems), problems


def test_what_the_inventory_says_is_kept_is_not_deleted_by_the_engine():
    """The inventory (export's Art. 15 answers) and the executable map must agree: a field
    the inventory keeps for a legal reason is never in a row the engine deletes outright."""
    from dsar.personal_data_map import personal_data_map
    from vetpass.privacy import Action, Erasure

    disagreements = []
    for label, plans in erasure_map().items():
        kept_fields = [
            name for name, fc in personal_data_map()[label].items() if fc.erasure == Erasure.KEEP
        ]
        for role, plan in plans.items():
            deletes_all = plan.row is not None and plan.row.action == Action.DELETE_ROW
            if kept_fields and deletes_all and not plan.keep_when:
                disagreements.append(f"{label} ({role}) deletes {kept_fields}")
    assert disagreements == []
