from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self) -> None:
        from vetpass.accounts.usercache import companion_key_register

        from . import checks, signals  # noqa: F401
        from .policy_gate import USER_KEY

        # The policy gate asks on every request whether the account accepted the versions
        # in force: read that mark with the account, in one round trip.
        companion_key_register(USER_KEY)
