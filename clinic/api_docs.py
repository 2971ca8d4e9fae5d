"""The API's schema at /api/v1/schema/ and Swagger UI at /api/v1/docs/, under the
app's own CSP (no inline script or style); DRF's browsable API is
clinic/api_http.py's renderer.

The schema is built once per deploy (`manage.py buildschema`, beside
`collectstatic`) and served from its file: generating it in a web worker costs
that worker 12 MB it never gives back (issue 17: a worker at most 120 MB after
serving every endpoint once). The file's name carries a fingerprint of the code
and settings it was built from, so a stale file is never served: without a file
of the running code's fingerprint, the schema is generated as before."""

import hashlib
from functools import cache
from importlib.metadata import version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """drf-spectacular's split view serves Swagger UI's start-up script as a file of
    its own (`?script`); our template keeps the page's styles in a file too."""

    template_name = "api/docs.html"


class SchemaView(SpectacularAPIView):
    built = True  # False: always generate (what `buildschema` itself asks)

    def _get_schema_response(self, request):
        fmt = request.accepted_renderer.format
        asks_variant = request.GET.get("lang") or request.GET.get("version")
        path = built_schema_path(fmt) if self.built and not asks_variant else None
        if path is None or not path.exists():
            return super()._get_schema_response(request)
        renderer = request.accepted_renderer
        content_type = renderer.media_type  # as DRF's Response would say it
        if renderer.charset:
            content_type += f"; charset={renderer.charset}"
        response = HttpResponse(path.read_bytes(), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{self._get_filename(request, None)}"'
        return response


@cache
def fingerprint() -> str:
    """The project's Python sources, the schema libraries' versions and the settings
    the schema reads (the session cookie's name differs with DEBUG)."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for config in sorted(apps.get_app_configs(), key=lambda c: c.name):
        if Path(config.path).is_relative_to(root):
            for source in sorted(Path(config.path).rglob("*.py")):
                digest.update(str(source.relative_to(root)).encode() + b"\0")
                digest.update(source.read_bytes())
    for package in ("djangorestframework", "drf-spectacular", "Django"):
        digest.update(f"{package}=={version(package)}".encode())
    digest.update(repr(settings.SPECTACULAR_SETTINGS).encode())
    digest.update(f"{settings.SESSION_COOKIE_NAME} {settings.CSRF_COOKIE_NAME}".encode())
    return digest.hexdigest()[:16]


def built_schema_path(fmt: str) -> Path:
    return Path(settings.API_SCHEMA_DIR) / f"schema-{fingerprint()}.{fmt}"


def build_schema() -> list[Path]:
    """Write the schema in each format, as the view would generate it."""
    from django.test import RequestFactory

    view = SchemaView.as_view(built=False)
    written = []
    Path(settings.API_SCHEMA_DIR).mkdir(parents=True, exist_ok=True)
    for old in Path(settings.API_SCHEMA_DIR).glob("schema-*"):
        old.unlink()
    for fmt in dict.fromkeys(renderer.format for renderer in SchemaView.renderer_classes):
        response = view(RequestFactory().get("/api/v1/schema/", {"format": fmt}))
        response.render()
        assert response.status_code == 200, response.content[:300]
        path = built_schema_path(fmt)
        path.write_bytes(response.content)
        written.append(path)
    return written
