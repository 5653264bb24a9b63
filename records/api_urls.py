from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, fhir_views

router = SimpleRouter()
router.register("animals", api.AnimalViewSet, basename="animal")

urlpatterns = [
    path("species/", api.SpeciesListView.as_view(), name="species-list"),
    path(
        "animals/<int:animal_pk>/entries/",
        api.AnimalEntriesView.as_view(),
        name="animal-entries",
    ),
    path(
        "animals/<int:animal_pk>/invitations/",
        api.AnimalInvitationsView.as_view(),
        name="animal-invitations",
    ),
    path("animals/<int:animal_pk>/co-owners/", api.CoOwnersView.as_view(), name="co-owners"),
    path(
        "animals/<int:animal_pk>/co-owners/<int:pk>/",
        api.CoOwnerDetailView.as_view(),
        name="co-owner-detail",
    ),
    path("animals/<int:pk>/photo/", api.AnimalPhotoView.as_view(), name="animal-photo"),
    path("animals/<int:pk>/fhir/", fhir_views.AnimalFhirView.as_view(), name="animal-fhir"),
    path("entries/<int:pk>/", api.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:pk>/document/", api.EntryDocumentView.as_view(), name="entry-document"),
    path(
        "invitations/received/",
        api.ReceivedInvitationsView.as_view(),
        name="invitations-received",
    ),
    path("invitations/sent/", api.SentInvitationsView.as_view(), name="invitations-sent"),
    path("invitations/accept/", api.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("invitations/decline/", api.InvitationDeclineView.as_view(), name="invitation-decline"),
    path(
        "invitations/<int:pk>/revoke/",
        api.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("", include("records.certificate_api_urls")),
    path("reminders/", include("records.reminder_api_urls")),
    path("", include("records.message_api_urls")),
    *router.urls,
]
