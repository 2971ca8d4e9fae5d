"""What every answer under /api/ shares, whatever view (or no view) gives it
(API.md, Tokens and limits): `Cache-Control: no-store`, a JSON 413 for a body
over DATA_UPLOAD_MAX_MEMORY_SIZE, the per-user limit on writes, and the HTML
rendering for a browser (DRF's browsable API)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from redis.exceptions import RedisError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.throttling import SimpleRateThrottle

from .security import client_ip

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The one endpoint that takes files: its own limit (DOCUMENT_MAX_MB, checked
# exactly by the view) plus room for the multipart envelope and the other fields.
UPLOAD_PATHS = ("/api/v1/documents/",)
ENVELOPE_BYTES = 64 * 1024


def _body_limit(request) -> int | None:
    if request.method == "POST" and request.path in UPLOAD_PATHS:
        return settings.DOCUMENT_MAX_MB * 1024 * 1024 + ENVELOPE_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _too_big(limit) -> JsonResponse:
    return JsonResponse(
        {"detail": f"The request body is larger than {limit} bytes.", "code": "too_large"},
        status=413,
    )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads such a body as empty too


class ApiResponseMiddleware:
    """Early in the chain, so it also dresses the answers no API view gives: the
    JSON 404 of an unknown path, a refused CSRF token, a lockout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = _body_limit(request)
        if limit is not None and _declared_length(request) > limit:
            # refused before anything reads the body (DRF reads the stream itself,
            # past Django's own check)
            response = _too_big(limit)
        else:
            response = self.get_response(request)
        # Clinical data must not rest in a browser's or a proxy's cache.
        response["Cache-Control"] = "no-store"
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig) and request.path.startswith(API_PREFIX):
            return _too_big(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


class WriteRateThrottle(SimpleRateThrottle):
    """API_WRITE_RATE writes per signed-in user (per client address before
    sign-in); reads are never limited here."""

    scope = "write"

    def get_rate(self):
        return settings.API_WRITE_RATE  # read per request, so a test can change it

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        try:
            return super().allow_request(request, view)
        except RedisError:
            # Redis away: the limit goes uncounted for a while; the clinic's
            # bookings and notes must not fail for it (tests/ops/test_failure_drills.py)
            log.warning("write limit not counted: its cache is unreachable", exc_info=True)
            return True

    def get_cache_key(self, request, view):
        user = request.user
        ident = user.pk if user and user.is_authenticated else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class StaffBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API (JSON stays the default: a browser asks for HTML).
    It shows the raw JSON form only: HTML forms and filter forms would list every
    choice of a related field, rows outside the caller's scope among them. The
    extras that need inline styles (highlighting, extra-action and filter buttons)
    are left out, so the page runs under the CSP."""

    def get_rendered_html_form(self, data, view, method, request):
        if method in ("POST", "PUT", "PATCH"):
            return None
        return super().get_rendered_html_form(data, view, method, request)

    def get_filter_form(self, data, view, request):
        return None

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context.update(code_style=None, extra_actions=None)
        return context
