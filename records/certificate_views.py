"""Vaccination certificates on the web (issue 11): the owner's page for an animal's
certificate (PDF, links, QR code) and the public verification page a groomer, boarder or
kennel opens. Thin: every rule is in records.certificates."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vetpass.accounts.models import User

from . import certificates as certs
from . import selectors
from .certificate_pdf import certificate_pdf as render_pdf
from .practices.forms import add_service_errors


class CertificateLinkForm(forms.Form):
    days = forms.TypedChoiceField(
        label="How long should the link work?",
        choices=[(d, f"{d} days") for d in certs.LINK_DAYS],
        coerce=int,
        initial=certs.LINK_DAYS_DEFAULT,
        widget=forms.RadioSelect,
        help_text="You can revoke it at any time before then.",
    )


NEW_LINK_SESSION_KEY = "certificate_new_link"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The animal's certificate: download the PDF, make a link, see and revoke links."""
    vis = selectors.get_animal_for_user(_user(request), pk, owner=True)
    form = CertificateLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link, token = certs.certificate_link_create(
                owner=_user(request), animal=vis.animal, days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Only the token's hash is kept: the page after the redirect shows the link once,
            # from the session, and forgets it.
            request.session[NEW_LINK_SESSION_KEY] = {"pk": link.pk, "token": token}
            return redirect("records:certificate", vis.animal.pk)
    new_link = None
    pending = request.session.pop(NEW_LINK_SESSION_KEY, None)
    if pending:
        links = certs.owner_certificate_links(_user(request), vis.animal)
        if (shown := links.filter(pk=pending["pk"]).first()) is not None:
            url = certs.link_url(pending["token"])
            new_link = {
                "link": shown,
                "url": url,
                "token": pending["token"],
                "qr": certs.qr_svg_data_uri(url),
            }
    return render(
        request,
        "records/certificates/certificate.html",
        {
            "animal": vis.animal,
            "facts": certs.certificate_facts(vis.animal),
            "form": form,
            "new_link": new_link,
            "links": certs.owner_certificate_links(_user(request), vis.animal),
        },
    )


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a PDF; `?link=<token>` of a live link adds its QR code."""
    vis = selectors.get_animal_for_user(_user(request), pk, owner=True)
    token = request.GET.get("link", "")
    url = (
        certs.live_link_url(owner=_user(request), animal=vis.animal, token=token) if token else None
    )
    response = HttpResponse(
        render_pdf(certs.certificate_facts(vis.animal), verify_url=url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="vaccination-certificate-{vis.animal.pk}.pdf"'
    )
    return response


@login_required
@require_POST
def certificate_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = certs.get_owner_certificate_link(_user(request), pk)
    certs.certificate_link_revoke(link=link)
    messages.success(request, "The certificate link is revoked: it no longer works.")
    return redirect("records:certificate", link.animal_id)


def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The public page behind a link and its QR code: no sign-in, only vaccination facts."""
    try:
        link, facts = certs.certificate_link_open(token=token)
    except Http404:
        response = render(
            request, "records/certificates/gone.html", {"reason": "unknown"}, status=404
        )
    except certs.LinkGone as gone:
        response = render(
            request,
            "records/certificates/gone.html",
            {"reason": gone.link.status, "link": gone.link},
            status=410,
        )
    else:
        response = render(
            request, "records/certificates/verify.html", {"facts": facts, "link": link}
        )
    # The token is in the address: keep it out of caches, search engines and referrers.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
