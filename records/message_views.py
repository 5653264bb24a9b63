"""The owner's web pages for messages with their practices (issue 11), and the forms the
staff pages share. Thin: the rules are in records.messages, shared with the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import messages as msg
from . import selectors
from .forms import apply_errors
from .models import Practice

CONVERSATIONS_PER_PAGE = 25


class MessageForm(forms.Form):
    """Shapes input only: the service decides (empty, too long, a bad file)."""

    body = forms.CharField(
        label="Message", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label="Attach a file (optional)",
        required=False,
        help_text="A PDF or an image (PNG, JPEG, GIF or WebP), at most 10 MB.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "body": self.cleaned_data.get("body") or "",
            "attachment": self.cleaned_data.get("attachment"),
        }


class StartForm(MessageForm):
    practice = forms.ModelChoiceField(
        label="Practice", queryset=Practice.objects.none(), empty_label=None
    )
    field_order = ["practice", "body", "attachment"]

    def __init__(self, *args: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = practices  # type: ignore[attr-defined]


def attachment_response(message: Any, content_type: str | None = None) -> FileResponse:
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=message.attachment_name,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def thread_rows(look: msg.ConversationLook) -> list[Any]:
    rows = list(msg.messages_for(look))
    for message in rows:
        message.author_label = msg.author_label(look, message)  # type: ignore[attr-defined]
    return rows


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    qs = msg.owner_conversations(request.user)  # type: ignore[arg-type]
    page = Paginator(qs, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "records/messages/list.html", {"page": page})


@login_required
def animal_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The animal's conversations, and a form to write to a practice it is shared with
    (continuing the conversation with that practice when there is one)."""
    vis = selectors.get_animal_for_user(request.user, pk, owner=True)  # type: ignore[arg-type]
    animal = vis.animal
    practices = msg.shared_practices(request.user, animal)  # type: ignore[arg-type]
    initial = {"practice": request.GET.get("practice")}
    form = StartForm(
        request.POST or None, request.FILES or None, practices=practices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            message = msg.conversation_start(
                owner=request.user,  # type: ignore[arg-type]
                animal=animal,
                practice=form.cleaned_data["practice"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, "Message sent.")
            return redirect("records:conversation_detail", message.conversation_id)
    return render(
        request,
        "records/messages/animal.html",
        {
            "animal": animal,
            "conversations": msg.owner_conversations(request.user, animal=animal),  # type: ignore[arg-type]
            "form": form,
            "has_practices": practices.exists(),
            "notice": msg.NO_CLINICAL_ADVICE,
        },
    )


def message_posted(request: HttpRequest, look: Any, form: MessageForm, *, done: str) -> bool:
    """A message from the conversation page's form, owner's or staff's: sent through the
    one service (its refusals onto the form's fields), and True once it is."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        msg.message_send(
            conversation=look.conversation,
            author=request.user,  # type: ignore[arg-type]
            **form.service_kwargs(),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    flash.success(request, done)
    return True


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    look = msg.get_conversation_for_user(request.user, pk)  # type: ignore[arg-type]
    form = MessageForm(request.POST or None, request.FILES or None)
    if message_posted(request, look, form, done="Message sent."):
        return redirect("records:conversation_detail", pk)
    rows = thread_rows(look)
    msg.conversation_mark_read(conversation=look.conversation, user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "records/messages/conversation.html",
        {
            "look": look,
            "conversation": look.conversation,
            "rows": rows,
            "form": form,
            "notice": msg.NO_CLINICAL_ADVICE,
            "closed_notice": msg.CLOSED_FOR_OWNER,
            "attachment_url": "records:message_attachment",
        },
    )


@login_required
def message_attachment(request: HttpRequest, pk: int) -> FileResponse:
    message, _look = msg.get_message_attachment(request.user, pk)  # type: ignore[arg-type]
    return attachment_response(message)
