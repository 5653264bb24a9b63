"""Messages between an owner and a practice they favorited (issue 11): the one selector
that answers who may read which conversation, and the services that write them. The web
views and the API of both sides call these and nothing else.

Who reads what (DESIGN.md rule 1):
- the owner reads their own conversations, always (after un-favoriting too: their copy,
  read-only); co-owners and responsible persons do not — the favorite is the owner's;
- a staff member reads a conversation of their practice only while they are on its staff
  and the favorite the conversation was started under is active, grants sharing in the
  ledger and covers the animal (`access.practice_visibility`, the practice side of the one
  visibility selector). Otherwise it does not exist for them (404). Each staff read is
  access-logged (rule 2).

Restriction (rule 5): a restricted owner may still message. Writing to a practice the
owner already shares with is the owner's own action and starts no new sharing, so it is
allowed; the practice may answer.

Notifications leave through the outbox and carry no message text, no animal name and no
practice name: only that there is a new message and where to read it after signing in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.accounts.services import ActivityKind, activity_record

from .models import (
    Animal,
    Conversation,
    ConversationRead,
    EmergencyShare,
    Favorite,
    Message,
    MessageSide,
    Practice,
)
from .models.messages import NO_CLINICAL_ADVICE
from .practices import access
from .visibility import Visibility

__all__ = ["NO_CLINICAL_ADVICE"]

CLOSED_FOR_OWNER = (
    "This conversation is closed: you no longer share this animal with the practice. "
    "You can still read it."
)
NO_SHARED_PRACTICE = "Choose a practice you share this animal with."
EMPTY_MESSAGE = "Write a message or attach a file."
BODY_LIMIT = 5000


@dataclass(frozen=True)
class ConversationLook:
    """One conversation as one person may see it."""

    conversation: Conversation
    side: str  # MessageSide: the side the viewer is on
    is_open: bool  # whether the viewer may write
    vis: Visibility | None = None  # the staff member's look at the animal (for the log)

    @property
    def is_owner_side(self) -> bool:
        return self.side == MessageSide.OWNER


# --- the one selector --------------------------------------------------------------------


def _open_for_practices(practice_ids: Any) -> Q:
    """Conversations whose favorite grants sharing now and covers the animal."""
    favorites = access.granting_favorites(practice_ids)
    chosen = Favorite.animals.through.objects.filter(
        favorite_id=OuterRef("favorite_id"), animal_id=OuterRef("animal_id")
    )
    return Q(favorite_id__in=favorites.filter(all_animals=True).values("pk")) | (
        Q(favorite_id__in=favorites.values("pk")) & Q(Exists(chosen))
    )


def _with_unread(qs: QuerySet[Conversation], user: User, side: str) -> QuerySet[Conversation]:
    """Annotate `unread`: the other side's messages after the user's read mark, as a
    subquery per row, so a list's query count does not grow with its length."""
    mark = ConversationRead.objects.filter(
        conversation_id=OuterRef("conversation_id"), user_id=user.pk
    ).values("last_read_message_id")[:1]
    unread = (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .exclude(side=side)
        .filter(id__gt=Coalesce(Subquery(mark), Value(0)))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(unread=Coalesce(Subquery(unread), Value(0)))


def owner_conversations(user: User, *, animal: Animal | None = None) -> QuerySet[Conversation]:
    """The owner's own conversations (open or closed), newest first, with unread counts
    and whether each is still open for writing (`is_open`)."""
    if not user.is_authenticated:
        return Conversation.objects.none()
    qs = Conversation.objects.filter(owner_id=user.pk)
    if animal is not None:
        qs = qs.filter(animal=animal)
    open_ids = Conversation.objects.filter(owner_id=user.pk).filter(
        _open_for_practices(Practice.objects.values("pk"))
    )
    qs = qs.annotate(is_open=Exists(open_ids.filter(pk=OuterRef("pk"))))
    return _with_unread(qs, user, MessageSide.OWNER).select_related("practice", "animal")


def practice_conversations(user: User, practice: Practice) -> QuerySet[Conversation]:
    """The practice's open conversations that this staff member may read, newest first,
    with the staff member's own unread counts. Reading the list is not logged here: the
    inbox logs what it shows (`inbox_rows`)."""
    if not access.active_practice_ids(user, practice).exists():
        return Conversation.objects.none()
    qs = Conversation.objects.filter(practice=practice).filter(_open_for_practices([practice.pk]))
    return _with_unread(qs, user, MessageSide.PRACTICE).select_related("animal", "owner")


def inbox_rows(user: User, practice: Practice, rows: list[Conversation]) -> list[Conversation]:
    """The page of the staff inbox: names each client as the practice may see them, and
    writes one access-log row per client shown (one INSERT whatever the page's length)."""
    identities = access.client_identities(practice.pk, {c.owner for c in rows})
    for conversation in rows:
        conversation.client = identities[conversation.owner_id]  # type: ignore[attr-defined]
    if rows:
        access.log_list_reads(
            user,
            "message inbox",
            Favorite.objects.filter(pk__in={c.favorite_id for c in rows}),
            EmergencyShare.objects.none(),
        )
    return rows


def _staff_look(user: User, conversation: Conversation) -> ConversationLook | None:
    vis = access.practice_visibility(user, conversation.animal, conversation.practice)
    via = vis.via if vis is not None else None
    if not isinstance(via, Favorite) or via.pk != conversation.favorite_id:
        return None  # un-favorited, sharing withdrawn, animal no longer covered, or left
    return ConversationLook(conversation, MessageSide.PRACTICE, is_open=True, vis=vis)


def _owner_is_open(conversation: Conversation) -> bool:
    return (
        Conversation.objects.filter(pk=conversation.pk)
        .filter(_open_for_practices([conversation.practice_id]))
        .exists()
    )


def conversation_look(
    user: User, conversation: Conversation, *, practice: Practice | None = None
) -> ConversationLook | None:
    """What the user may do with the conversation: None when it does not exist for them.
    `practice` set: the staff side (the workspace of that practice); otherwise the owner's."""
    if not user.is_authenticated:
        return None
    if practice is None:
        if conversation.owner_id != user.pk:
            return None
        return ConversationLook(
            conversation, MessageSide.OWNER, is_open=_owner_is_open(conversation)
        )
    if conversation.practice_id != practice.pk:
        return None
    return _staff_look(user, conversation)


def get_conversation_for_user(
    user: User, pk: object, *, practice: Practice | None = None, view: str = "messages"
) -> ConversationLook:
    """The conversation as the user may see it, or 404; a staff read is access-logged."""
    try:
        conversation = Conversation.objects.select_related(
            "animal", "animal__owner", "practice", "owner"
        ).get(pk=pk)  # type: ignore[misc]
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such conversation.") from None
    look = conversation_look(user, conversation, practice=practice)
    if look is None:
        raise Http404("No such conversation.")
    if look.vis is not None:
        access.log_read(user, look.vis, view)
    return look


def messages_for(look: ConversationLook) -> QuerySet[Message]:
    return look.conversation.messages.select_related("author")


def get_message_attachment(
    user: User, pk: object, *, practice: Practice | None = None
) -> tuple[Message, ConversationLook]:
    """A message's attachment, after the same check as its conversation (logged for staff)."""
    try:
        message = Message.objects.only("pk", "conversation_id", "attachment").get(pk=pk)  # type: ignore[misc]
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.") from None
    look = get_conversation_for_user(
        user, message.conversation_id, practice=practice, view="message attachment"
    )
    if not message.attachment:
        raise Http404("No such attachment.")
    return message, look


def author_label(look: ConversationLook, message: Message) -> str:
    """Who wrote the message, as the viewer is told: the owner's side sees the practice
    and the staff member's name; the practice sees its client as it may know them."""
    if message.side == MessageSide.PRACTICE:
        name = message.author.display_name if message.author else "A former staff member"
        return f"{name} ({look.conversation.practice.name})"
    if look.is_owner_side:
        return "You"
    return access.client_identity(look.conversation.practice_id, look.conversation.owner).name


def shared_practices(owner: User, animal: Animal) -> QuerySet[Practice]:
    """The practices the owner may start a conversation with about the animal."""
    favorites = access.granting_favorites(Practice.objects.values("pk")).filter(owner_id=owner.pk)
    covering = favorites.filter(Q(all_animals=True) | Q(animals=animal))
    return Practice.objects.filter(pk__in=covering.values("practice_id")).order_by("name")


# --- services ------------------------------------------------------------------------------


def conversation_mark_read(*, conversation: Conversation, user: User) -> None:
    """Move the user's read mark to the conversation's latest message (never backwards)."""
    latest = conversation.messages.order_by("-id").values_list("id", flat=True).first()
    if latest is None:
        return
    mark, created = ConversationRead.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read_message_id": latest}
    )
    if not created and mark.last_read_message_id < latest:
        ConversationRead.objects.filter(pk=mark.pk, last_read_message_id__lt=latest).update(
            last_read_message_id=latest, read_at=timezone.now()
        )


@transaction.atomic
def conversation_start(
    *,
    owner: User,
    animal: Animal,
    practice: Practice | None,
    body: str = "",
    attachment: Any = None,
) -> Message:
    """The owner writes to a practice about an animal: continues the conversation under
    the current favorite, or starts it."""
    if animal.owner_id != owner.pk:
        raise PermissionDenied("Only the owner writes to a practice about the animal.")
    favorite = None
    if practice is not None:
        favorite = (
            access.granting_favorites([practice.pk])
            .filter(owner_id=owner.pk)
            .filter(Q(all_animals=True) | Q(animals=animal))
            .first()
        )
    if favorite is None:
        raise ValidationError({"practice": NO_SHARED_PRACTICE})
    conversation, _ = Conversation.objects.get_or_create(
        favorite=favorite, animal=animal, defaults={"practice": practice, "owner": owner}
    )
    return message_send(conversation=conversation, author=owner, body=body, attachment=attachment)


@transaction.atomic
def message_send(
    *, conversation: Conversation, author: User, body: str = "", attachment: Any = None
) -> Message:
    """Add a message. The rule lives here for every door: the owner writes while the
    conversation is open; a staff member only while the practice may see it."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if author.pk == conversation.owner_id:
        side = MessageSide.OWNER
        if not _owner_is_open(conversation):
            raise ValidationError(CLOSED_FOR_OWNER)
    else:
        side = MessageSide.PRACTICE
        conversation = Conversation.objects.select_related("animal", "practice").get(
            pk=conversation.pk
        )
        if _staff_look(author, conversation) is None:
            raise PermissionDenied("This conversation is closed for the practice.")
    body = (body or "").strip()
    errors: dict[str, str] = {}
    if not body and not attachment:
        errors["body"] = EMPTY_MESSAGE
    elif len(body) > BODY_LIMIT:
        errors["body"] = f"Keep a message to {BODY_LIMIT} characters (it has {len(body)})."
    if errors:
        raise ValidationError(errors)
    message = Message(
        conversation=conversation, side=side, author=author, body=body, attachment=attachment or ""
    )
    message.full_clean()
    message.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation_mark_read(conversation=conversation, user=author)
    if side == MessageSide.OWNER:
        activity_record(user=author, kind=ActivityKind.MESSAGE)
    _notify(conversation, side)
    return message


def _notify(conversation: Conversation, side: str) -> None:
    """An outbox row in this transaction: it leaves if and only if the message is saved.
    No text of the message, no animal or practice name (a privacy choice)."""
    if side == MessageSide.PRACTICE:
        recipients = [conversation.owner.email]
        url = reverse("records:conversation_detail", args=[conversation.pk])
    else:
        practice = conversation.practice
        if practice.email:
            recipients = [practice.email]
        else:
            recipients = list(
                User.objects.filter(
                    memberships__practice=practice, memberships__left_at__isnull=True
                ).values_list("email", flat=True)
            )
        url = reverse("practices:workspace_conversation", args=[practice.pk, conversation.pk])
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    send_mail(
        subject="[VetPass] You have a new message",
        message=(
            "You have a new message on VetPass.\n\n"
            f"Sign in to read it: {settings.SITE_URL}{url}\n\n"
            "For your privacy this email does not include the message."
        ),
        from_email=None,
        recipient_list=recipients,
    )
