"""Legal holds: placed with a reason and by whom, active until their date or until lifted,
never deleted."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dsar import services as svc
from dsar.models import LegalHold
from tests.conftest import mfa_client_for

pytestmark = pytest.mark.django_db


def test_a_hold_needs_a_reason_and_is_active_until_lifted_or_its_date(alice, dpo):
    with pytest.raises(ValidationError):
        svc.legal_hold_place(subject=alice, reason=" ", actor=dpo)
    today = timezone.localdate()
    dated = svc.legal_hold_place(
        subject=alice, reason="Claim 2026-114", actor=dpo, until=today + timedelta(days=1)
    )
    open_ended = svc.legal_hold_place(subject=alice, reason="Police request", actor=dpo)
    assert set(svc.legal_holds_active(alice)) == {dated, open_ended}
    assert svc.legal_holds_active(alice, today=today + timedelta(days=2)) == [open_ended]
    svc.legal_hold_lift(hold=open_ended, actor=dpo)
    assert svc.legal_holds_active(alice, today=today + timedelta(days=2)) == []
    with pytest.raises(ValidationError):
        svc.legal_hold_lift(hold=open_ended, actor=dpo)
    assert LegalHold.objects.count() == 2


def test_the_dpo_places_and_lifts_holds_in_the_admin_and_cannot_delete_them(alice, dpo):
    client = mfa_client_for(dpo)
    added = client.post(
        "/admin/dsar/legalhold/add/",
        {"subject": alice.pk, "reason": "Claim 2026-114", "until": date(2030, 1, 1)},
    )
    assert added.status_code == 302, added.content[:2000]
    hold = LegalHold.objects.get()
    assert hold.placed_by == dpo
    client.post(
        "/admin/dsar/legalhold/",
        {"action": "lift", "_selected_action": [hold.pk]},
    )
    hold.refresh_from_db()
    assert hold.lifted_by == dpo
    assert client.get(f"/admin/dsar/legalhold/{hold.pk}/delete/").status_code in (403, 302)


def test_a_held_animal_cannot_be_deleted_by_any_door_and_lifting_releases_it(rex, dpo):
    from rest_framework.test import APIClient

    from records.models import Animal
    from tests.conftest import client_for

    owner = rex.owner
    hold = svc.legal_hold_place(subject=owner, reason="Claim 7", actor=dpo, animal=rex)
    web = client_for(owner).post(f"/animals/{rex.pk}/delete/", follow=True)
    assert web.status_code == 200
    assert "kept for a legal reason" in web.content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    refused = api.delete(f"/api/v1/animals/{rex.pk}/")
    assert refused.status_code == 400
    assert "kept for a legal reason" in str(refused.json())
    assert Animal.objects.filter(pk=rex.pk).exists()

    svc.legal_hold_lift(hold=hold, actor=dpo)
    hold.refresh_from_db()
    assert hold.animal is None and hold.scope.startswith("Rex (animal")
    assert api.delete(f"/api/v1/animals/{rex.pk}/").status_code == 204
    assert not Animal.objects.filter(pk=rex.pk).exists()


def test_a_hold_the_service_would_refuse_is_a_field_error_in_the_admin_not_a_500(alice, bob, dpo):
    from tests.factories import AnimalFactory

    bobs_dog = AnimalFactory(owner=bob, name="Tom")
    response = mfa_client_for(dpo).post(
        "/admin/dsar/legalhold/add/",
        {
            "subject": alice.pk,
            "animal": bobs_dog.pk,
            "reason": "   ",
            "until": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose one of the subject" in html and "today or later" in html
    assert not LegalHold.objects.exists()
