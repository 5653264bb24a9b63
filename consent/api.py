"""The privacy centre in the API (/api/v1/privacy/…): the same services and selectors as
the web views, so the two can never disagree."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.accounts.models import User
from vetpass.api import SlugField

from .models import Action, Channel, ConsentEvent, PolicyVersion, Purpose
from .policy_gate import policy_gate_clear
from .receipts import receipt_for
from .scopes import scope_labels, scope_manage_urls
from .selectors import (
    consent_history,
    consent_states,
    get_event_for_subject,
    policy_versions_in_force,
    policy_versions_pending,
)
from .services import (
    consent_object,
    consent_set,
    consent_wording,
    policy_accept,
    unsubscribe_record,
)
from .views import _unsubscribe_target


class PurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Purpose
        fields = [
            "code",
            "name",
            "description",
            "lawful_basis",
            "category",
            "scoped",
            "pii_categories",
            "third_party_disclosure",
        ]


class ConsentStateSerializer(serializers.Serializer):
    purpose = PurposeSerializer()
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    manage_url = serializers.CharField(
        help_text="For a scope another part of VetPass manages (a favorited practice): the "
        "page where sharing starts again. Such a scope can be turned off here, not on."
    )
    state = serializers.ChoiceField(choices=["not_asked", "granted", "withdrawn", "objected"])
    granted = serializers.BooleanField()
    changed_at = serializers.DateTimeField(allow_null=True)
    event_id = serializers.IntegerField(allow_null=True)


class ConsentChangeSerializer(serializers.Serializer):
    purpose = SlugField(slug_field="code", queryset=Purpose.objects.all())
    scope = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    action = serializers.ChoiceField(choices=[Action.GRANT, Action.WITHDRAW, Action.OBJECT])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        purpose: Purpose = attrs["purpose"]
        if purpose.scoped and not attrs["scope"]:
            raise serializers.ValidationError({"scope": f"{purpose.name} is given per scope."})
        if not purpose.scoped and attrs["scope"]:
            raise serializers.ValidationError({"scope": f"{purpose.name} has no scope."})
        return attrs


class PolicyVersionSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="document.kind")
    title = serializers.CharField(source="document.title")

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "document",
            "title",
            "version",
            "effective_from",
            "requires_acceptance",
            "summary",
            "body",
        ]


class ConsentEventSerializer(serializers.ModelSerializer):
    purpose: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    policy_version = PolicyVersionSerializer(read_only=True, allow_null=True)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = ConsentEvent
        fields = [
            "id",
            "created_at",
            "action",
            "purpose",
            "scope",
            "policy_version",
            "actor_role",
            "channel",
            "wording",
            "sequence",
            "hash",
            "receipt_url",
        ]

    def get_receipt_url(self, event: ConsentEvent) -> str:
        from django.urls import reverse

        return reverse("api:consent-receipt", args=[event.pk])


class PolicyAcceptSerializer(serializers.Serializer):
    versions = serializers.PrimaryKeyRelatedField(
        many=True, queryset=PolicyVersion.objects.select_related("document")
    )


class PoliciesSerializer(serializers.Serializer):
    in_force = PolicyVersionSerializer(many=True)
    pending = PolicyVersionSerializer(many=True)


class _ControllerSerializer(serializers.Serializer):
    piiController = serializers.CharField()  # noqa: N815
    onBehalf = serializers.BooleanField()  # noqa: N815
    contact = serializers.CharField()
    address = serializers.DictField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    piiControllerUrl = serializers.URLField()  # noqa: N815


class _ReceiptPurposeSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    purposeCategory = serializers.ListField(child=serializers.CharField())  # noqa: N815
    consentType = serializers.CharField()  # noqa: N815
    piiCategory = serializers.ListField(child=serializers.CharField())  # noqa: N815
    primaryPurpose = serializers.BooleanField()  # noqa: N815
    termination = serializers.CharField()
    thirdPartyDisclosure = serializers.BooleanField()  # noqa: N815
    thirdPartyName = serializers.CharField()  # noqa: N815


class _ReceiptServiceSerializer(serializers.Serializer):
    service = serializers.CharField()
    purposes = _ReceiptPurposeSerializer(many=True)


class ConsentReceiptSerializer(serializers.Serializer):
    """Kantara Initiative Consent Receipt v1.1 (documentation only)."""

    version = serializers.CharField()
    jurisdiction = serializers.CharField()
    consentTimestamp = serializers.IntegerField()  # noqa: N815
    collectionMethod = serializers.CharField()  # noqa: N815
    consentReceiptID = serializers.CharField()  # noqa: N815
    publicKey = serializers.CharField()  # noqa: N815
    language = serializers.CharField()
    piiPrincipalId = serializers.CharField()  # noqa: N815
    piiControllers = _ControllerSerializer(many=True)  # noqa: N815
    policyUrl = serializers.URLField()  # noqa: N815
    services = _ReceiptServiceSerializer(many=True)
    sensitive = serializers.BooleanField()
    spiCat = serializers.ListField(child=serializers.CharField())  # noqa: N815
    vetpass = serializers.DictField()


def _state_data(user: User) -> list[dict[str, Any]]:
    states = consent_states(user)
    labels = scope_labels(s.scope for s in states)
    manage = scope_manage_urls(s.scope for s in states)
    return [
        {
            "purpose": s.purpose,
            "scope": s.scope,
            "scope_label": labels.get(s.scope, ""),
            "manage_url": manage.get(s.scope, ""),
            "state": s.state,
            "granted": s.granted,
            "changed_at": s.latest.created_at if s.latest else None,
            "event_id": s.latest.pk if s.latest else None,
        }
        for s in states
    ]


class PurposeListView(ListAPIView):
    """Every purpose VetPass asks about, with its lawful basis."""

    serializer_class = PurposeSerializer
    pagination_class = None
    queryset = Purpose.objects.all()


class ConsentStateView(APIView):
    @extend_schema(
        summary="Every purpose with the signed-in person's current state",
        responses=ConsentStateSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(ConsentStateSerializer(_state_data(request.user), many=True).data)  # type: ignore[arg-type]

    @extend_schema(
        summary="Grant, withdraw or object to one purpose (in one scope)",
        request=ConsentChangeSerializer,
        responses={201: ConsentEventSerializer, 200: ConsentEventSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ConsentChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = serializer.validated_data["purpose"]
        scope: str = serializer.validated_data["scope"]
        action: str = serializer.validated_data["action"]
        user: User = request.user  # type: ignore[assignment]
        event: ConsentEvent | None
        if action == Action.OBJECT:
            event = consent_object(
                subject=user,
                purpose=purpose,
                scope=scope,
                channel=Channel.API,
                wording=f"I object to: {purpose.name}.",
            )
        else:
            granted = action == Action.GRANT
            event = consent_set(
                subject=user,
                purpose=purpose,
                scope=scope,
                granted=granted,
                channel=Channel.API,
                wording=consent_wording(purpose, granted=granted),
            )
        if event is None:  # already in that state: nothing written
            latest = consent_history(user).filter(purpose=purpose, scope=scope).first()
            return Response(ConsentEventSerializer(latest).data, status=status.HTTP_200_OK)
        event = consent_history(user).get(pk=event.pk)
        return Response(ConsentEventSerializer(event).data, status=status.HTTP_201_CREATED)


class ConsentHistoryView(ListAPIView):
    """The signed-in person's full consent history, newest first."""

    serializer_class = ConsentEventSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return ConsentEvent.objects.none()
        return consent_history(self.request.user)  # type: ignore[arg-type]


class ConsentReceiptView(APIView):
    @extend_schema(
        summary="A Kantara Consent Receipt v1.1 for one of your events",
        responses=ConsentReceiptSerializer,
    )
    def get(self, request: Request, event_id: int) -> Response:
        event = get_event_for_subject(request.user, event_id)  # type: ignore[arg-type]
        return Response(receipt_for(event))


class PoliciesView(APIView):
    @extend_schema(
        summary="Policy versions in force, and those you still need to accept",
        responses=PoliciesSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(
            PoliciesSerializer(
                {
                    "in_force": policy_versions_in_force(),
                    "pending": policy_versions_pending(request.user),  # type: ignore[arg-type]
                }
            ).data
        )


class PolicyAcceptView(APIView):
    @extend_schema(
        summary="Accept policy versions (answers error code policy_acceptance_required)",
        request=PolicyAcceptSerializer,
        responses={201: ConsentEventSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        serializer = PolicyAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        versions: list[PolicyVersion] = serializer.validated_data["versions"]
        in_force = {v.pk for v in policy_versions_in_force()}
        stale = [v.pk for v in versions if v.pk not in in_force]
        if stale:
            message = "Version {} is not in force: accept the current one."
            raise APIValidationError({"versions": [message.format(pk) for pk in stale]})
        user: User = request.user  # type: ignore[assignment]
        events = policy_accept(user=user, versions=versions, channel=Channel.API)
        policy_gate_clear(user)
        events = list(consent_history(user).filter(pk__in=[e.pk for e in events]))
        return Response(
            ConsentEventSerializer(events, many=True).data, status=status.HTTP_201_CREATED
        )


class UnsubscribeRequestSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The token from the email's link.")


class UnsubscribeView(APIView):
    """The unsubscribe link's token, for an app that opens it: withdraws at once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Unsubscribe with the signed token from an email (no sign-in needed)",
        request=UnsubscribeRequestSerializer,
        responses={
            200: inline_serializer(
                "UnsubscribeResult",
                {"purpose": serializers.CharField(), "subscribed": serializers.BooleanField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = UnsubscribeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = _unsubscribe_target(data.validated_data["token"])
        if target is None:
            raise APIValidationError({"token": ["This unsubscribe link is not valid."]})
        subject, purpose = target
        unsubscribe_record(subject=subject, purpose=purpose)
        return Response({"purpose": purpose.code, "subscribed": False})
