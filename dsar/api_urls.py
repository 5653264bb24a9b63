from django.urls import path

from . import api

urlpatterns = [
    path("privacy/requests/", api.RequestListView.as_view(), name="privacy-requests"),
]
