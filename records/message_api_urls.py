"""Messages in the API, both sides (issue 11), included from records/api_urls.py."""

from django.urls import path

from . import message_api as api

urlpatterns = [
    path("conversations/", api.ConversationListView.as_view(), name="conversation-list"),
    path(
        "conversations/<int:pk>/", api.ConversationDetailView.as_view(), name="conversation-detail"
    ),
    path(
        "conversations/<int:pk>/messages/",
        api.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path(
        "messages/<int:pk>/attachment/",
        api.MessageAttachmentView.as_view(),
        name="message-attachment",
    ),
    path(
        "workspace/<int:practice_pk>/conversations/",
        api.WorkspaceInboxView.as_view(),
        name="practice_workspace_inbox",
    ),
    path(
        "workspace/<int:practice_pk>/conversations/<int:pk>/",
        api.WorkspaceConversationView.as_view(),
        name="practice_workspace_conversation",
    ),
    path(
        "workspace/<int:practice_pk>/conversations/<int:pk>/messages/",
        api.WorkspaceConversationMessagesView.as_view(),
        name="practice_workspace_conversation_messages",
    ),
    path(
        "workspace/<int:practice_pk>/messages/<int:pk>/attachment/",
        api.WorkspaceMessageAttachmentView.as_view(),
        name="practice_workspace_message_attachment",
    ),
]
