"""VetPass privacy staff's looks at people's data in the Django admin are access-logged
like a practice's (DESIGN.md rule 2, issue 7 §1.5): one row per object shown, on list and
detail pages, naming who looked, whose data, what and when, with the reason "admin"."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from consent.services import consent_grant
from records.models import AccessLogGrant, AccessRead, JoinRequest
from tests.conftest import mfa_client_for
from tests.factories import AnimalFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client(dpo):
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return mfa_client_for(dpo)


def _admin_rows():
    """The admin's reads, from both forms of the log (a list page's reads are one list
    row, an object's page an AccessLog row), in the order they were written."""
    reads = AccessRead.objects.filter(grant_kind=AccessLogGrant.ADMIN)
    return list(reads.order_by("created_at", "form", "id", "owner_id"))


def test_the_dpo_opening_an_animal_writes_one_row_naming_the_owner(dpo_client, dpo, alice, rex):
    response = dpo_client.get(reverse("admin:records_animal_change", args=[rex.pk]))
    assert response.status_code == 200
    [row] = _admin_rows()
    assert (row.viewer_id, row.owner_id, row.animal_id, row.practice_id, row.grant_id) == (
        dpo.pk,
        alice.pk,
        rex.pk,
        None,
        None,
    )
    assert row.view == "admin: animal"


@pytest.mark.parametrize(
    "model",
    [
        "records_animal",
        "records_entry",
        "records_favorite",
        "records_emergencyshare",
        "records_recordrequest",
        "records_practicemembership",
        "records_joinrequest",
        "accounts_user",
        "consent_consentevent",
    ],
)
def test_every_admin_page_of_peoples_data_logs_one_row_per_object_shown(
    dpo_client, dpo, alice, bob, rex, tom, carol, hilltop, favorite, emergency_share, model
):
    EntryFactory(animal=rex)
    EntryFactory(animal=tom)
    JoinRequest.objects.create(user=carol, practice=hilltop, role="vet_surgeon")
    consent_grant(subject=bob, purpose="marketing_email", channel="web")
    before = AccessRead.objects.filter(grant_kind=AccessLogGrant.ADMIN).count()

    listing = dpo_client.get(reverse(f"admin:{model}_changelist"))
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert shown
    admin = listing.context["cl"].model_admin
    expected = [s for s in admin.access_log_subjects(shown) if s[0] not in (None, dpo.pk)]
    logged = _admin_rows()[before:]
    assert len(logged) == len(expected)
    assert sorted((r.owner_id, r.animal_id) for r in logged) == sorted(expected)
    assert {r.viewer_id for r in logged} == {dpo.pk}

    obj = next(o for o in shown if admin.access_log_subjects([o])[0][0] not in (None, dpo.pk))
    detail = dpo_client.get(reverse(f"admin:{model}_change", args=[obj.pk]))
    assert detail.status_code == 200
    [row] = _admin_rows()[before + len(logged) :]
    assert row.owner_id == admin.access_log_subjects([obj])[0][0]


def test_the_admin_list_writes_its_rows_in_a_constant_number_of_queries(
    dpo_client, alice, django_assert_max_num_queries
):
    url = reverse("admin:records_animal_changelist")
    AnimalFactory(owner=alice)
    with django_assert_max_num_queries(30) as few:
        dpo_client.get(url)
    for _ in range(10):
        AnimalFactory(owner=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = dpo_client.get(url)
    assert response.context["cl"].result_count == 11
    assert AccessRead.objects.filter(grant_kind=AccessLogGrant.ADMIN).count() == 1 + 11


def test_the_owner_sees_the_admin_read_as_vetpass_privacy_staff(
    dpo_client, dpo, alice, alice_client, rex
):
    dpo_client.get(reverse("admin:records_animal_change", args=[rex.pk]))

    page = alice_client.get("/access-log/").content.decode()
    assert "VetPass privacy staff" in page and dpo.full_name in page

    [row] = alice_client.get("/api/v1/access-log/").json()["results"]
    assert row["practice"] is None
    assert row["practice_name"] == "VetPass privacy staff"
    assert row["grant_kind"] == "admin"
    assert row["animal_name"] == "Rex"


def test_reading_the_access_log_itself_in_the_admin_is_not_logged(dpo_client, favorite, carol, rex):
    svc_rows = AccessRead.objects.count()
    assert dpo_client.get(reverse("admin:records_accesslog_changelist")).status_code == 200
    assert AccessRead.objects.count() == svc_rows


def test_staff_looking_at_their_own_account_write_no_row(dpo_client, dpo):
    dpo_client.get(reverse("admin:accounts_user_change", args=[dpo.pk]))
    assert _admin_rows() == []


def test_a_practices_page_logs_a_look_at_each_of_its_staff(dpo_client, riverside, carol, lena):
    listing = dpo_client.get(reverse("admin:records_practice_changelist"))
    assert listing.status_code == 200
    assert _admin_rows() == []  # the list shows practices, no person

    assert (
        dpo_client.get(reverse("admin:records_practice_change", args=[riverside.pk])).status_code
        == 200
    )
    assert sorted(r.owner_id for r in _admin_rows()) == sorted([carol.pk, lena.pk])


def test_allauths_address_and_authenticator_admins_log_their_reads(alice):
    from allauth.account.models import EmailAddress

    staff = UserFactory(email="ops@vetpass.example", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    address = EmailAddress.objects.create(user=alice, email=alice.email, primary=True)
    totp = Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "y"}
    )
    client = mfa_client_for(staff)
    for url in (
        reverse("admin:account_emailaddress_change", args=[address.pk]),
        reverse("admin:mfa_authenticator_change", args=[totp.pk]),
    ):
        assert client.get(url).status_code == 200
    assert [(r.viewer_id, r.owner_id) for r in _admin_rows()] == [(staff.pk, alice.pk)] * 2
