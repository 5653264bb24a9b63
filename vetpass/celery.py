"""The Celery app: the composition root for background work (DESIGN.md rule 9)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

app = Celery("vetpass")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
