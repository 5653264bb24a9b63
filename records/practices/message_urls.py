"""The staff inbox (issue 11), included from records/practices/urls.py."""

from django.urls import path

from . import message_views as v

urlpatterns = [
    path("workspace/<int:practice_pk>/messages/", v.workspace_inbox, name="workspace_inbox"),
    path(
        "workspace/<int:practice_pk>/messages/<int:pk>/",
        v.workspace_conversation,
        name="workspace_conversation",
    ),
    path(
        "workspace/<int:practice_pk>/messages/attachments/<int:pk>/",
        v.workspace_message_attachment,
        name="workspace_message_attachment",
    ),
]
