from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self) -> None:
        from . import signals  # noqa: F401
