from django.urls import path

from . import views
from .erasure import views as erasure_views

app_name = "dsar"

urlpatterns = [
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/new/", views.public_request, name="public_request"),
    path("requests/verify/<str:reference>/<str:token>/", views.verify, name="verify"),
    path("erasure-notices/<str:token>/", erasure_views.practice_notice, name="erasure_notice"),
]
