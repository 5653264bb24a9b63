from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OutboxConfig(AppConfig):
    name = "vetpass.outbox"
    label = "outbox"
    verbose_name = "Email outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vetpass.schedule import periodic_tasks_apply

        # Every beat entry (vetpass.schedule) is applied by name after every migrate.
        post_migrate.connect(periodic_tasks_apply, sender=self)
