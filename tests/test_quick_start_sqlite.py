"""The quick start's promise on its embedded default: every migration applies on SQLite
(a PostgreSQL-only operation must be guarded) and the demo seeds, as `make run` does on a
fresh machine. Runs the real commands in a child process against a throwaway file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DEBUG"}}
    env["DATABASE_URL"] = f"sqlite:///{db}"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_migrations_apply_and_the_demo_seeds_on_sqlite(tmp_path):
    db = tmp_path / "quick-start.sqlite3"
    migrated = _manage(db, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    seeded = _manage(db, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "owner@example.com" in seeded.stdout
    # The client list's sort key is kept by triggers on SQLite too.
    shell = _manage(
        db,
        "shell",
        "-c",
        "from records.models import Favorite; "
        "print(sorted(Favorite.objects.values_list('list_name', flat=True)))",
    )
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert "['olivia owner']" in shell.stdout
