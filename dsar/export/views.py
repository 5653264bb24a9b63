"""The doors to a finished export: the emailed link and the privacy centre's download
button (web), and the API's download. The rule is in dsar.export.services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from . import services
from .models import DataExport


def zip_response(export: DataExport) -> FileResponse:
    response = FileResponse(
        services.export_open(export),
        as_attachment=True,
        filename=f"vetpass-{export.request.reference}.zip",
        content_type="application/zip",
    )
    # Everything held about a person: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_link(request: HttpRequest, token: str) -> HttpResponseBase:
    """The emailed link. A person with an account signs in first, as themself (404 for
    anyone else); the link alone is enough for a person without one."""
    user: Any = request.user
    try:
        export = services.export_for_link(token=token, user=user)
    except PermissionError:
        return redirect_to_login(request.get_full_path())
    services.export_downloaded(export=export, user=user)
    return zip_response(export)


@login_required
@require_GET
def export_download(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The privacy centre's download button on one of the person's own requests."""
    user: Any = request.user
    export = services.export_for_owner(user=user, reference=reference)
    services.export_downloaded(export=export, user=user)
    return zip_response(export)
