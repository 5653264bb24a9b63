from django.urls import path

from . import api
from .export import api as export_api

urlpatterns = [
    path("privacy/requests/", api.RequestListView.as_view(), name="privacy-requests"),
    path(
        "privacy/requests/<str:reference>/export/",
        export_api.ExportDownloadView.as_view(),
        name="privacy-request-export",
    ),
]
