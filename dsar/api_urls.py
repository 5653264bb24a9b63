from django.urls import path

from . import api
from .export import api as export_api

urlpatterns = [
    path("privacy/requests/", api.RequestListView.as_view(), name="privacy-requests"),
    path("privacy/dashboard/", api.DashboardView.as_view(), name="privacy-dashboard"),
    path("privacy/dashboard/keep/", api.KeepRecordsView.as_view(), name="privacy-keep"),
    path(
        "privacy/requests/<str:reference>/export/",
        export_api.ExportDownloadView.as_view(),
        name="privacy-request-export",
    ),
]
