"""A real Celery worker process for the tests that say so (the export's build): on the
configured broker, the test database and the test's media folder, with this process
sending tasks instead of running them eagerly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "vetpass"]


def worker_env(settings) -> dict[str, str]:
    """The environment of a Celery process (worker or beat) on the test database and the
    test's media folder."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    return env


@pytest.fixture
def real_worker(transactional_db, settings):
    """A worker on the test database and the test's media folder; tasks sent, not eager."""
    from vetpass.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    env = worker_env(settings)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    name = f"export-{uuid.uuid4().hex[:8]}@localhost"
    worker = subprocess.Popen(
        [*CELERY, "worker", "--pool=solo", "--loglevel=INFO", f"--hostname={name}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        app.conf.task_always_eager = eager
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
