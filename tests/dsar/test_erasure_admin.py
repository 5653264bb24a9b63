"""The DPO previews and runs an erasure from the case's buttons; the practices told of it
and their acknowledgements are shown on the case."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from dsar import services as cases
from dsar.erasure.notices import notice_link
from dsar.models import Channel, PracticeNotice, RequestType, Status
from records.models import Animal
from tests.conftest import mfa_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_admin(dpo):
    return mfa_client_for(dpo)


def test_the_dpo_previews_then_runs_the_erasure_from_the_case(
    dpo_admin, dpo, alice, rex, riverside, django_capture_on_commit_callbacks
):
    from records.practices.services.favorites import favorite_create

    riverside.participates = True
    riverside.save()
    favorite_create(owner=alice, practice=riverside)
    case = cases.dsar_create(
        type=RequestType.ERASURE,
        email=alice.email,
        jurisdiction="uk",
        channel=Channel.STAFF,
        subject=alice,
        entered_by=dpo,
    )
    url = f"/admin/dsar/datasubjectrequest/{case.pk}/act/"
    page = dpo_admin.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert "Preview erasure" in page
    assert "Run erasure" not in page  # offered once the request is verified

    preview = dpo_admin.post(url + "erasure_preview/", {"text": ""}, follow=True)
    said = [str(m) for m in get_messages(preview.wsgi_request)]
    assert any("Delete 1 × records.Animal" in line for line in said), said
    assert Animal.objects.filter(pk=rex.pk).exists()  # a preview changes nothing

    refused = dpo_admin.post(url + "erasure_run/", {"text": ""})
    assert refused.status_code == 200  # not verified yet: the error is shown
    assert "verify it first" in refused.content.decode()

    dpo_admin.post(url + "waive/", {"text": "Identity checked by phone"})
    page = dpo_admin.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert "Run erasure" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = dpo_admin.post(url + "erasure_run/", {"text": ""})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.COMPLETED
    assert not Animal.objects.filter(pk=rex.pk).exists()
    notice = PracticeNotice.objects.get(request=case)
    page = dpo_admin.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert "Riverside Vets" in page and notice.why in page


def test_a_practice_acknowledges_the_notice_through_its_signed_link_once(
    alice, dpo, riverside, client, mailoutbox
):
    from records.practices.services.favorites import favorite_create

    riverside.participates = True
    riverside.email = "desk@riverside.example"
    riverside.save()
    favorite_create(owner=alice, practice=riverside)
    from django.core.management import call_command

    call_command("dsar_erase", "--email", alice.email, "--reason", "By letter", "--json")
    notice = PracticeNotice.objects.get()
    [mail] = [m for m in mailoutbox if m.to == ["desk@riverside.example"]]
    link = notice_link(notice)
    assert link in mail.body and "Alice" not in mail.body
    path = link.split("//", 1)[1].split("/", 1)[1]
    assert "We have acted" in client.get("/" + path).content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_at is None  # GET does not acknowledge (mail scanners)
    client.post("/" + path)
    client.post("/" + path)
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    assert notice.request.events.filter(text__contains="acknowledged").count() == 1
    assert client.get("/" + path[:-3] + "xx/").status_code == 404
