"""An access request end to end in a real browser (issue 8 "Done when"): the owner files
it in the privacy centre (allauth asks for the password again), the DPO signs in to the
admin with TOTP, finds the case in the queue, starts it, builds the export — on a real
Celery worker — and completes it; the owner downloads the zip from the privacy centre and
through the emailed link, and its JSON validates against the schema shipped in it."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import jsonschema
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.test import Client

from dsar.models import DataSubjectRequest, Status
from tests.dsar.worker import real_worker  # noqa: F401 - the fixture
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory


def _person(email: str, name: str, **extra):
    from allauth.account.models import EmailAddress

    user = UserFactory(email=email, full_name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _totp_code(secret: str) -> str:
    """The code the DPO's authenticator app shows now, computed as allauth verifies it."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def _signed_in_without_recent_password(page, live_server, user) -> None:
    """A session from an earlier day: signed in, but not recently authenticated, so a
    request needs the password again."""
    client = Client()
    client.force_login(user, backend="vetpass.accounts.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _act(page, action: str, text: str = "") -> None:
    page.click(f"a[data-action={action}]")
    page.wait_for_load_state()
    if text:
        page.fill("#content form textarea", text)
    page.click("#content form button[type=submit]")
    page.wait_for_load_state()


def _validate(zip_path: Path) -> dict:
    archive = zipfile.ZipFile(zip_path)
    schema = json.loads(archive.read("schema.json"))
    data = json.loads(archive.read("data.json"))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    return data


def test_access_request_export_and_download(
    live_server,
    e2e_data,
    new_page,
    real_worker,  # noqa: F811
):
    owner = _person("olive.export@example.com", "Olive Owner")
    from tests.factories import AnimalFactory

    AnimalFactory(owner=owner, name="Biscuit")
    dpo = _person("dpo.export@example.com", "Dee P. O.", is_staff=True, is_dpo=True)
    secret = generate_totp_secret()
    TOTP.activate(dpo, secret)

    # The owner asks for a copy of their data; allauth asks for the password first.
    owner_page = new_page()
    _signed_in_without_recent_password(owner_page, live_server, owner)
    owner_page.goto(f"{live_server.url}/privacy/requests/")
    owner_page.check("input[name=type][value=access]")
    owner_page.get_by_role("button", name="Send request").click()
    owner_page.wait_for_load_state()
    assert "/accounts/reauthenticate/" in owner_page.url
    owner_page.fill("input[name=password]", PASSWORD)
    owner_page.click("main form button[type=submit]")
    owner_page.wait_for_load_state()
    case = DataSubjectRequest.objects.get(subject=owner)
    assert case.status == Status.VERIFIED
    assert case.reference in owner_page.content()

    # The DPO signs in with TOTP and works the case from the queue.
    dpo_page = new_page()
    sign_in(dpo_page, live_server, dpo.email, PASSWORD)
    assert "/accounts/2fa/authenticate/" in dpo_page.url
    dpo_page.fill("input[name=code]", _totp_code(secret))
    dpo_page.click("main form button[type=submit]")
    dpo_page.wait_for_load_state()
    dpo_page.goto(f"{live_server.url}/admin/dsar/datasubjectrequest/")
    dpo_page.get_by_role("link", name=case.reference).click()
    dpo_page.wait_for_load_state()
    _act(dpo_page, "start")
    _act(dpo_page, "export")
    ready = dpo_page.locator("#case-exports [data-export-status=ready]")
    deadline = time.monotonic() + 120
    while ready.count() == 0 and time.monotonic() < deadline:
        assert real_worker.poll() is None, "the worker stopped"
        time.sleep(1)
        dpo_page.reload()
    assert ready.count() == 1, dpo_page.locator("#case-exports").inner_text()
    _act(dpo_page, "complete", "Your copy is ready in the privacy centre for 7 days.")
    case.refresh_from_db()
    assert case.status == Status.COMPLETED

    # The owner downloads the zip from the privacy centre.
    owner_page.goto(f"{live_server.url}/privacy/requests/")
    with owner_page.expect_download() as download_info:
        owner_page.click("a[data-export-download]")
    data = _validate(Path(download_info.value.path()))
    assert data["subject"]["email"] == owner.email
    assert [a["name"] for a in data["tables"]["records.Animal"]] == ["Biscuit"]

    # And through the link in the email (written to the outbox by the worker).
    from vetpass.outbox.models import OutboxEmail

    email = OutboxEmail.objects.get(subject__contains=f"ready ({case.reference})")
    link = next(line for line in email.body.splitlines() if "/privacy/requests/export/" in line)
    path = link[link.index("/privacy/") :]
    with owner_page.expect_download() as download_info:
        owner_page.evaluate("url => { window.location.href = url }", f"{live_server.url}{path}")
    _validate(Path(download_info.value.path()))
