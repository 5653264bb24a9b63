"""`python manage.py dsar_erase` as an operator runs it: a real process, its exit code,
its stdout (one JSON object with --json) and its stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from records.models import Animal
from vetpass.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The command runs in a child process against the test database: a server database.
    # SQLite's test database is in memory, where no second process can reach it.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a child process shares the DB"),
]


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "manage.py", "dsar_erase", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exit_codes_one_json_object_and_idempotence(alice, rex, dpo):
    missing = manage("--email", "nobody@example.com", "--reason", "letter")
    assert missing.returncode != 0 and "No person" in missing.stderr

    preview = manage("--email", alice.email, "--reason", "letter", "--preview", "--json")
    assert preview.returncode == 0, preview.stderr
    assert any(d["table"] == "records.Animal" for d in json.loads(preview.stdout)["delete"])
    assert Animal.objects.filter(pk=rex.pk).exists()

    run = manage("--email", alice.email, "--reason", "letter", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["manifest"]["tables"]["records.Animal"]["deleted"] == 1
    assert not Animal.objects.filter(pk=rex.pk).exists()
    tombstone = User.objects.get(pk=alice.pk)

    again = manage("--email", "alice@example.com", "--reason", "letter", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["already_erased"] is True
    assert User.objects.get(pk=alice.pk).email == tombstone.email
