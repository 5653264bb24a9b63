"""Rate limits (allauth's, DRF's throttles, wrong emergency-share codes) count in the
default cache, which every process must share: per-process memory gave each gunicorn
worker its own counters. Embedded it is a folder under var/; CACHE_URL names Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[1]


def _in_another_process(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(env)
    setup = "import django; django.setup(); from django.conf import settings; "
    setup += "from django.core.cache import cache; "
    result = subprocess.run(
        [sys.executable, "-c", setup + code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "vetpass.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_a_counter_written_by_one_process_is_seen_by_another():
    key = f"shared-{uuid.uuid4().hex}"
    _in_another_process(f"cache.set({key!r}, 7, 60)")
    assert cache.get(key) == 7


def test_cache_url_puts_the_counters_in_redis():
    # Django's Redis backend, or ours built on it (vetpass.cache: a kept client, chained reads).
    backend = _in_another_process(
        "from django.core.cache import caches; "
        "from django.core.cache.backends.redis import RedisCache; "
        "print(settings.CACHES['default']['BACKEND'], isinstance(caches['default'], RedisCache))",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert backend == "vetpass.cache.RedisCache True"
