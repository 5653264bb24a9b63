"""The composition root: the only module besides the Celery app that imports every app."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from vetpass.api_docs import DocsView

admin.site.site_header = "VetPass — data protection"
admin.site.site_title = "VetPass admin"
# Admin sign-in goes through allauth, so MFA applies to it like everywhere else.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include("vetpass.accounts.api_urls")),
    path("", include("records.api_urls")),
    path("", include("records.practices.api_urls")),
    path("", include("consent.api_urls")),
    path("", include("dsar.api_urls")),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("account/", include("vetpass.accounts.urls")),
    path("privacy/", include("consent.urls")),
    path("privacy/", include("dsar.urls")),
    path("", include("records.practices.urls")),
    path("", include("records.urls")),
]
# No /media/ route, not even with DEBUG: photos and documents are health records, served
# only through views that check who may see them (records.views, records.api).
