from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)

    def is_practice_staff() -> bool:
        # Only for showing the Workspace link; the workspace itself checks membership.
        if user is None or not user.is_authenticated:
            return False
        return bool(user.memberships.filter(left_at__isnull=True).exists())

    return {
        "SITE_NAME": "VetPass",
        "DEBUG": settings.DEBUG,
        "is_practice_staff": SimpleLazyObject(is_practice_staff),
    }
