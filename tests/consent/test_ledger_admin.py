"""The DPO reads the ledger in the admin, exports a person's history, and records a
consent received on paper or by phone — but can never edit or delete an event."""

import csv
import io
import json

import pytest
from allauth.mfa.models import Authenticator

from consent.models import ConsentEvent
from consent.selectors import consent_given
from consent.services import consent_grant, consent_withdraw
from tests.conftest import mfa_client_for

URL = "/admin/consent/consentevent/"


@pytest.fixture
def dpo_client(dpo):
    Authenticator.objects.create(user=dpo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return mfa_client_for(dpo)


@pytest.fixture
def ledger(alice, bob):
    return [
        consent_grant(subject=alice, purpose="marketing_email", channel="web"),
        consent_withdraw(subject=alice, purpose="marketing_email", channel="email_link"),
        consent_grant(subject=bob, purpose="research", channel="api"),
    ]


def test_the_dpo_reads_and_filters_the_ledger(dpo_client, ledger, alice):
    page = dpo_client.get(URL)
    assert page.status_code == 200
    assert page.content.count(b"user:") >= 3
    by_person = dpo_client.get(URL, {"q": f"user:{alice.pk}"})
    assert by_person.context["cl"].result_count == 2
    by_email = dpo_client.get(URL, {"q": "alice@example.com"})
    assert by_email.context["cl"].result_count == 2
    by_action = dpo_client.get(URL, {"action__exact": "withdraw"})
    assert by_action.context["cl"].result_count == 1
    by_purpose = dpo_client.get(URL, {"purpose__id__exact": ledger[2].purpose_id})
    assert by_purpose.context["cl"].result_count == 1


def test_events_cannot_be_changed_or_deleted_in_the_admin(dpo_client, ledger):
    event = ledger[0]
    change = dpo_client.post(f"{URL}{event.pk}/change/", {"action": "withdraw"})
    assert change.status_code in (200, 403)
    assert ConsentEvent.objects.get(pk=event.pk).action == "grant"
    assert dpo_client.post(f"{URL}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    page = dpo_client.get(f"{URL}{event.pk}/change/").content
    assert b'name="_save"' not in page
    assert ConsentEvent.objects.count() == 3
    actions = dpo_client.get(URL).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]


def test_the_dpo_exports_a_persons_whole_history(dpo_client, ledger, alice):
    response = dpo_client.post(URL, {"action": "export_json", "_selected_action": [ledger[0].pk]})
    rows = json.loads(response.content)
    assert [r["id"] for r in rows] == [ledger[0].pk, ledger[1].pk]  # her whole history
    assert rows[0]["receipt"]["version"] == "KI-CR-v1.1.0"
    response = dpo_client.post(URL, {"action": "export_csv", "_selected_action": [ledger[2].pk]})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["id"] for r in rows] == [str(ledger[2].pk)]
    assert response["Content-Type"].startswith("text/csv")


def test_the_dpo_records_a_consent_received_on_paper(dpo_client, dpo, alice, reference_data):
    from consent.models import Purpose

    research = Purpose.objects.get(code="research")
    response = dpo_client.post(
        f"{URL}add/",
        {
            "person": "ALICE@example.com",
            "purpose": research.pk,
            "scope": "",
            "action": "grant",
            "wording": "Paper form dated 3 March, filed in the DPO cabinet.",
        },
    )
    assert response.status_code == 302, response.content
    event = ConsentEvent.objects.get(purpose=research)
    assert (event.subject_user_id, event.channel, event.actor_id, event.actor_role) == (
        alice.pk,
        "admin",
        dpo.pk,
        "dpo",
    )
    assert consent_given(alice, "research")


def test_a_paper_consent_with_a_bad_scope_shows_the_error_and_records_nothing(
    dpo_client, reference_data
):
    from consent.models import Purpose

    response = dpo_client.post(
        f"{URL}add/",
        {
            "person": "someone@example.com",
            "purpose": Purpose.objects.get(code="practice_sharing").pk,
            "scope": "",
            "action": "grant",
            "wording": "Phone call.",
        },
    )
    assert response.status_code == 200
    assert b"is given per scope" in response.content
    assert not ConsentEvent.objects.exists()


def test_a_person_without_an_account_is_recorded_by_email(dpo_client, reference_data):
    from consent.models import Purpose

    dpo_client.post(
        f"{URL}add/",
        {
            "person": "farmer@example.com",
            "purpose": Purpose.objects.get(code="marketing_sms").pk,
            "action": "grant",
            "wording": "Phone call, 3 March.",
        },
    )
    assert consent_given("farmer@example.com", "marketing_sms")


def test_other_staff_cannot_read_the_ledger(alice, ledger):
    alice.is_staff = True
    alice.save()
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert mfa_client_for(alice).get(URL).status_code == 403


def test_the_dpo_announces_a_new_policy_version_with_an_effective_date(dpo_client):
    from consent.models import PolicyDocument, PolicyVersion

    terms = PolicyDocument.objects.get(kind="terms")
    url = f"/admin/consent/policydocument/{terms.pk}/change/"
    assert dpo_client.get(url).status_code == 200
    prefix = "versions"
    response = dpo_client.post(
        url,
        {
            "title": terms.title,
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": str(terms.versions.get().pk),
            f"{prefix}-0-document": str(terms.pk),
            f"{prefix}-1-document": str(terms.pk),
            f"{prefix}-1-version": "2.0",
            f"{prefix}-1-effective_from_0": "2026-07-01",
            f"{prefix}-1-effective_from_1": "00:00:00",
            f"{prefix}-1-requires_acceptance": "on",
            f"{prefix}-1-summary": "Booking added.",
            f"{prefix}-1-body": "New terms.",
        },
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    new = PolicyVersion.objects.get(document=terms, version="2.0")
    assert new.requires_acceptance and new.effective_from.isoformat().startswith("2026-07-01")
    assert PolicyVersion.objects.get(document=terms, version="1.0").body  # the old one unchanged


def test_the_ledger_shows_the_person_by_name_and_email_not_their_key(dpo_client, ledger, alice):
    from consent.services import consent_grant as grant

    grant(subject="paper.only@example.com", purpose="marketing_email", channel="admin")
    page = dpo_client.get(URL).content.decode()
    assert "Alice Owner &lt;alice@example.com&gt;" in page
    # No account: the address from the erasable EmailSubject; the ledger holds only its hash.
    assert ">paper.only@example.com<" in page
    assert "email:paper.only@example.com" not in page
    assert f">user:{alice.pk}<" not in page


def test_the_ledger_list_costs_no_query_per_person(
    dpo_client, ledger, django_assert_max_num_queries
):
    from consent.services import consent_grant as grant
    from tests.factories import UserFactory

    with django_assert_max_num_queries(40) as few:
        dpo_client.get(URL)
    for _ in range(10):
        grant(subject=UserFactory(), purpose="research", channel="web")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = dpo_client.get(URL)
    assert len(response.context["cl"].result_list) == 13


def test_an_export_logs_one_read_per_event_exported_and_nothing_else(dpo_client, ledger, alice):
    from records.models import AccessLog, AccessLogGrant

    admin_reads = AccessLog.objects.filter(grant_kind=AccessLogGrant.ADMIN)
    dpo_client.post(URL, {"action": "export_json", "_selected_action": [ledger[0].pk]})
    # her whole history (two events), not the three rows of the list page behind the action
    assert [(r.owner_id, r.view) for r in admin_reads] == [(alice.pk, "admin: consent export")] * 2
