"""What every API view shares: one transaction per request, roles per action,
idempotency keys on POST, ETags on detail responses, and the error responses
of the OpenAPI schema. The resources live in each app's `api.py`."""

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from . import idempotency
from .access import (  # noqa: F401 - the role sets, for views that name them
    ALL_ROLES,
    CLINICIANS,
    DOCTOR,
    FRONT_DESK,
    MANAGER,
    NO_FRONT_DESK,
    THERAPIST,
)
from .audit import record_many
from .etag import etag_of
from .tokens import ExpiringTokenAuthentication


class SafeJSONParser(JSONParser):
    """A body nested ten thousand levels deep, or holding a lone UTF-16 surrogate
    (`"\\ud800"`, valid JSON but not text any database or answer can hold), is a
    broken body (400), not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            _refuse_surrogates(data)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        return data


def _refuse_surrogates(value) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError("JSON parse error - a string is not valid Unicode.") from error
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key)
            _refuse_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_surrogates(item)


class RolePermission(permissions.BasePermission):
    """The view's `policy` (its app's access table) says whether the caller's role
    may ever do the action; anyone else gets 403. Whether the object is in the
    caller's scope is the queryset's business (404)."""

    message = "Your role may not do this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        verb = view.verb_for(request)
        return verb is None or view.policy is None or view.policy.may(user, verb)


# --- the OpenAPI description of the errors (API.md, Errors) ------------------------

ValidationErrors = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Validation: `{"field": ["message"]}`, naming every bad field '
    '(for nested lists, the item); or `{"detail"}` for a broken body.',
)


def _detail(name: str, description: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=inline_serializer(name, fields={"detail": serializers.CharField()}),
        description=description,
    )


ConflictBody = inline_serializer(
    "ConflictError",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.ChoiceField(
            choices=["conflict", "locked", "invalid_transition", "duplicate"]
        ),
        "conflicts": serializers.ListField(
            child=inline_serializer(
                "ConflictItem",
                fields={
                    "appointment": serializers.CharField(),
                    "start": serializers.DateTimeField(),
                    "end": serializers.DateTimeField(),
                    "with": serializers.ChoiceField(choices=["therapist", "patient", "room"]),
                    "occurrence": serializers.DateTimeField(required=False),
                    "suggestions": serializers.ListField(
                        child=inline_serializer(
                            "FreeStart",
                            fields={
                                "start": serializers.DateTimeField(),
                                "end": serializers.DateTimeField(),
                            },
                        ),
                        required=False,
                    ),
                },
            ),
            required=False,
        ),
        # a `duplicate`: the patients already registered that look the same
        "candidates": serializers.ListField(
            child=inline_serializer(
                "DuplicateCandidate",
                fields={
                    "id": serializers.CharField(),
                    "first_name": serializers.CharField(),
                    "last_name": serializers.CharField(),
                    "date_of_birth": serializers.DateField(),
                },
            ),
            required=False,
        ),
    },
)
ERRORS = {
    "400": ValidationErrors,
    "401": _detail("NotAuthenticatedError", "Not signed in."),
    "403": _detail("ForbiddenError", "The role may not do this at all."),
    "404": _detail("NotFoundError", "Missing, or outside the caller's scope."),
    "409": OpenApiResponse(ConflictBody, description="Clashes with the current state."),
    "412": _detail("PreconditionFailedError", "If-Match no longer matches."),
    "415": _detail("UnsupportedMediaTypeError", "Send JSON."),
    "422": _detail("IdempotencyKeyReusedError", "The key came with another body before."),
    "429": _detail("TooManyRequestsError", "Too many failed sign-ins; wait, or ask the manager."),
}


class ClinicAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["409", "415"]
        if self.method in ("PUT", "PATCH"):
            codes.append("412")
        if self.method == "POST":
            codes.append("422")
        return codes

    def _map_basic_serializer(self, serializer, direction):
        # a full read serializer shares its component with the front desk's status
        # serializer: its clinical fields may be absent (Meta.schema_optional_fields)
        schema = super()._map_basic_serializer(serializer, direction)
        optional = getattr(getattr(serializer, "Meta", None), "schema_optional_fields", ())
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code, None, direction)
        return responses

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    description="Repeat a POST safely: the same key answers the first response.",
                )
            )
        if self.method in ("PUT", "PATCH"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you read; a stale one is a 412.",
                )
            )
        if not self._is_list_view():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=["200", "201"],
                    description="The record's version, for If-Match.",
                )
            )
        return parameters


# --- the base of every view --------------------------------------------------------


class ClinicAPIMixin:
    """Thin views share this: roles, the request's transaction, idempotency, ETag."""

    # Token first: its `WWW-Authenticate` makes "not signed in" a 401 (API.md), not a 403
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [RolePermission]
    parser_classes = [SafeJSONParser]
    schema = ClinicAutoSchema()
    # the app's access table (clinic/access.py), and the verb of each action
    # (or HTTP method, lower case, for plain views) where it is not the same word
    policy = None
    verbs: dict = {}
    DEFAULT_VERBS = {"list": "read", "retrieve": "read", "partial_update": "update"}
    atomic_request = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, built without a user
            return self.model.objects.none()
        return self.scoped_queryset(self.request.user)

    def scoped_queryset(self, user):
        """The rows `user` may see: `visible_to(user)` plus what the list needs."""
        return super().get_queryset()

    @property
    def role(self):
        return getattr(self.request.user, "role", None)

    @property
    def reading(self) -> bool:
        """Reads may use a break-the-glass grant; writes never do."""
        return self.request.method in permissions.SAFE_METHODS

    def verb_for(self, request) -> str | None:
        method = request.method.lower().replace("head", "get")
        if method == "options" or not hasattr(self, method):
            # OPTIONS only describes; a method the endpoint lacks is DRF's 405
            return None
        action = getattr(self, "action", None) or method
        return self.verbs.get(action) or self.DEFAULT_VERBS.get(action, action)

    def dispatch(self, request, *args, **kwargs):
        # Reads write their audit event and POSTs their idempotency key in the
        # same transaction as the work; a refused request rolls all of it back.
        if not self.atomic_request:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if any("\x00" in value for value in request.query_params.values()):
            # PostgreSQL cannot hold a NUL character; the client sent nonsense
            raise ParseError("A query parameter holds a NUL character.")
        self.idempotency_key = idempotency.begin(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return Response(exc.body, status=exc.status, headers={"Idempotent-Replayed": "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "idempotency_key", None)
        if key is not None and 200 <= response.status_code < 300:
            idempotency.finish(key, response)
        elif response.status_code >= 400 and self.atomic_request:
            transaction.set_rollback(True)
        return response

    def detail_response(self, obj, serializer_class=None, status=200) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status, headers={"ETag": etag_of(obj)})

    def get_serializer_context(self):
        return {"request": self.request, "view": self}


class AuditedReadMixin:
    """Every read of a clinical record leaves an audit event (API.md, Audit), in
    the request's transaction: one INSERT for a page of a list."""

    audit_read_action = ""

    def audit_patient_of(self, obj):
        return obj.patient_id

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        record_many(
            actor=request.user,
            action=self.audit_read_action,
            targets=page,
            patient_of=self.audit_patient_of,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self.audit_read(obj)
        return self.detail_response(obj)

    def audit_read(self, obj, action=None):
        record_many(
            actor=self.request.user,
            action=action or self.audit_read_action,
            targets=[obj],
            patient_of=self.audit_patient_of,
        )


def plain_data(validated: dict) -> dict:
    """A serializer's output as the plain dicts and lists the services take."""
    return {
        key: [dict(item) if isinstance(item, dict) else item for item in value]
        if isinstance(value, list)
        else value
        for key, value in validated.items()
    }
