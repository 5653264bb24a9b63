"""Appointments in the API (/api/v1/): the same services and selectors as the web pages
(appointment_views), so the two doors cannot disagree about a rule."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import (
    Appointment,
    AppointmentMode,
    AvailabilityException,
    Service,
    WeeklyAvailability,
)
from . import appointment_selectors as asel
from . import selectors as sel
from . import services as svc
from .appointment_forms import check_day, parse_slot


class SlotSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Send this back as `slot` to book or move.")
    membership_id = serializers.IntegerField()
    staff_name = serializers.CharField()
    service_id = serializers.IntegerField()
    service_name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    online = serializers.BooleanField()


class SlotQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, validators=[check_day])
    days = serializers.IntegerField(required=False, min_value=1, max_value=31, default=1)
    service = serializers.IntegerField(required=False)


class DayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, validators=[check_day])


class AppointmentSerializer(serializers.ModelSerializer):
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    animal_name = serializers.CharField(source="animal.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    staff_name = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "practice",
            "practice_name",
            "animal",
            "animal_name",
            "service_name",
            "staff_name",
            "starts_at",
            "ends_at",
            "mode",
            "status",
            "reason",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_staff_name(self, obj: Appointment) -> str | None:
        return obj.membership.user.display_name if obj.membership else None


class _SlotField(serializers.CharField):
    def to_internal_value(self, data: Any) -> Any:  # (membership, service, start)
        value = super().to_internal_value(data)
        try:
            return parse_slot(value)
        except (ValueError, TypeError):
            raise serializers.ValidationError("Give the `key` of one of the slots.") from None


class BookSerializer(serializers.Serializer):
    practice = serializers.IntegerField()
    animal = serializers.IntegerField()
    slot = _SlotField()
    mode = serializers.ChoiceField(choices=AppointmentMode.choices, default=AppointmentMode.CLINIC)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class RescheduleSerializer(serializers.Serializer):
    slot = _SlotField()
    mode = serializers.ChoiceField(choices=AppointmentMode.choices, required=False)


class DayRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="appointment.id")
    starts_at = serializers.DateTimeField(source="appointment.starts_at")
    ends_at = serializers.DateTimeField(source="appointment.ends_at")
    mode = serializers.CharField(source="appointment.mode")
    service_name = serializers.CharField(source="appointment.service.name")
    staff_name = serializers.SerializerMethodField()
    animal = serializers.SerializerMethodField()
    animal_name = serializers.SerializerMethodField()
    client_name = serializers.CharField(allow_null=True)

    def get_staff_name(self, row: asel.DayRow) -> str | None:
        m = row.appointment.membership
        return m.user.display_name if m else None

    def get_animal(self, row: asel.DayRow) -> int | None:
        return row.animal.pk if row.animal else None

    def get_animal_name(self, row: asel.DayRow) -> str | None:
        return row.animal.name if row.animal else None


def _mode_error_with_offer(exc: DjangoValidationError) -> Response | None:
    """An online booking refused for want of a VCPR: the field error, and the in-clinic
    offer the app can show as a button (the same slot with mode "clinic")."""
    if any(e.code == "vcpr" for e in getattr(exc, "error_dict", {}).get("mode", [])):
        return Response(
            {
                "error": {
                    "code": "invalid",
                    "message": "Some fields are not valid: see fields.",
                    "fields": exc.message_dict,
                    "offer": {"mode": AppointmentMode.CLINIC},
                }
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


class PracticeSlotsView(APIView):
    @extend_schema(
        operation_id="practice_slots",
        parameters=[SlotQuerySerializer],
        responses=inline_serializer("PracticeSlots", {"results": SlotSerializer(many=True)}),
    )
    def get(self, request: Request, pk: int) -> Response:
        practice = sel.get_practice(pk)
        params = SlotQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        slots = asel.practice_slots(
            practice,
            day_from=params.validated_data.get("date") or timezone.localdate(),
            days=params.validated_data["days"],
            service_id=params.validated_data.get("service"),
        )
        return Response({"results": SlotSerializer(slots, many=True).data})


class AppointmentListView(APIView):
    @extend_schema(
        operation_id="appointments_list",
        responses=inline_serializer(
            "AppointmentList", {"results": AppointmentSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        rows = asel.owner_appointments(request.user)  # type: ignore[arg-type]
        return Response({"results": AppointmentSerializer(rows, many=True).data})

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer})
    def post(self, request: Request) -> Response:
        s = BookSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        practice = sel.get_practice(s.validated_data["practice"])
        animal = asel.get_bookable_animal(request.user, practice, s.validated_data["animal"])  # type: ignore[arg-type]
        membership_id, service_id, starts_at = s.validated_data["slot"]
        try:
            appointment = svc.appointment_book(
                owner=request.user,  # type: ignore[arg-type]
                practice=practice,
                animal=animal,
                membership_id=membership_id,
                service_id=service_id,
                starts_at=starts_at,
                mode=s.validated_data["mode"],
                reason=s.validated_data["reason"],
            )
        except DjangoValidationError as exc:
            offer = _mode_error_with_offer(exc)
            if offer is not None:
                return offer
            raise
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentDetailView(APIView):
    @extend_schema(responses=AppointmentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        appointment = asel.get_owner_appointment(request.user, pk)  # type: ignore[arg-type]
        return Response(AppointmentSerializer(appointment).data)


class AppointmentCancelView(APIView):
    @extend_schema(request=None, responses=AppointmentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        appointment = asel.get_owner_appointment(request.user, pk)  # type: ignore[arg-type]
        appointment = svc.appointment_cancel(appointment=appointment, by=request.user)  # type: ignore[arg-type]
        return Response(AppointmentSerializer(appointment).data)


class AppointmentRescheduleView(APIView):
    @extend_schema(request=RescheduleSerializer, responses=AppointmentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        appointment = asel.get_owner_appointment(request.user, pk)  # type: ignore[arg-type]
        s = RescheduleSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership_id, _, starts_at = s.validated_data["slot"]
        try:
            appointment = svc.appointment_reschedule(
                appointment=appointment,
                by=request.user,  # type: ignore[arg-type]
                starts_at=starts_at,
                membership_id=membership_id,
                mode=s.validated_data.get("mode"),
            )
        except DjangoValidationError as exc:
            offer = _mode_error_with_offer(exc)
            if offer is not None:
                return offer
            raise
        return Response(AppointmentSerializer(appointment).data)


class WorkspaceAppointmentsView(APIView):
    @extend_schema(
        parameters=[DayQuerySerializer],
        responses=inline_serializer("PracticeDayList", {"results": DayRowSerializer(many=True)}),
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
        params = DayQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        day = params.validated_data.get("date") or timezone.localdate()
        rows = asel.practice_day_list(request.user, membership, day)  # type: ignore[arg-type]
        return Response({"results": DayRowSerializer(rows, many=True).data})


# --- the practice's published hours (its administrator) -------------------------------


class WeeklyHoursSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="membership.user.display_name", read_only=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    membership = serializers.IntegerField(source="membership_id")

    class Meta:
        model = WeeklyAvailability
        fields = [
            "id",
            "membership",
            "staff_name",
            "service",
            "weekday",
            "starts_at",
            "ends_at",
            "slot_minutes",
            "online",
        ]
        read_only_fields = ["id", "staff_name"]


class HoursExceptionSerializer(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id")
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    date = serializers.DateField(validators=[check_day])

    class Meta:
        model = AvailabilityException
        fields = [
            "id",
            "membership",
            "date",
            "closed",
            "service",
            "starts_at",
            "ends_at",
            "slot_minutes",
            "online",
        ]
        read_only_fields = ["id"]
        # the service checks the combination (closed, or extra hours)
        validators: list[Any] = []


class WorkspaceHoursView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "PracticeHours",
            {
                "weekly": WeeklyHoursSerializer(many=True),
                "exceptions": HoursExceptionSerializer(many=True),
            },
        )
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
        practice = membership.practice
        return Response(
            {
                "weekly": WeeklyHoursSerializer(asel.practice_hours(practice), many=True).data,
                "exceptions": HoursExceptionSerializer(
                    asel.practice_hours_exceptions(practice), many=True
                ).data,
            }
        )

    @extend_schema(request=WeeklyHoursSerializer, responses={201: WeeklyHoursSerializer})
    def post(self, request: Request, practice_pk: int) -> Response:
        # The body's shape first (the same 400 for anyone), then whose practice it is.
        s = WeeklyHoursSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
        data = dict(s.validated_data)
        row = svc.availability_add(
            practice=membership.practice,
            membership_id=data.pop("membership_id"),
            **data,
        )
        return Response(WeeklyHoursSerializer(row).data, status=status.HTTP_201_CREATED)


class WorkspaceHoursExceptionView(APIView):
    @extend_schema(request=HoursExceptionSerializer, responses={201: HoursExceptionSerializer})
    def post(self, request: Request, practice_pk: int) -> Response:
        # The body's shape first (the same 400 for anyone), then whose practice it is.
        s = HoursExceptionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
        data = dict(s.validated_data)
        row = svc.availability_exception_add(
            practice=membership.practice,
            membership_id=data.pop("membership_id"),
            **data,
        )
        return Response(HoursExceptionSerializer(row).data, status=status.HTTP_201_CREATED)


class WorkspaceHoursRemoveView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, practice_pk: int, kind: str, pk: int) -> Response:
        membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
        svc.availability_remove(practice=membership.practice, kind=kind, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
