"""The matrix's world is built once per module, inside a transaction rolled back at the
end; each test runs in its own savepoint (pytest-django's `db`), so a write case never
leaks into the next."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from tests.authz.world import MFA_SESSIONS, build_world
from tests.conftest import sign_in_with_mfa


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            # one signed-in session per persona, made once: a test only sets the cookie
            for persona, user in world.users.items():
                if user is not None:
                    client = Client()
                    if persona in MFA_SESSIONS:
                        sign_in_with_mfa(client, user)
                    else:
                        client.force_login(user, backend="vetpass.accounts.backends.ModelBackend")
                    world.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root():
    """The world's files live in its module-wide MEDIA_ROOT (tests/conftest.py would
    point each test at an empty one)."""
