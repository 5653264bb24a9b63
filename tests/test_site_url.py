"""Links in emails name the address `make run` serves (issue 7 §2.3): with no SITE_URL set,
the settings derive it from the HOST and PORT the Makefile passes to the site and worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRINT = "from django.conf import settings; print('SITE_URL=' + settings.SITE_URL)"


def _site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return next(
        line.split("=", 1)[1] for line in result.stdout.splitlines() if line.startswith("SITE_URL=")
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "9123"}, "http://127.0.0.1:9123"),
        ({"HOST": "localhost", "PORT": "8080"}, "http://localhost:8080"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"HOST": "::1", "PORT": "9000"}, "http://[::1]:9000"),
        ({"SITE_URL": "https://vetpass.example", "PORT": "9000"}, "https://vetpass.example"),
    ],
)
def test_site_url_follows_host_and_port_unless_set(env, expected):
    assert _site_url(**env) == expected


def test_make_run_passes_host_and_port_to_the_site_and_worker():
    result = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=9123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    recipe = result.stdout[result.stdout.index("export HOST") :]
    assert recipe.startswith("export HOST=0.0.0.0 PORT=9123;")
    assert "celery -A vetpass worker" in recipe and "runserver 0.0.0.0:9123" in recipe
