"""Web views of the practice side: find a practice, favorite and un-favorite, emergency
shares, the owner's access log, and the vet workspace. Thin: the rules are in
practice_services / practice_selectors / access, shared with the API."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..models import AccessLogGrant, EntryKind, Practice, RecordRequest
from ..pages import workspace_timeline_html
from . import client_list
from . import selectors as sel
from . import services as svc
from . import workspace_selectors as wsel
from .client_keys import ClientCursor, InvalidCursor
from .client_list_html import client_rows_html
from .forms import (
    AnswerRequestForm,
    ClinicalEntryForm,
    EmergencyShareForm,
    FavoriteForm,
    ImportForm,
    JoinRequestForm,
    PracticeProfileForm,
    PracticeSearchForm,
    RedeemForm,
    StaffCreateForm,
    StaffUpdateForm,
    add_service_errors,
)
from .workspace_urls import workspace_urls

# Lines of the owner's access log on one web page (the API pages by the same number).
ACCESS_LOG_PAGE_SIZE = 50

# --- owners: find, favorite, un-favorite ---------------------------------------------


@login_required
def practice_search(request: HttpRequest) -> HttpResponse:
    form = PracticeSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = sel.practice_search(**form.search_kwargs())
    favorited = set(
        request.user.favorites.filter(ended_at__isnull=True).values_list("practice_id", flat=True)  # type: ignore[union-attr,misc]
    )
    return render(
        request,
        "practices/search.html",
        {"form": form, "results": results, "favorited": favorited},
    )


@login_required
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = sel.get_practice(pk)
    favorite = request.user.favorites.filter(practice=practice, ended_at__isnull=True).first()  # type: ignore[union-attr,misc]
    return render(request, "practices/detail.html", {"practice": practice, "favorite": favorite})


@login_required
def favorite_create(request: HttpRequest, pk: int) -> HttpResponse:
    practice = sel.get_practice(pk)
    form = FavoriteForm(request.POST or None, owner=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            favorite = svc.favorite_create(
                owner=request.user,  # type: ignore[arg-type]
                practice=practice,
                channel="web",
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"You now share your records with {practice.name}.")
            return redirect("practices:favorite_detail", pk=favorite.pk)
    return render(
        request,
        "practices/favorite_form.html",
        {"practice": practice, "form": form, "notice": svc.CLINICAL_RECORD_NOTICE},
    )


@login_required
def favorite_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "practices/favorites.html",
        {"favorites": sel.owner_favorites(request.user)},  # type: ignore[arg-type]
    )


@login_required
def favorite_detail(request: HttpRequest, pk: int) -> HttpResponse:
    favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
    labels = dict(EntryKind.choices)
    return render(
        request,
        "practices/favorite_detail.html",
        {
            "favorite": favorite,
            "kind_labels": [labels[k] for k in favorite.kinds],
            "notice": svc.CLINICAL_RECORD_NOTICE,
        },
    )


@login_required
def favorite_update(request: HttpRequest, pk: int) -> HttpResponse:
    favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
    form = FavoriteForm(
        request.POST or None,
        owner=request.user,  # type: ignore[arg-type]
        editing=True,
        initial=FavoriteForm.initial_for(favorite),
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.favorite_update(favorite=favorite, channel="web", **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "What you share with this practice has changed.")
            return redirect("practices:favorite_detail", pk=favorite.pk)
    return render(
        request,
        "practices/favorite_form.html",
        {"practice": favorite.practice, "form": form, "favorite": favorite},
    )


@login_required
def favorite_delete(request: HttpRequest, pk: int) -> HttpResponse:
    favorite = sel.get_owner_favorite(request.user, pk)  # type: ignore[arg-type]
    if request.method == "POST" and favorite.ended_at is None:
        svc.favorite_delete(favorite=favorite, channel="web")
        messages.success(request, f"You no longer share your records with {favorite.practice}.")
        return redirect("practices:favorites")
    return render(
        request,
        "practices/favorite_delete.html",
        {"favorite": favorite, "notice": svc.CLINICAL_RECORD_NOTICE},
    )


@login_required
def emergency_shares(request: HttpRequest) -> HttpResponse:
    form = EmergencyShareForm(request.POST or None, owner=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            share = svc.emergency_share_create(
                owner=request.user,  # type: ignore[arg-type]
                animals=form.cleaned_data["animals"],
                hours=form.cleaned_data["hours"],
                practice=form.cleaned_data["practice"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Emergency share created. The code is {share.code}.")
            return redirect("practices:emergency_shares")
    shares = sel.owner_shares(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "practices/emergency_shares.html",
        {"form": form, "shares": shares, "now": timezone.now()},
    )


@login_required
@require_POST
def emergency_share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = sel.get_owner_share(request.user, pk)  # type: ignore[arg-type]
    svc.emergency_share_revoke(share=share)
    messages.success(request, "The emergency share is revoked.")
    return redirect("practices:emergency_shares")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    lines = sel.owner_access_log(request.user)  # type: ignore[arg-type]
    page = Paginator(lines, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    grants = dict(AccessLogGrant.choices)
    for line in page:
        line["grant_label"] = grants.get(line["grant_kind"], line["grant_kind"])
    return render(request, "practices/access_log.html", {"page": page, "rows": page})


# --- the vet workspace ---------------------------------------------------------------


@login_required
def workspace_home(request: HttpRequest) -> HttpResponse:
    memberships = list(sel.active_memberships(request.user))  # type: ignore[arg-type]
    if len(memberships) == 1 and not request.GET.get("all"):
        return redirect("practices:workspace", practice_pk=memberships[0].practice_id)
    return render(request, "practices/workspace_home.html", {"memberships": memberships})


@login_required
def join_request_create(request: HttpRequest) -> HttpResponse:
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.join_request_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your request was sent to the practice's administrator.")
            return redirect("practices:workspace_home")
    return render(request, "practices/join_request.html", {"form": form})


@login_required
def emergency_link(request: HttpRequest, code: str) -> HttpResponse:
    memberships = list(sel.active_memberships(request.user))  # type: ignore[arg-type]
    if len(memberships) == 1:
        url = reverse("practices:redeem", args=[memberships[0].practice_id])
        return redirect(f"{url}?code={code}")
    return render(
        request, "practices/workspace_home.html", {"memberships": memberships, "code": code}
    )


def _ctx(membership: Any, **extra: Any) -> dict[str, Any]:
    return {"membership": membership, "practice": membership.practice, **extra}


@login_required
def workspace(request: HttpRequest, practice_pk: int) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    text = request.GET.get("cursor", "")
    try:
        cursor = ClientCursor.decode(text) if text else None
    except InvalidCursor:
        cursor = None  # a link that was tampered with: the first page
    # The membership (or 404), the page of clients, their access log and the open
    # requests in one read (issue 10: one statement on PostgreSQL); the rows' HTML built
    # once in Python, each animal's link from the practice's links reversed once.
    page = client_list.workspace_client_list(request.user, practice_pk, q=q, cursor=cursor)  # type: ignore[arg-type]
    return render(
        request,
        "practices/workspace.html",
        _ctx(
            page.membership,
            clients_html=client_rows_html(page.lines, workspace_urls(practice_pk)),
            client_count=len(page.lines),
            next_cursor=page.next.encode() if page.next else "",
            previous_cursor=page.previous.encode() if page.previous else "",
            q=q,
            open_requests=page.open_requests,
        ),
    )


@login_required
def workspace_animal(request: HttpRequest, practice_pk: int, animal_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    vis, entries = wsel.workspace_animal_page(
        request.user,  # type: ignore[arg-type]
        membership,
        animal_pk,
        view="animal record",
    )
    return render(
        request,
        "practices/workspace_animal.html",
        _ctx(
            membership,
            vis=vis,
            animal=vis.animal,
            client=sel.workspace_client_identity(membership.practice, vis),
            timeline=workspace_timeline_html(entries),
            vcpr_date=wsel.workspace_vcpr_date(membership.practice, vis, entries),
            restricted=vis.animal.owner.is_restricted,
        ),
    )


@login_required
def workspace_entry_create(request: HttpRequest, practice_pk: int, animal_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    vis = sel.get_workspace_animal(request.user, membership, animal_pk, view="add entry")  # type: ignore[arg-type]
    initial = {
        "kind": request.GET.get("kind") or EntryKind.CLINICAL_NOTE,
        "occurred_on": timezone.localdate(),
    }
    form = ClinicalEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.clinical_entry_create(vis=vis, author=request.user, **form.service_kwargs())  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Entry added.")
            return redirect("practices:workspace_animal", practice_pk, animal_pk)
    return render(
        request,
        "practices/workspace_entry_form.html",
        _ctx(membership, animal=vis.animal, form=form, restricted=vis.animal.owner.is_restricted),
    )


@login_required
def request_queue(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    requests = sel.practice_requests(request.user, membership.practice)  # type: ignore[arg-type]
    return render(request, "practices/request_queue.html", _ctx(membership, requests=requests))


def _session_key(record_request: RecordRequest) -> str:
    return f"practice-import:{record_request.pk}"


@login_required
def request_detail(request: HttpRequest, practice_pk: int, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    record_request = sel.get_practice_request(request.user, membership, pk)  # type: ignore[arg-type]
    answer_form = AnswerRequestForm(request.POST if "answer" in request.POST else None)
    import_form = ImportForm(
        request.POST if "check" in request.POST else None,
        request.FILES if "check" in request.POST else None,
    )
    result = None
    if request.method == "POST":
        if "answer" in request.POST and answer_form.is_valid():
            try:
                svc.record_request_answer(
                    record_request=record_request,
                    actor=request.user,  # type: ignore[arg-type]
                    note=answer_form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(answer_form, exc)
            else:
                messages.success(request, "The owner can see that you answered.")
                return redirect("practices:request_queue", practice_pk)
        elif "check" in request.POST and import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            content = upload.read()
            result = svc.record_request_import(
                record_request=record_request,
                membership=membership,
                content=content,
                filename=upload.name,
                dry_run=True,
            )
            if result.is_clean:
                request.session[_session_key(record_request)] = {
                    "name": upload.name,
                    "content": base64.b64encode(content).decode(),
                }
        elif "confirm" in request.POST:
            stored = request.session.pop(_session_key(record_request), None)
            if stored:
                result = svc.record_request_import(
                    record_request=record_request,
                    membership=membership,
                    content=base64.b64decode(stored["content"]),
                    filename=stored["name"],
                    dry_run=False,
                )
                if result.imported:
                    messages.success(request, f"{result.imported} records imported.")
                    return redirect("practices:request_queue", practice_pk)
            else:
                messages.error(request, "Check the file again before importing it.")
    animals = sel.request_animals(request.user, membership, record_request)  # type: ignore[arg-type]
    return render(
        request,
        "practices/request_detail.html",
        _ctx(
            membership,
            record_request=record_request,
            animals=animals,
            answer_form=answer_form,
            import_form=import_form,
            result=result,
        ),
    )


@login_required
def redeem(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    form = RedeemForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            share = svc.emergency_share_redeem(
                code=form.cleaned_data["code"],
                user=request.user,  # type: ignore[arg-type]
                practice=membership.practice,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "You can see the shared records until "
                f"{timezone.localtime(share.expires_at):%H:%M on %d %B}.",
            )
            return redirect("practices:workspace", practice_pk)
    return render(request, "practices/redeem.html", _ctx(membership, form=form))


@login_required
def leave(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk)  # type: ignore[arg-type]
    if request.method == "POST":
        try:
            svc.membership_leave(membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, "practices/leave.html", _ctx(membership), status=400)
        messages.success(request, f"You have left {membership.practice}.")
        return redirect("practices:workspace_home")
    return render(request, "practices/leave.html", _ctx(membership))


# --- the practice administrator ------------------------------------------------------


@login_required
def staff_list(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    return render(
        request,
        "practices/staff_list.html",
        _ctx(
            membership,
            staff=sel.practice_staff(membership.practice),
            join_requests=sel.pending_join_requests(membership.practice),
        ),
    )


@login_required
def staff_create(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.staff_create(practice=membership.practice, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Staff account created; they were emailed a link to set a password."
            )
            return redirect("practices:staff_list", practice_pk)
    return render(request, "practices/staff_form.html", _ctx(membership, form=form))


@login_required
def staff_update(request: HttpRequest, practice_pk: int, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    member = sel.get_staff_membership(membership, pk)
    initial = {
        "full_name": member.user.full_name,
        "role": member.role,
        "job_title": member.job_title,
        "is_practice_admin": member.is_practice_admin,
    }
    form = StaffUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and "remove" in request.POST:
        try:
            svc.membership_leave(membership=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("practices:staff_update", practice_pk, member.pk)
        messages.success(request, f"{member.user} no longer has access to the practice.")
        return redirect("practices:staff_list", practice_pk)
    if request.method == "POST" and form.is_valid():
        try:
            svc.staff_update(membership=member, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("practices:staff_list", practice_pk)
    return render(request, "practices/staff_form.html", _ctx(membership, form=form, member=member))


@login_required
@require_POST
def join_request_decide(request: HttpRequest, practice_pk: int, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    join_request = sel.get_join_request(membership, pk)
    try:
        svc.join_request_decide(
            join_request=join_request,
            actor=request.user,  # type: ignore[arg-type]
            approve=request.POST.get("decision") == "approve",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("practices:staff_list", practice_pk)


@login_required
def practice_profile(request: HttpRequest, practice_pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, practice_pk, admin=True)  # type: ignore[arg-type]
    practice: Practice = membership.practice
    form = PracticeProfileForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in svc.PRACTICE_FIELDS}
        try:
            svc.practice_update(
                practice=practice,
                actor=request.user,  # type: ignore[arg-type]
                species=form.cleaned_data["species_treated"],
                services=form.cleaned_data["services"],
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Practice profile saved.")
            return redirect("practices:practice_profile", practice_pk)
    return render(request, "practices/profile_form.html", _ctx(membership, form=form))
