"""The Django admin lists reference data and, read-only, owners' records for the DPO."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.conftest import mfa_client_for
from tests.factories import EntryFactory


@pytest.fixture
def dpo_admin(dpo):
    dpo.is_superuser = True
    dpo.save()
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return mfa_client_for(dpo)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["species", "breed", "animal", "entry", "practice", "practicemembership"]
)
def test_admin_lists_records_models(dpo_admin, rex, riverside, carol, model):
    EntryFactory(animal=rex)
    response = dpo_admin.get(reverse(f"admin:records_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_entries_are_read_only_in_the_admin(dpo_admin, rex):
    entry = EntryFactory(animal=rex, notes="Original")
    assert dpo_admin.get(reverse("admin:records_entry_add")).status_code == 403
    change_url = reverse("admin:records_entry_change", args=[entry.pk])
    assert dpo_admin.get(change_url).status_code == 200
    dpo_admin.post(change_url, {"notes": "Changed"})
    entry.refresh_from_db()
    assert entry.notes == "Original"
    assert dpo_admin.get(reverse("admin:records_entry_delete", args=[entry.pk])).status_code == 403
