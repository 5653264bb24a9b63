"""A real Celery worker starts on the configured broker (Celery's filesystem transport by
default, Redis in CI) and answers a ping: what `make run` relies on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_real_worker_starts_and_answers_a_ping():
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    celery = [sys.executable, "-m", "celery", "-A", "vetpass"]
    worker = subprocess.Popen(
        [*celery, "worker", "--pool=solo", "--loglevel=INFO", f"--hostname={name}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answered = False
        for _ in range(10):
            ping = subprocess.run(
                [*celery, "inspect", "ping", "--timeout=3", f"--destination={name}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if "pong" in ping.stdout:
                answered = True
                break
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        assert answered, ping.stdout + ping.stderr
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
