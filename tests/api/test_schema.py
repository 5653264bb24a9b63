"""The OpenAPI schema generates without a warning, and the docs page renders under our
Content-Security-Policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_schema_generates_with_no_warnings_or_errors(tmp_path):
    out = tmp_path / "schema.yml"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    schema = out.read_text()
    for path in (
        "/api/v1/profile/",
        "/api/v1/animals/",
        "/api/v1/animals/{id}/move/",
        "/api/v1/animals/{animal_pk}/entries/",
        "/api/v1/entries/{id}/",
        "/api/v1/invitations/accept/",
        "/api/v1/animals/{animal_pk}/co-owners/",
    ):
        assert f"  {path}:" in schema
    assert "X-Session-Token" in schema


@pytest.mark.django_db
def test_schema_is_served(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "VetPass API"


@pytest.mark.django_db
def test_docs_render_with_scripts_from_our_origin_only(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and "<style>" not in html and " style=" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    init = client.get("/api/v1/docs/?script=")
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
