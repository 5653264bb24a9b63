"""Messages in the API (/api/v1/), both sides (issue 11): the owner's conversations, and
a practice's inbox in the workspace. The same selector and services as the web pages
(records.messages), so the two doors can never disagree."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vetpass.accounts.models import User
from vetpass.api import Pagination

from . import messages as msg
from . import selectors
from .api import PARSERS, UploadLimitMixin
from .message_views import attachment_response
from .models import Conversation, Message, Practice
from .practices import selectors as practice_selectors


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- serializers ---------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = serializers.SerializerMethodField()
    attachment_name = serializers.CharField(read_only=True)
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "side", "author", "body", "has_attachment", "attachment_name", "created_at"]

    def get_author(self, obj: Message) -> str:
        return msg.author_label(self.context["look"], obj)

    def get_has_attachment(self, obj: Message) -> bool:
        return bool(obj.attachment)


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    animal_name = serializers.CharField(source="animal.name", read_only=True)
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    unread = serializers.IntegerField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "animal",
            "animal_name",
            "practice",
            "practice_name",
            "unread",
            "is_open",
            "last_message_at",
        ]


class InboxConversationSerializer(serializers.ModelSerializer[Conversation]):
    animal_name = serializers.CharField(source="animal.name", read_only=True)
    client = serializers.CharField(source="client.name", read_only=True)
    unread = serializers.IntegerField(read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "animal", "animal_name", "client", "unread", "last_message_at"]


class ConversationDetailSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    animal = serializers.IntegerField()
    animal_name = serializers.CharField()
    practice = serializers.IntegerField()
    practice_name = serializers.CharField()
    is_open = serializers.BooleanField()
    notice = serializers.CharField(help_text="Chat gives no diagnosis, treatment or prescription.")
    messages = MessageSerializer(many=True)


class MessageWriteSerializer(serializers.Serializer[Any]):
    """Shapes input only: the service decides (empty, too long, a bad file, closed)."""

    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    attachment = serializers.FileField(required=False, allow_empty_file=True)


class ConversationStartSerializer(MessageWriteSerializer):
    animal = serializers.IntegerField()
    practice = serializers.IntegerField()


def _detail(look: msg.ConversationLook, user: User) -> dict[str, Any]:
    conversation = look.conversation
    rows = list(msg.messages_for(look))
    msg.conversation_mark_read(conversation=conversation, user=user)
    return {
        "id": conversation.pk,
        "animal": conversation.animal_id,
        "animal_name": conversation.animal.name,
        "practice": conversation.practice_id,
        "practice_name": conversation.practice.name,
        "is_open": look.is_open,
        "notice": msg.NO_CLINICAL_ADVICE,
        "messages": MessageSerializer(rows, many=True, context={"look": look}).data,
    }


def _write_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"body": data.get("body") or "", "attachment": data.get("attachment")}


# --- the owner's side ----------------------------------------------------------------------


@extend_schema(tags=["messages"])
class ConversationListView(UploadLimitMixin, generics.ListAPIView[Conversation]):
    """The owner's conversations with their practices (open and closed), with unread
    counts; POST writes to a practice about an animal shared with it (multipart for a file)."""

    serializer_class = ConversationSerializer
    pagination_class = Pagination
    queryset = Conversation.objects.none()  # for the schema; get_queryset decides
    parser_classes = PARSERS
    upload_field = "attachment"

    def get_queryset(self) -> QuerySet[Conversation]:
        return msg.owner_conversations(_user(self.request))

    @extend_schema(
        request=ConversationStartSerializer,
        responses={
            201: MessageSerializer,
            404: OpenApiResponse(description="No such animal of yours."),
        },
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        data = ConversationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vis = selectors.get_animal_for_user(user, data.validated_data["animal"], owner=True)
        practice = Practice.objects.filter(pk=data.validated_data["practice"]).first()
        message = msg.conversation_start(
            owner=user,
            animal=vis.animal,
            practice=practice,
            **_write_kwargs(data.validated_data),
        )
        look = msg.get_conversation_for_user(user, message.conversation_id)
        return Response(
            MessageSerializer(message, context={"look": look}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["messages"], responses=ConversationDetailSerializer)
class ConversationDetailView(APIView):
    """One conversation with its messages, oldest first; reading it marks it read."""

    def get(self, request: Request, pk: int) -> Response:
        look = msg.get_conversation_for_user(_user(request), pk)
        return Response(_detail(look, _user(request)))


@extend_schema(tags=["messages"])
class ConversationMessagesView(UploadLimitMixin, APIView):
    """Reply in a conversation (multipart/form-data to attach a file)."""

    parser_classes = PARSERS
    upload_field = "attachment"

    @extend_schema(request=MessageWriteSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        look = msg.get_conversation_for_user(_user(request), pk)
        return _reply(request, look)


def _reply(request: Request, look: msg.ConversationLook) -> Response:
    data = MessageWriteSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    message = msg.message_send(
        conversation=look.conversation, author=_user(request), **_write_kwargs(data.validated_data)
    )
    return Response(
        MessageSerializer(message, context={"look": look}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(
    tags=["messages"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}
)
class MessageAttachmentView(APIView):
    """A message's attachment, after the same check as its conversation."""

    def get(self, request: Request, pk: int) -> FileResponse:
        message, _look = msg.get_message_attachment(_user(request), pk)
        return attachment_response(message, content_type="application/octet-stream")


# --- the practice's inbox ------------------------------------------------------------------


@extend_schema(tags=["workspace"])
class WorkspaceInboxView(APIView):
    """The practice's open conversations, newest first, with this staff member's own
    unread counts (read state is per person). Each client shown is access-logged."""

    @extend_schema(
        operation_id="workspace_conversations_list",
        responses=inline_serializer(
            "PracticeInbox",
            {
                "count": serializers.IntegerField(),
                "unread_total": serializers.IntegerField(),
                "results": InboxConversationSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, practice_pk: int) -> Response:
        user = _user(request)
        membership = practice_selectors.get_membership(user, practice_pk)
        qs = msg.practice_conversations(user, membership.practice)
        paginator = Paginator(qs, Pagination.page_size)
        try:
            page = paginator.page(request.query_params.get("page") or 1)
        except Exception:  # noqa: BLE001 - a page past the end or not a number
            raise Http404("No such page.") from None
        rows = msg.inbox_rows(user, membership.practice, list(page.object_list))
        return Response(
            {
                "count": paginator.count,
                "unread_total": sum(c.unread for c in rows),  # type: ignore[attr-defined]
                "results": InboxConversationSerializer(rows, many=True).data,
            }
        )


@extend_schema(tags=["workspace"], responses=ConversationDetailSerializer)
class WorkspaceConversationView(APIView):
    def get(self, request: Request, practice_pk: int, pk: int) -> Response:
        user = _user(request)
        membership = practice_selectors.get_membership(user, practice_pk)
        look = msg.get_conversation_for_user(
            user, pk, practice=membership.practice, view="messages (app)"
        )
        return Response(_detail(look, user))


@extend_schema(tags=["workspace"])
class WorkspaceConversationMessagesView(UploadLimitMixin, APIView):
    parser_classes = PARSERS
    upload_field = "attachment"

    @extend_schema(request=MessageWriteSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, practice_pk: int, pk: int) -> Response:
        user = _user(request)
        membership = practice_selectors.get_membership(user, practice_pk)
        look = msg.get_conversation_for_user(
            user, pk, practice=membership.practice, view="messages reply (app)"
        )
        return _reply(request, look)


@extend_schema(
    tags=["workspace"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}
)
class WorkspaceMessageAttachmentView(APIView):
    def get(self, request: Request, practice_pk: int, pk: int) -> FileResponse:
        user = _user(request)
        membership = practice_selectors.get_membership(user, practice_pk)
        message, _look = msg.get_message_attachment(user, pk, practice=membership.practice)
        return attachment_response(message, content_type="application/octet-stream")
