"""The owner's message pages (issue 11), included from records/urls.py."""

from django.urls import path

from . import message_views as v

urlpatterns = [
    path("messages/", v.conversation_list, name="conversation_list"),
    path("messages/<int:pk>/", v.conversation_detail, name="conversation_detail"),
    path("messages/attachments/<int:pk>/", v.message_attachment, name="message_attachment"),
    path("animals/<int:pk>/messages/", v.animal_messages, name="animal_messages"),
]
