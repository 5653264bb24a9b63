"""The staff inbox of a practice's workspace (issue 11): the practice's open
conversations with each staff member's own unread counts, a conversation, a reply. Thin:
the rules are in records.messages, shared with the owner's pages and the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import messages as msg
from ..message_views import (
    CONVERSATIONS_PER_PAGE,
    MessageForm,
    attachment_response,
    message_posted,
    thread_rows,
)
from . import selectors as sel


@login_required
def workspace_inbox(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    qs = msg.practice_conversations(request.user, membership.practice)  # type: ignore[arg-type]
    page = Paginator(qs, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = msg.inbox_rows(request.user, membership.practice, list(page.object_list))  # type: ignore[arg-type]
    return render(
        request,
        "practices/messages/inbox.html",
        {"membership": membership, "practice": membership.practice, "page": page, "rows": rows},
    )


@login_required
def workspace_conversation(request: HttpRequest, practice_pk: int, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    look = msg.get_conversation_for_user(
        request.user,  # type: ignore[arg-type]
        pk,
        practice=membership.practice,
        view="messages",
    )
    form = MessageForm(request.POST or None, request.FILES or None)
    if message_posted(request, look, form, done="Reply sent."):
        return redirect("practices:workspace_conversation", practice_pk, pk)
    rows = thread_rows(look)
    msg.conversation_mark_read(conversation=look.conversation, user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "practices/messages/conversation.html",
        {
            "membership": membership,
            "practice": membership.practice,
            "look": look,
            "conversation": look.conversation,
            "client": msg.access.client_identity(membership.practice_id, look.conversation.owner),
            "rows": rows,
            "form": form,
            "notice": msg.NO_CLINICAL_ADVICE,
        },
    )


@login_required
def workspace_message_attachment(request: HttpRequest, practice_pk: int, pk: int) -> FileResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    message, _look = msg.get_message_attachment(
        request.user,  # type: ignore[arg-type]
        pk,
        practice=membership.practice,
    )
    return attachment_response(message)
