"""Every beat entry names a task a worker actually has, and migrate applies them all."""

import pytest

from vetpass.schedule import periodic_tasks


def test_every_periodic_task_names_a_registered_celery_task():
    from vetpass.celery import app

    app.loader.import_default_modules()
    missing = [e["task"] for e in periodic_tasks().values() if e["task"] not in app.tasks]
    assert missing == []


@pytest.mark.django_db
def test_migrate_applies_every_periodic_task_by_name():
    from django_celery_beat.models import PeriodicTask

    assert set(PeriodicTask.objects.values_list("name", "task")) >= {
        (name, e["task"]) for name, e in periodic_tasks().items()
    }
