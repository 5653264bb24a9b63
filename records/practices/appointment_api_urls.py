from django.urls import path

from . import appointment_api as api

urlpatterns = [
    path("practices/<int:pk>/slots/", api.PracticeSlotsView.as_view(), name="practice_slots"),
    path("appointments/", api.AppointmentListView.as_view(), name="appointment_list"),
    path("appointments/<int:pk>/", api.AppointmentDetailView.as_view(), name="appointment_detail"),
    path(
        "appointments/<int:pk>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="appointment_cancel",
    ),
    path(
        "appointments/<int:pk>/reschedule/",
        api.AppointmentRescheduleView.as_view(),
        name="appointment_reschedule",
    ),
    path(
        "workspace/<int:practice_pk>/appointments/",
        api.WorkspaceAppointmentsView.as_view(),
        name="practice_workspace_appointments",
    ),
    path(
        "workspace/<int:practice_pk>/hours/",
        api.WorkspaceHoursView.as_view(),
        name="practice_workspace_hours",
    ),
    path(
        "workspace/<int:practice_pk>/hours/exceptions/",
        api.WorkspaceHoursExceptionView.as_view(),
        name="practice_workspace_hours_exception",
    ),
    path(
        "workspace/<int:practice_pk>/hours/<str:kind>/<int:pk>/",
        api.WorkspaceHoursRemoveView.as_view(),
        name="practice_workspace_hours_remove",
    ),
]
