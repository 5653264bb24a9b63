from typing import Any

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Animals, records and practices"

    def ready(self) -> None:
        from consent.dispatch import consent_recorded
        from consent.scopes import scope_labeller_register, scope_manager_register
        from vetpass.admin import admin_read

        # A favorite is the practice-sharing grant: a withdrawal recorded by any route ends it.
        consent_recorded.connect(_on_consent_recorded, dispatch_uid="records.favorite_end")
        # The privacy centre and receipts show "Riverside Vets", not "Practice 12".
        scope_labeller_register("practice", _practice_labels)
        # Sharing with a practice starts only by favoriting it (grant, registration and
        # access together); the privacy centre links there to share again.
        scope_manager_register("practice", _practice_pages)
        # VetPass staff's reads in the Django admin (of every app) go to the access log.
        admin_read.connect(_on_admin_read, dispatch_uid="records.admin_read_log")
        # The Workspace link's per-process answer (vetpass.context_processors) is forgotten
        # when a membership changes.
        from django.db.models.signals import post_delete, post_save

        from .models import PracticeMembership

        for signal in (post_save, post_delete):
            signal.connect(
                _on_membership_changed,
                sender=PracticeMembership,
                dispatch_uid=f"records.membership_staff_link_{signal is post_save}",
            )


def _on_consent_recorded(sender: Any, event: Any, **kwargs: Any) -> None:
    from .practices.projection import sharing_state_record
    from .practices.services import favorite_end_on_withdrawal

    # The sharing-state projection follows every practice-sharing event, in its transaction.
    sharing_state_record(event=event)
    favorite_end_on_withdrawal(event=event)


def _on_membership_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from vetpass.context_processors import practice_staff_forget

    practice_staff_forget(instance.user_id)


def _on_admin_read(
    sender: Any, viewer: Any, subjects: Any, view: str, list_page: bool = False, **kwargs: Any
) -> None:
    from .practices.access import log_admin_reads

    log_admin_reads(viewer, subjects, view, list_page=list_page)


def _practice_labels(ids: list[str]) -> dict[str, str]:
    from .models import Practice

    numeric = [int(i) for i in ids if i.isdigit()]
    return {
        str(pk): name
        for pk, name in Practice.objects.filter(pk__in=numeric).values_list("pk", "name")
    }


def _practice_pages(ids: list[str]) -> dict[str, str]:
    from django.urls import reverse

    return {i: reverse("practices:detail", args=[int(i)]) for i in ids if i.isdigit()}
