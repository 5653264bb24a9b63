from django.urls import include, path

from . import api as api

urlpatterns = [
    path("practices/", api.PracticeSearchView.as_view(), name="practice_search"),
    path("practices/<int:pk>/", api.PracticeDetailView.as_view(), name="practice_detail"),
    path("favorites/", api.FavoriteListView.as_view(), name="practice_favorite_list"),
    path("favorites/<int:pk>/", api.FavoriteDetailView.as_view(), name="practice_favorite_detail"),
    path("record-requests/", api.OwnerRequestListView.as_view(), name="practice_owner_requests"),
    path(
        "emergency-shares/", api.EmergencyShareListView.as_view(), name="practice_emergency_shares"
    ),
    path(
        "emergency-shares/<int:pk>/revoke/",
        api.EmergencyShareRevokeView.as_view(),
        name="practice_emergency_share_revoke",
    ),
    path("access-log/", api.AccessLogView.as_view(), name="practice_access_log"),
    path("workspace/", api.WorkspaceView.as_view(), name="practice_workspace"),
    path(
        "workspace/<int:practice_pk>/clients/",
        api.WorkspaceClientsView.as_view(),
        name="practice_workspace_clients",
    ),
    path(
        "workspace/<int:practice_pk>/animals/<int:animal_pk>/",
        api.WorkspaceAnimalView.as_view(),
        name="practice_workspace_animal",
    ),
    path(
        "workspace/<int:practice_pk>/animals/<int:animal_pk>/entries/",
        api.WorkspaceEntryCreateView.as_view(),
        name="practice_workspace_entry_create",
    ),
    path(
        "workspace/<int:practice_pk>/requests/",
        api.WorkspaceRequestListView.as_view(),
        name="practice_workspace_requests",
    ),
    path(
        "workspace/<int:practice_pk>/requests/<int:pk>/answer/",
        api.WorkspaceRequestAnswerView.as_view(),
        name="practice_workspace_request_answer",
    ),
    path(
        "workspace/<int:practice_pk>/requests/<int:pk>/import/",
        api.WorkspaceRequestImportView.as_view(),
        name="practice_workspace_request_import",
    ),
    path(
        "workspace/<int:practice_pk>/emergency-shares/redeem/",
        api.WorkspaceRedeemView.as_view(),
        name="practice_workspace_redeem",
    ),
    path("", include("records.practices.appointment_api_urls")),
]
