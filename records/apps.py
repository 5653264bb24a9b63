from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Animals, records and practices"

    def ready(self) -> None:
        from consent.scopes import scope_labeller_register

        # The privacy centre and receipts show "Riverside Vets", not "Practice 12".
        scope_labeller_register("practice", _practice_labels)


def _practice_labels(ids: list[str]) -> dict[str, str]:
    from .models import Practice

    numeric = [int(i) for i in ids if i.isdigit()]
    return {
        str(pk): name
        for pk, name in Practice.objects.filter(pk__in=numeric).values_list("pk", "name")
    }
