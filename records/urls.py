from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("", views.home, name="home"),
    path("invitations/<str:token>/", views.invitation_answer, name="invitation_answer"),
]
