"""The invitation, the staff welcome and "your emergency share was used" are outbox rows
written inside the service's own transaction: there as soon as the service returns (not
left to an after-commit hook a crash or an SMTP error could lose), and gone with it when
the transaction is rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction

from records import services as record_services
from records.practices import services as svc
from tests.factories import MembershipFactory, UserFactory
from vetpass.outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _redeem(alice, rex, erin, harbour):
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour)


def _invite(alice, rex, erin, harbour):
    record_services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )


def _create_staff(alice, rex, erin, harbour):
    admin = UserFactory()
    MembershipFactory(practice=harbour, user=admin, is_practice_admin=True)
    svc.staff_create(
        practice=harbour, actor=admin, email="nina@example.com", full_name="Nina", role="nurse"
    )


ACTIONS = {
    "share used": (_redeem, "alice@example.com"),
    "invitation": (_invite, "bob@example.com"),
    "staff welcome": (_create_staff, "nina@example.com"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_the_notice_is_an_outbox_row_when_the_service_returns(
    action, alice, rex, erin, harbour, django_capture_on_commit_callbacks
):
    do, recipient = ACTIONS[action]
    with django_capture_on_commit_callbacks(execute=False):
        do(alice, rex, erin, harbour)
        assert list(OutboxEmail.objects.values_list("to", flat=True)) == [[recipient]]


@pytest.mark.parametrize("action", ACTIONS)
def test_the_notice_is_rolled_back_with_its_transaction(action, alice, rex, erin, harbour):
    do, _ = ACTIONS[action]
    with pytest.raises(RuntimeError), transaction.atomic():
        do(alice, rex, erin, harbour)
        raise RuntimeError("a later step failed")
    assert OutboxEmail.objects.count() == 0
