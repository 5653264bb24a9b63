"""The personal-data map's declarations for the tables VetPass installs but does not own:
Django's admin log, auth and sessions, django-allauth (addresses, confirmations, MFA), and
django-celery-beat. The map's completeness test runs over every installed model, so a
library upgrade that adds a table fails until it is declared here (issue 8 §1)."""

from vetpass.privacy import (
    NOT_PERSONAL,
    Basis,
    Category,
    ErasureDeclaration,
    PersonalDataDeclaration,
    Plan,
    Role,
    SubjectDeclaration,
    by_email,
    by_user,
    constant,
    delete_rows,
    keep_rows,
    personal,
)

_SECURITY = personal(
    Category.TECHNICAL,
    basis=Basis.LEGITIMATE_INTERESTS,
    retention="while the account is in use",
)
_ADMIN_LOG = personal(
    Category.ACTIVITY,
    basis=Basis.LEGITIMATE_INTERESTS,
    retention="while the account is in use",
)

PERSONAL_DATA: PersonalDataDeclaration = {
    "admin.LogEntry": {
        "id": NOT_PERSONAL,
        "action_time": _ADMIN_LOG,
        "user": _ADMIN_LOG,
        "content_type": _ADMIN_LOG,
        "object_id": _ADMIN_LOG,
        # "owner@example.com" or an animal's name: the admin writes str(obj) here.
        "object_repr": _ADMIN_LOG,
        "action_flag": _ADMIN_LOG,
        "change_message": _ADMIN_LOG,
    },
    "auth.Permission": {n: NOT_PERSONAL for n in ("id", "name", "content_type", "codename")},
    "auth.Group": {n: NOT_PERSONAL for n in ("id", "name", "permissions")},
    "contenttypes.ContentType": {n: NOT_PERSONAL for n in ("id", "app_label", "model")},
    # Installed for its management commands; SESSION_ENGINE keeps sessions in
    # accounts.Session, so this table stays empty.
    "sessions.Session": {n: NOT_PERSONAL for n in ("session_key", "session_data", "expire_date")},
    "account.EmailAddress": {
        "id": NOT_PERSONAL,
        "user": personal(Category.CONTACT),
        "email": personal(Category.CONTACT),
        "verified": personal(Category.CONTACT),
        "primary": personal(Category.CONTACT),
    },
    "account.EmailConfirmation": {
        "id": NOT_PERSONAL,
        "email_address": personal(Category.CONTACT),
        "created": personal(Category.ACTIVITY),
        "sent": personal(Category.ACTIVITY),
        "key": _SECURITY,
    },
    "mfa.Authenticator": {
        "id": NOT_PERSONAL,
        "user": _SECURITY,
        "type": _SECURITY,
        "data": _SECURITY,
        "created_at": _SECURITY,
        "last_used_at": _SECURITY,
    },
    **{
        f"django_celery_beat.{model}": {n: NOT_PERSONAL for n in fields}
        for model, fields in {
            "SolarSchedule": ("id", "event", "latitude", "longitude"),
            "IntervalSchedule": ("id", "every", "period"),
            "ClockedSchedule": ("id", "clocked_time"),
            "CrontabSchedule": (
                "id",
                "minute",
                "hour",
                "day_of_month",
                "month_of_year",
                "day_of_week",
                "timezone",
            ),
            "PeriodicTasks": ("ident", "last_update"),
            # The schedule's tasks take no person's data as arguments (vetpass/schedule.py).
            "PeriodicTask": (
                "id",
                "name",
                "task",
                "interval",
                "crontab",
                "solar",
                "clocked",
                "args",
                "kwargs",
                "queue",
                "exchange",
                "routing_key",
                "headers",
                "priority",
                "expires",
                "expire_seconds",
                "one_off",
                "start_time",
                "enabled",
                "last_run_at",
                "total_run_count",
                "date_changed",
                "description",
            ),
        }.items()
    },
}

SUBJECTS: SubjectDeclaration = {
    "admin.LogEntry": (by_user("user", Role.STAFF),),
    "auth.Permission": (),
    "auth.Group": (),
    "contenttypes.ContentType": (),
    "sessions.Session": (),
    "account.EmailAddress": (by_user("user", Role.OWNER), by_email("email")),
    "account.EmailConfirmation": (
        by_user("email_address__user", Role.OWNER),
        by_email("email_address__email"),
    ),
    "mfa.Authenticator": (by_user("user", Role.OWNER),),
    **{
        f"django_celery_beat.{model}": ()
        for model in (
            "SolarSchedule",
            "IntervalSchedule",
            "ClockedSchedule",
            "CrontabSchedule",
            "PeriodicTasks",
            "PeriodicTask",
        )
    },
}

ERASURE: ErasureDeclaration = {
    # The DPO's own admin actions are kept for accountability. Entries about one of the
    # person's rows (the DPO edited their account or animal) hold its str() - an address,
    # a name - in object_repr: those are anonymised (the engine finds them by content type
    # and object id, Role.ABOUT).
    "admin.LogEntry": {
        Role.STAFF: keep_rows(
            "accountability for changes made in the admin", anchor="action_time", months=72
        ),
        Role.ABOUT: Plan(
            fields={"object_repr": constant("(erased)"), "change_message": constant("")}
        ),
    },
    "account.EmailAddress": {Role.OWNER: delete_rows(), Role.EMAIL: delete_rows()},
    "account.EmailConfirmation": {Role.OWNER: delete_rows(), Role.EMAIL: delete_rows()},
    "mfa.Authenticator": {Role.OWNER: delete_rows()},
}
