from django.apps import AppConfig


class DsarConfig(AppConfig):
    name = "dsar"
    verbose_name = "Data-subject requests"

    def ready(self) -> None:
        from .erasure import checks  # noqa: F401  (registers dsar.E001)
        from .retention import notices  # noqa: F401  (registers the notice email's renderer)
