"""The retention sweep is really on the schedule: a real Celery beat (django-celery-beat's
database scheduler) and a real worker, on the configured broker (Redis in CI), run it from
the schedule that vetpass/schedule.py applies, and the notice that was due is sent."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dsar.models import InactivityNotice
from tests.dsar.worker import CELERY, ROOT, real_worker, worker_env  # noqa: F401 - the fixture
from tests.factories import UserFactory
from vetpass.outbox.models import OutboxEmail
from vetpass.schedule import RETENTION_SWEEP, periodic_tasks_apply


def test_beat_runs_the_scheduled_sweep_and_the_notice_is_sent(real_worker, settings, tmp_path):  # noqa: F811
    idle = UserFactory(
        email="idle@example.com", last_activity_at=timezone.now() - timedelta(days=19 * 31)
    )
    periodic_tasks_apply()
    # What a DPO may do in the admin: run the daily sweep every two seconds for a while.
    fast, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=RETENTION_SWEEP).update(interval=fast)
    assert PeriodicTask.objects.get(name=RETENTION_SWEEP).task == "dsar.retention_sweep"

    beat = subprocess.Popen(
        [*CELERY, "beat", "--loglevel=INFO", "--pidfile=", f"--schedule={tmp_path / 'beat'}"],
        cwd=ROOT,
        env=worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        sent = False
        while time.monotonic() < deadline and not sent:
            assert beat.poll() is None, beat.stdout.read() if beat.stdout else ""
            assert real_worker.poll() is None, "the worker stopped"
            time.sleep(1)
            notice = InactivityNotice.objects.filter(owner=idle).first()
            sent = bool(
                notice and OutboxEmail.objects.filter(pk=notice.email_id, status="sent").exists()
            )
        assert sent, "beat did not run the sweep, or its notice was not sent"
        assert InactivityNotice.objects.filter(owner=idle).count() == 1
    finally:
        beat.send_signal(signal.SIGTERM)
        try:
            beat.wait(timeout=30)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait()
