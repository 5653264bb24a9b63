from django.urls import include, path

from . import fhir_views, views

app_name = "records"
urlpatterns = [
    path("", views.home, name="home"),
    path("animals/", views.animal_list, name="animal_list"),
    path("animals/add/", views.animal_add, name="animal_add"),
    path("animals/<int:pk>/", views.animal_detail, name="animal_detail"),
    path("animals/<int:pk>/edit/", views.animal_edit, name="animal_edit"),
    path("animals/<int:pk>/photo/", views.animal_photo, name="animal_photo"),
    path("animals/<int:pk>/delete/", views.animal_delete, name="animal_delete"),
    path("animals/<int:pk>/entries/add/", views.entry_add, name="entry_add"),
    path("animals/<int:pk>/co-owners/", views.co_owners, name="co_owners"),
    path(
        "animals/<int:pk>/co-owners/<int:access_pk>/remove/",
        views.access_remove,
        name="access_remove",
    ),
    path(
        "animals/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("animals/<int:pk>/leave/", views.access_leave, name="access_leave"),
    path("animals/<int:pk>/fhir/", fhir_views.animal_fhir, name="animal_fhir"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/document/", views.entry_document, name="entry_document"),
    path("invitations/<str:token>/", views.invitation_answer, name="invitation_answer"),
    path("", include("records.certificate_urls")),
    path("reminders/", include("records.reminder_urls")),
    path("", include("records.message_urls")),
]
