from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
