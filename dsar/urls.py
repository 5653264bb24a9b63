from django.urls import path

from . import views
from .erasure import views as erasure_views
from .export import views as export_views
from .retention import views as retention_views

app_name = "dsar"

urlpatterns = [
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/new/", views.public_request, name="public_request"),
    path("requests/verify/<str:reference>/<str:token>/", views.verify, name="verify"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/keep/", views.dashboard_keep, name="dashboard_keep"),
    path("keep/<str:token>/", retention_views.keep_records, name="keep_records"),
    path("requests/export/<str:token>/", export_views.export_link, name="export_link"),
    path("requests/<str:reference>/export/", export_views.export_download, name="export_download"),
    path("erasure-notices/<str:token>/", erasure_views.practice_notice, name="erasure_notice"),
]
