from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vetpass.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import signals  # noqa: F401
        from .sessions import session_counts_forget
        from .usercache import user_prefetch_forget

        # What the session store read for the account never outlives its request.
        for signal in (request_started, request_finished):
            signal.connect(user_prefetch_forget, dispatch_uid="vetpass.user_prefetch")
            signal.connect(session_counts_forget, dispatch_uid="vetpass.session_counts")
