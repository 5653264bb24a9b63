"""Current state is derived from the latest event per (subject, purpose, scope); the
set-based query for a whole list agrees with reading each person's events one by one."""

import random

import pytest

from consent.models import Action, ConsentEvent
from consent.selectors import consent_given, consent_states, consenting_user_ids, consenting_users
from consent.services import consent_grant, consent_record, consent_set, consent_withdraw
from tests.factories import UserFactory
from vetpass.accounts.models import User


def _naive(purpose: str, scope: str) -> set[int]:
    latest: dict[int, str] = {}
    for event in ConsentEvent.objects.filter(purpose__code=purpose, scope=scope).order_by(
        "sequence"
    ):
        latest[event.subject_user_id] = event.action
    return {uid for uid, action in latest.items() if action == Action.GRANT}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_set_based_answer_matches_reading_each_ledger(reference_data, seed):
    rng = random.Random(seed)
    people = [UserFactory() for _ in range(25)]
    choices = [
        ("marketing_email", ""),
        ("practice_sharing", "practice:1"),
        ("practice_sharing", "practice:2"),
    ]
    for _ in range(150):
        person = rng.choice(people)
        purpose, scope = rng.choice(choices)
        action = rng.choice([Action.GRANT, Action.WITHDRAW, Action.OBJECT])
        consent_record(subject=person, purpose=purpose, scope=scope, action=action, channel="web")
    for purpose, scope in choices:
        expected = _naive(purpose, scope)
        assert consenting_user_ids(purpose, scope=scope) == expected
        assert consenting_user_ids(purpose, [p.pk for p in people[:10]], scope=scope) == {
            p.pk for p in people[:10] if p.pk in expected
        }
        for person in people:
            assert consent_given(person, purpose, scope) == (person.pk in expected)


def test_consent_for_one_practice_is_not_consent_for_another(alice):
    consent_grant(subject=alice, purpose="practice_sharing", scope="practice:1", channel="web")
    assert consent_given(alice, "practice_sharing", "practice:1")
    assert not consent_given(alice, "practice_sharing", "practice:2")
    consent_withdraw(subject=alice, purpose="practice_sharing", scope="practice:1", channel="web")
    assert not consent_given(alice, "practice_sharing", "practice:1")


def test_consenting_users_leaves_out_restricted_and_inactive_accounts(alice, bob):
    carla = UserFactory()
    for person in (alice, bob, carla):
        consent_grant(subject=person, purpose="marketing_email", channel="web")
    User.objects.filter(pk=bob.pk).update(is_active=False)
    User.objects.filter(pk=carla.pk).update(restricted_at="2026-01-01T00:00:00Z")
    assert list(consenting_users("marketing_email")) == [alice]


def test_turning_a_purpose_on_twice_writes_one_event(alice):
    assert consent_set(subject=alice, purpose="research", granted=True, channel="web")
    assert consent_set(subject=alice, purpose="research", granted=True, channel="web") is None
    assert ConsentEvent.objects.count() == 1


def test_states_for_one_person_take_a_fixed_number_of_queries(alice, django_assert_max_num_queries):
    for n in range(10):
        consent_grant(
            subject=alice, purpose="practice_sharing", scope=f"practice:{n}", channel="web"
        )
    with django_assert_max_num_queries(2):
        states = consent_states(alice)
    assert sum(1 for s in states if s.purpose.code == "practice_sharing") == 10


def test_a_scoped_purpose_needs_a_scope_and_an_unscoped_one_refuses_it(alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        consent_grant(subject=alice, purpose="practice_sharing", channel="web")
    with pytest.raises(ValidationError):
        consent_grant(subject=alice, purpose="marketing_email", scope="practice:1", channel="web")
    assert not ConsentEvent.objects.exists()


def test_a_person_without_an_account_has_a_ledger_by_email(reference_data):
    consent_grant(subject="Farmer@Example.com ", purpose="marketing_sms", channel="admin")
    assert consent_given("farmer@example.com", "marketing_sms")
