from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vetpass.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import signals  # noqa: F401
        from .usercache import user_prefetch_forget

        # What the session store read for the account never outlives its request.
        request_started.connect(user_prefetch_forget, dispatch_uid="vetpass.user_prefetch")
        request_finished.connect(user_prefetch_forget, dispatch_uid="vetpass.user_prefetch")
