"""The owner web UI: dashboard, animals and herds, the record timeline, entries and
co-owner invitations. Views are thin: every look goes through records.selectors (404 for
what the person may not see) and every write through records.services, whose
ValidationErrors are shown on the form beside the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from vetpass.accounts.models import User

from . import pages, selectors, services
from .charts import weight_chart_svg
from .forms import (
    AnimalForm,
    InvitationForm,
    KindChoiceForm,
    apply_errors,
    entry_form_class,
)
from .models import Animal, CoOwnerInvitation, Entry, EntryKind, Permission
from .models.entries import KIND_FIELDS
from .practices import selectors as practice_selectors
from .vaccinations import next_due_of, urgency


class AuthedRequest(HttpRequest):
    """A request behind @login_required: its user is a real account."""

    user: User


TIMELINE_PAGE_SIZE = 50
OWNER_KINDS = [(k, label) for k, label in EntryKind.choices if k != EntryKind.EXAMINATION]


# --- helpers --------------------------------------------------------------------------------


def _my_animals(user: Any) -> list[Animal]:
    animals = list(selectors.animals_owned_or_shared(user).order_by("name", "id"))
    due = next_due_of(animal.pk for animal in animals)  # one query for all of them
    today = timezone.localdate()
    for animal in animals:
        animal.next_due_on, animal.next_due_product = due.get(animal.pk, (None, ""))  # type: ignore[attr-defined]
        animal.urgency = urgency(animal.next_due_on, today)  # type: ignore[attr-defined]
    return animals


def _form_data(form: Any) -> dict[str, Any]:
    """cleaned_data for a service: an untouched file input keeps the stored file (None is
    dropped) and a cleared one becomes empty (False -> "")."""
    data = {}
    for name, value in form.cleaned_data.items():
        if value is None and name in ("photo", "document"):
            continue
        data[name] = "" if value is False and name in ("photo", "document") else value
    return data


def _my_groups(user: Any, exclude: Animal | None = None) -> QuerySet[Animal]:
    groups = Animal.objects.filter(owner=user, is_group=True)
    if exclude is not None and exclude.pk:
        groups = groups.exclude(pk=exclude.pk)
    return groups


def _save_animal(*, request: AuthedRequest, form: AnimalForm, animal: Animal | None) -> Animal:
    """Create or update, then move in or out of a group (head counts follow) — one
    transaction, so a refused move leaves the animal as it was."""
    data = _form_data(form)
    has_group_field = "group" in data
    group = data.pop("group", None)
    with transaction.atomic():
        if animal is None:
            animal = services.animal_create(owner=request.user, **data)
        else:
            animal = services.animal_update(animal=animal, actor=request.user, **data)
        if has_group_field and animal.group_id != (group.pk if group else None):
            services.animal_move_to_group(animal=animal, group=group, actor=request.user)
    return animal


def _private_file(file: Any) -> FileResponse:
    response = FileResponse(file.open("rb"))
    # Health records: never kept by shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


# --- pages ----------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in. Someone with animals (or an invitation to one) gets
    the owner's dashboard, whatever else they are; with nothing to show there, the DPO goes
    to the admin where their work is, and practice staff to their workspace."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    animals, herds, invitations = pages.dashboard(request.user)
    if not animals and not herds and not invitations:
        if request.user.is_dpo:  # type: ignore[union-attr]
            return redirect("admin:index")
        if practice_selectors.active_memberships(request.user).exists():  # type: ignore[arg-type]
            return redirect("practices:workspace_home")
    return render(
        request,
        "records/dashboard.html",
        {"animals": animals, "herds": herds, "invitations": invitations},
    )


@login_required
def animal_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "records/animal_list.html", {"animals": _my_animals(request.user)})


@login_required
def animal_add(request: AuthedRequest) -> HttpResponse:
    groups = _my_groups(request.user)
    form = AnimalForm(request.POST or None, request.FILES or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            animal = _save_animal(request=request, form=form, animal=None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{animal.name} has been added.")
            return redirect("records:animal_detail", pk=animal.pk)
    return render(request, "records/animal_form.html", {"form": form, "animal": None})


@login_required
def animal_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    vis = selectors.get_animal_for_user(request.user, pk, edit=True)
    animal = vis.animal
    groups = _my_groups(request.user, exclude=animal) if vis.is_owner else None
    form = AnimalForm(request.POST or None, request.FILES or None, instance=animal, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            animal = _save_animal(request=request, form=form, animal=animal)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{animal.name} has been updated.")
            return redirect("records:animal_detail", pk=animal.pk)
    # A refused change is still on the in-memory object: the heading shows the saved name.
    original = Animal.objects.only("name").get(pk=pk)
    return render(
        request, "records/animal_form.html", {"form": form, "animal": original, "vis": vis}
    )


@login_required
def animal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    vis = selectors.get_animal_for_user(request.user, pk)
    animal = vis.animal
    kind = request.GET.get("kind", "")
    if kind not in KIND_FIELDS:
        kind = ""
    page = pages.timeline_page(
        vis, kind=kind or None, number=request.GET.get("page", 1), per_page=TIMELINE_PAGE_SIZE
    )
    points = selectors.weight_series(vis)
    care = [
        text
        for text in (
            animal.species.care_summary,
            animal.breed.care_summary if animal.breed else "",
        )
        if text
    ]
    members = selectors.herd_members(request.user, vis)
    identity = selectors.owner_identity(vis)
    links = pages.animal_links(animal.pk)
    # The timeline, its filter and the weight table come as HTML built in Python
    # (records.pages, issue 10).
    return render(
        request,
        "records/animal_detail.html",
        {
            "animal": animal,
            "vis": vis,
            "links": links,
            "page": page,
            "timeline": pages.timeline_html(vis, page.object_list, timezone.localdate()),
            "kind": kind,
            "kind_filter": pages.kind_filter_html(links["detail"], kind),
            "chart": weight_chart_svg(points, name=animal.name),
            "weights": pages.weight_table_html(points),
            "care": care,
            "members": members,
            "group": selectors.visible_group(request.user, vis),
            "owner_name": identity.name if identity else animal.owner.display_name,
            "permissions": Permission.choices,
            "co_owners": selectors.co_owner_rows(vis) if vis.is_owner else None,
            "sharing_favorites": (
                practice_selectors.favorites_sharing_animal(animal) if vis.is_owner else None
            ),
        },
    )


@login_required
def animal_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """Photos are served through the visibility check, never from a public media URL."""
    vis = selectors.get_animal_for_user(request.user, pk)
    if not vis.animal.photo:
        raise Http404("No photo.")
    return _private_file(vis.animal.photo)


# --- entries --------------------------------------------------------------------------------


def _editable_entry(request: AuthedRequest, pk: int) -> tuple[Entry, Any]:
    # 404 unless this person may change this entry: the selector asks the service
    # (an entry a practice wrote is the practice's record), as the API does.
    return selectors.get_entry_for_user(request.user, pk, edit=True)


@login_required
def entry_add(request: AuthedRequest, pk: int) -> HttpResponse:
    vis = selectors.get_animal_for_user(request.user, pk, edit=True)
    animal = vis.animal
    kind = request.GET.get("kind", "")
    if kind not in dict(OWNER_KINDS):
        # Step 1: choose the kind (a GET form, so it works without JavaScript).
        chooser = KindChoiceForm(request.GET if "kind" in request.GET else None)
        if chooser.is_bound:
            chooser.full_clean()  # a missing or unknown kind: show the error
        return render(request, "records/entry_kind.html", {"animal": animal, "form": chooser})
    form_class = entry_form_class(kind)
    form = form_class(
        request.POST or None,
        request.FILES or None,
        initial={"occurred_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                animal=animal, author=request.user, kind=kind, **_form_data(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{entry.get_kind_display()} added to {animal.name}.")
            return redirect("records:animal_detail", pk=animal.pk)
    return render(
        request,
        "records/entry_form.html",
        {"animal": animal, "form": form, "kind": kind, "kind_label": EntryKind(kind).label},
    )


@login_required
def entry_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    entry, vis = _editable_entry(request, pk)
    form = entry_form_class(entry.kind)(request.POST or None, request.FILES or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(entry=entry, actor=request.user, **_form_data(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{entry.get_kind_display()} updated.")
            return redirect("records:animal_detail", pk=vis.animal.pk)
    return render(
        request,
        "records/entry_form.html",
        {
            "animal": vis.animal,
            "form": form,
            "entry": entry,
            "kind": entry.kind,
            "kind_label": entry.get_kind_display(),
        },
    )


@login_required
def entry_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    entry, vis = _editable_entry(request, pk)
    if request.method == "POST":
        label = entry.get_kind_display()
        services.entry_delete(entry=entry, actor=request.user)
        messages.success(request, f"{label} deleted.")
        return redirect("records:animal_detail", pk=vis.animal.pk)
    return render(request, "records/entry_delete.html", {"entry": entry, "animal": vis.animal})


@login_required
def animal_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    animal = _owned_animal(request, pk)
    if request.method == "POST":
        name = animal.name
        try:
            services.animal_delete(animal=animal, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("records:animal_detail", pk=animal.pk)
        messages.success(request, f"{name} and all of its records were deleted.")
        return redirect("records:animal_list")
    return render(
        request,
        "records/animal_delete.html",
        {"animal": animal, "entry_count": animal.entries.count()},
    )


@login_required
def entry_document(request: AuthedRequest, pk: int) -> FileResponse:
    entry, _vis = selectors.get_entry_for_user(request.user, pk)
    if not entry.document:
        raise Http404("No document.")
    return _private_file(entry.document)


# --- co-owners and invitations --------------------------------------------------------------


def _owned_animal(request: AuthedRequest, pk: int) -> Animal:
    return selectors.get_animal_for_user(request.user, pk, owner=True).animal


@login_required
def co_owners(request: AuthedRequest, pk: int) -> HttpResponse:
    animal = _owned_animal(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                animal=animal, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"We have emailed an invitation to {invitation.email}.")
            return redirect("records:co_owners", pk=animal.pk)
    return render(
        request,
        "records/co_owners.html",
        {
            "animal": animal,
            "form": form,
            "accesses": selectors.co_owners_for(request.user, animal.pk),
            "invitations": animal.invitations.filter(status=CoOwnerInvitation.Status.PENDING),
        },
    )


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, pk: int, invitation_pk: int) -> HttpResponse:
    animal = _owned_animal(request, pk)
    invitation = get_object_or_404(CoOwnerInvitation, pk=invitation_pk, animal=animal)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
    return redirect("records:co_owners", pk=animal.pk)


@login_required
@require_POST
def access_remove(request: AuthedRequest, pk: int, access_pk: int) -> HttpResponse:
    access = selectors.get_access_for_user(request.user, pk, access_pk)
    animal = access.animal
    services.access_remove(access=access)
    if access.user_id == request.user.pk:  # a co-owner gave their own access up
        messages.success(request, f"You no longer see {animal.name}.")
        return redirect("records:home")
    messages.success(request, f"{access.user.display_name} no longer has access to {animal.name}.")
    return redirect("records:co_owners", pk=animal.pk)


@login_required
@require_POST
def access_leave(request: AuthedRequest, pk: int) -> HttpResponse:
    """A co-owner gives up their own access."""
    access = selectors.get_own_access(request.user, pk)
    services.access_remove(access=access)
    messages.success(request, f"You no longer see {access.animal.name}.")
    return redirect("records:home")


@login_required
def invitation_answer(request: AuthedRequest, token: str) -> HttpResponse:
    # Only the invited person may see the invitation at all; anyone else gets a 404.
    invitation = get_object_or_404(
        CoOwnerInvitation.objects.select_related("animal", "animal__species", "invited_by"),
        token=token,
        email=request.user.email.lower(),
    )
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                services.invitation_accept(token=token, user=request.user)
                messages.success(request, f"You now see {invitation.animal.name}'s records.")
                return redirect("records:animal_detail", pk=invitation.animal_id)
            if answer == "decline":
                services.invitation_decline(token=token, user=request.user)
                messages.success(request, "You have declined the invitation.")
                return redirect("records:home")
            error = "Choose accept or decline."
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "records/invitation_answer.html",
        {
            "invitation": invitation,
            "error": error,
            "answer_url": reverse("records:invitation_answer", args=[token]),
        },
    )
