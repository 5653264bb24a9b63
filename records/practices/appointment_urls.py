from django.urls import path

from . import appointment_views as v

urlpatterns = [
    path("practices/<int:pk>/book/", v.appointment_book, name="appointment_book"),
    path("appointments/", v.appointment_list, name="appointments"),
    path("appointments/<int:pk>/cancel/", v.appointment_cancel, name="appointment_cancel"),
    path(
        "appointments/<int:pk>/reschedule/",
        v.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "workspace/<int:practice_pk>/appointments/",
        v.workspace_appointments,
        name="workspace_appointments",
    ),
    path("workspace/<int:practice_pk>/hours/", v.availability, name="availability"),
    path(
        "workspace/<int:practice_pk>/hours/<str:kind>/<int:pk>/remove/",
        v.availability_remove,
        name="availability_remove",
    ),
]
