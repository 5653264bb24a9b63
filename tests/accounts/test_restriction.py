"""Art. 18 restriction: applied and lifted only through accounts.services, always with a
reason and the actor, each change an append-only RestrictionEvent; the DPO does it from
the admin with two actions that ask for the reason, never by editing `restricted_at`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from tests.conftest import mfa_client_for
from vetpass.accounts.models import RestrictionAction, RestrictionEvent, User
from vetpass.accounts.services import restriction_apply, restriction_lift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
REASON = "Art. 18(1)(a): accuracy of the address contested, case 12"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def test_apply_sets_restricted_at_and_records_who_why_and_when(now, alice, dpo):
    event = restriction_apply(user=alice, reason=f"  {REASON}  ", actor=dpo)
    alice.refresh_from_db()
    assert alice.restricted_at == NOW and alice.is_restricted
    assert (event.user, event.action, event.reason, event.actor, event.at) == (
        alice,
        RestrictionAction.APPLY,
        REASON,
        dpo,
        NOW,
    )


def test_lift_clears_it_and_keeps_the_history(now, alice, dpo, time_machine):
    restriction_apply(user=alice, reason=REASON, actor=dpo)
    time_machine.shift(86400)
    restriction_lift(user=alice, reason="Address corrected and confirmed", actor=dpo)
    alice.refresh_from_db()
    assert alice.restricted_at is None
    history = list(RestrictionEvent.objects.filter(user=alice).order_by("at"))
    assert [e.action for e in history] == [RestrictionAction.APPLY, RestrictionAction.LIFT]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(alice, dpo, reason):
    with pytest.raises(ValidationError) as exc:
        restriction_apply(user=alice, reason=reason, actor=dpo)
    assert "reason" in exc.value.message_dict
    alice.refresh_from_db()
    assert alice.restricted_at is None and not RestrictionEvent.objects.exists()


def test_applying_twice_or_lifting_an_unrestricted_account_is_refused(alice, dpo):
    with pytest.raises(ValidationError):
        restriction_lift(user=alice, reason=REASON, actor=dpo)
    restriction_apply(user=alice, reason=REASON, actor=dpo)
    first = User.objects.get(pk=alice.pk).restricted_at
    with pytest.raises(ValidationError):
        restriction_apply(user=alice, reason=REASON, actor=dpo)
    assert User.objects.get(pk=alice.pk).restricted_at == first
    assert RestrictionEvent.objects.count() == 1


def test_the_history_refuses_update_and_delete_in_the_orm(alice, dpo):
    event = restriction_apply(user=alice, reason=REASON, actor=dpo)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        RestrictionEvent.objects.filter(pk=event.pk).update(reason="nothing")
    with pytest.raises(TypeError):
        RestrictionEvent.objects.all().delete()
    assert RestrictionEvent.objects.get(pk=event.pk).reason == REASON


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (pgtrigger)",
)
def test_the_history_refuses_update_and_delete_at_the_database(alice, dpo):
    event = restriction_apply(user=alice, reason=REASON, actor=dpo)
    table = RestrictionEvent._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x'", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert RestrictionEvent.objects.get(pk=event.pk).reason == REASON


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def dpo_admin(dpo):
    return mfa_client_for(dpo)


def _action(client, action, users, **extra):
    return client.post(
        "/admin/accounts/user/",
        {"action": action, "_selected_action": [u.pk for u in users], **extra},
    )


def test_the_dpo_restricts_from_the_admin_after_giving_a_reason(dpo_admin, alice, bob, dpo):
    page = _action(dpo_admin, "restriction_apply_action", [alice, bob])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Reason" in body and alice.email in body and bob.email in body
    alice.refresh_from_db()
    assert alice.restricted_at is None  # nothing happens before the reason is given

    page = _action(dpo_admin, "restriction_apply_action", [alice], confirm="Restrict", reason="")
    assert page.status_code == 200 and "Give the reason" in page.content.decode()
    assert not RestrictionEvent.objects.exists()

    response = _action(
        dpo_admin, "restriction_apply_action", [alice, bob], confirm="Restrict", reason=REASON
    )
    assert response.status_code == 302
    assert set(User.objects.filter(restricted_at__isnull=False)) == {alice, bob}
    assert set(RestrictionEvent.objects.values_list("actor", "reason")) == {(dpo.pk, REASON)}

    response = _action(
        dpo_admin, "restriction_lift_action", [bob], confirm="Lift", reason="Request withdrawn"
    )
    assert response.status_code == 302
    assert list(User.objects.filter(restricted_at__isnull=False)) == [alice]
    # The DPO reads the history on the person's page.
    page = dpo_admin.get(f"/admin/accounts/user/{bob.pk}/change/").content.decode()
    assert "Restriction history" in page and "Request withdrawn" in page and REASON in page


def test_lifting_an_unrestricted_account_in_the_admin_says_why_and_changes_nothing(
    dpo_admin, alice
):
    response = _action(dpo_admin, "restriction_lift_action", [alice], confirm="Lift", reason=REASON)
    assert response.status_code == 302
    page = dpo_admin.get(response["Location"]).content.decode()
    assert "not restricted" in page
    assert not RestrictionEvent.objects.exists()


def test_restricted_at_cannot_be_edited_by_hand_in_the_admin(dpo_admin, alice, dpo):
    dpo.is_superuser = True  # even a superuser, who may change the other fields
    dpo.save()
    page = dpo_admin.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="restricted_at' not in page
    assert "Restriction history" in page
