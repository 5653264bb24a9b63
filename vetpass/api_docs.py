"""The browsable API docs (kept apart from vetpass.api, which DRF's settings import while
drf-spectacular's views are still loading)."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar package, its init script served as a file and its page
    styles from static/, so the docs work under our Content-Security-Policy."""

    template_name = "api/swagger_ui.html"
