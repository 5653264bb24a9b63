"""Vaccination certificate pages, included by records/urls.py (namespace "records")."""

from django.urls import path

from . import certificate_views as views

urlpatterns = [
    path("animals/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("animals/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(
        "certificate-links/<int:pk>/revoke/",
        views.certificate_link_revoke,
        name="certificate_link_revoke",
    ),
    path("vaccinations/<str:token>/", views.certificate_verify, name="certificate_verify"),
]
