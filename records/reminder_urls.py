from django.urls import path

from . import reminder_views

urlpatterns = [
    path("", reminder_views.reminder_list, name="reminder_list"),
]
