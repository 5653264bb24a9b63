from django.urls import include, path

from . import views as v

app_name = "practices"
urlpatterns = [
    path("practices/", v.practice_search, name="search"),
    path("practices/<int:pk>/", v.practice_detail, name="detail"),
    path("practices/<int:pk>/favorite/", v.favorite_create, name="favorite_create"),
    path("favorites/", v.favorite_list, name="favorites"),
    path("favorites/<int:pk>/", v.favorite_detail, name="favorite_detail"),
    path("favorites/<int:pk>/change/", v.favorite_update, name="favorite_update"),
    path("favorites/<int:pk>/remove/", v.favorite_delete, name="favorite_delete"),
    path("emergency-shares/", v.emergency_shares, name="emergency_shares"),
    path(
        "emergency-shares/<int:pk>/revoke/",
        v.emergency_share_revoke,
        name="emergency_share_revoke",
    ),
    path("access-log/", v.access_log, name="access_log"),
    path("workspace/", v.workspace_home, name="workspace_home"),
    path("workspace/join/", v.join_request_create, name="join_request"),
    path("workspace/emergency/<str:code>/", v.emergency_link, name="emergency_link"),
    path("workspace/<int:practice_pk>/", v.workspace, name="workspace"),
    path(
        "workspace/<int:practice_pk>/animals/<int:animal_pk>/",
        v.workspace_animal,
        name="workspace_animal",
    ),
    path(
        "workspace/<int:practice_pk>/animals/<int:animal_pk>/entries/new/",
        v.workspace_entry_create,
        name="workspace_entry_create",
    ),
    path("workspace/<int:practice_pk>/requests/", v.request_queue, name="request_queue"),
    path("workspace/<int:practice_pk>/requests/<int:pk>/", v.request_detail, name="request_detail"),
    path("workspace/<int:practice_pk>/redeem/", v.redeem, name="redeem"),
    path("workspace/<int:practice_pk>/leave/", v.leave, name="leave"),
    path("workspace/<int:practice_pk>/staff/", v.staff_list, name="staff_list"),
    path("workspace/<int:practice_pk>/staff/new/", v.staff_create, name="staff_create"),
    path("workspace/<int:practice_pk>/staff/<int:pk>/", v.staff_update, name="staff_update"),
    path(
        "workspace/<int:practice_pk>/join-requests/<int:pk>/",
        v.join_request_decide,
        name="join_request_decide",
    ),
    path("workspace/<int:practice_pk>/profile/", v.practice_profile, name="practice_profile"),
    path("", include("records.practices.appointment_urls")),
    path("", include("records.practices.message_urls")),
]
