"""Production settings: `check --deploy` is clean, a missing secret is refused, and the
Content-Security-Policy allows no inline script."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _production_env(**extra: str) -> dict[str, str]:
    # A clean production environment: no test flags, and not the async-unsafe switch the
    # browser tests set for Playwright in this process.
    skip = ("PYTEST", "VETPASS_", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        CONSENT_SUBJECT_KEY=secrets.token_urlsafe(32),
        ERASURE_SIGNING_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS="vetpass.example",
        SITE_URL="https://vetpass.example",
        VETPASS_TESTING="0",
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_consent_subject_key():
    env = _production_env()
    env.pop("CONSENT_SUBJECT_KEY")
    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "CONSENT_SUBJECT_KEY must be set" in result.stderr


def test_a_debug_value_that_is_not_a_boolean_is_an_error():
    result = _manage("check", env=_production_env(DEBUG="maybe"))

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/docs/"])
def test_csp_allows_no_inline_script(client, path):
    response = client.get(path)

    assert response.status_code in (200, 302)  # the home page may send visitors to sign in
    directives = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
