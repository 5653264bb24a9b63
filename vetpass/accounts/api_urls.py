from django.urls import path

from . import api

urlpatterns = [
    path("profile/", api.ProfileView.as_view(), name="profile"),
]
