"""Swagger UI at /api/v1/docs/ under the app's own CSP (no inline script or style);
DRF's browsable API is clinic/api_http.py's renderer."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """drf-spectacular's split view serves Swagger UI's start-up script as a file of
    its own (`?script`); our template keeps the page's styles in a file too."""

    template_name = "api/docs.html"
