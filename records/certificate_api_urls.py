"""Certificate API routes, included by records/api_urls.py (namespace "api")."""

from django.urls import path

from . import certificate_api as api

urlpatterns = [
    path(
        "animals/<int:animal_pk>/certificate-links/",
        api.CertificateLinksView.as_view(),
        name="certificate-links",
    ),
    path(
        "animals/<int:animal_pk>/certificate/",
        api.CertificatePdfView.as_view(),
        name="certificate-pdf",
    ),
    path(
        "certificate-links/<int:pk>/revoke/",
        api.CertificateLinkRevokeView.as_view(),
        name="certificate-link-revoke",
    ),
]
