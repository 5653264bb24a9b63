from django.urls import path

from . import reminder_api

urlpatterns = [
    path("", reminder_api.DueRemindersView.as_view(), name="reminder-list"),
]
