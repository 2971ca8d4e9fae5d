"""How the OpenAPI schema describes what every API view shares (API.md, General):
the error answers with their bodies, the headers (Idempotency-Key, If-Match,
ETag, Retry-After), responses whose every field is present, and the front
desk's status-only views as their own, closed components. A client generated
from the schema should be able to trust each of these statements."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers

from . import idempotency
from .api_reference import OPERATIONS

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _body(name: str, fields: dict, **kwargs) -> serializers.Serializer:
    """An error body, described only: its fields declared `required=False` may be
    absent (every other answer carries each field its serializer has)."""
    meta = type("Meta", (), {"schema_partial": True})
    return type(name, (serializers.Serializer,), {**fields, "Meta": meta})(**kwargs)


def _detail(name: str, description: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=_body(name, fields={"detail": serializers.CharField()}),
        description=description,
    )


ValidationErrors = OpenApiResponse(
    response=_body(
        "ValidationError",
        fields={
            "detail": serializers.CharField(required=False, help_text="A broken body."),
            "non_field_errors": serializers.ListField(
                child=serializers.CharField(), required=False, help_text="About no one field."
            ),
        },
    ),
    description='Validation: `{"field": ["message"]}`, naming every bad field (for nested '
    'lists, the item: `{"areas": [{}, {"region": ["..."]}]}`); or `{"detail"}` for a '
    "broken body.",
)
# every item of a clash: the conflicting visit, and the free starts nearest it
ConflictItem = _body(
    "ConflictItem",
    fields={
        "appointment": serializers.UUIDField(),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        "with": serializers.ChoiceField(choices=["therapist", "patient", "room"]),
        "occurrence": serializers.DateTimeField(
            required=False, help_text="A series' clashing occurrence (series only)."
        ),
        "suggestions": serializers.ListField(
            child=_body(
                "FreeStart",
                fields={"start": serializers.DateTimeField(), "end": serializers.DateTimeField()},
            ),
            help_text="Up to three free starts of the same length that day, nearest first.",
        ),
    },
)
DuplicateCandidate = _body(
    "DuplicateCandidate",
    fields={
        "id": serializers.UUIDField(),
        "first_name": serializers.CharField(),
        "last_name": serializers.CharField(),
        "date_of_birth": serializers.DateField(),
    },
)
ConflictBody = _body(
    "ConflictError",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.ChoiceField(
            choices=["conflict", "locked", "invalid_transition", "duplicate", "consent_missing"],
            help_text="conflict: clashes with an existing record; locked: a signed record; "
            "invalid_transition: not from the current status; duplicate: the patient looks "
            "registered already; consent_missing: no signed consent to treatment.",
        ),
        "conflicts": serializers.ListField(
            child=ConflictItem,
            required=False,
            help_text="A double booking: every clash (code `conflict` only).",
        ),
        "candidates": serializers.ListField(
            child=DuplicateCandidate,
            required=False,
            help_text="The patients already registered who look the same (code `duplicate`); "
            'send `"confirm_new": true` to register a new one all the same.',
        ),
        "precautions": serializers.ListField(
            child=serializers.UUIDField(),
            required=False,
            help_text="The stop flags that refuse a session note until the doctor clears them.",
        ),
    },
)
ERRORS = {
    "400": ValidationErrors,
    "401": _detail("NotAuthenticatedError", "Not signed in, or the token is not valid."),
    "403": _detail("ForbiddenError", "The role may not do this at all."),
    "404": _detail("NotFoundError", "Missing, or outside the caller's scope."),
    "406": _detail("NotAcceptableError", "The `Accept` header asks for what is not offered."),
    "409": OpenApiResponse(ConflictBody, description="Clashes with the current state."),
    "410": _detail("LinkGoneError", "The sign-in link was used, has expired or is locked."),
    "412": _detail("PreconditionFailedError", "If-Match no longer matches; nothing changed."),
    "413": _detail("PayloadTooLargeError", "The body is larger than the server accepts."),
    "415": _detail("UnsupportedMediaTypeError", "Send JSON."),
    "422": _detail("IdempotencyKeyReusedError", "The key came with another body before."),
    "429": _detail("TooManyRequestsError", "Too many requests: wait `Retry-After` seconds."),
}


def role_dependent(name: str, full, status_only, many=False) -> PolymorphicProxySerializer:
    """A record that the front desk receives as its status fields only: the answer
    is one of the two components, so a clinician's client gets the clinical fields
    as required ones. The status component is closed (no other property), which
    keeps the two apart for a validator."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[full, status_only],
        resource_type_field_name=None,
        many=many,
    )


def read_as_role_dependent(name: str, full, status_only) -> dict:
    """For extend_schema_view: list and retrieve answer the front desk the status
    fields only, everyone else the full record."""
    return {
        "list": extend_schema(responses=role_dependent(name, full, status_only, many=True)),
        "retrieve": extend_schema(responses=role_dependent(name, full, status_only)),
    }


class ClinicAutoSchema(AutoSchema):
    def get_summary(self):
        doc = OPERATIONS.get(self.get_operation_id())
        return doc.summary if doc else None

    def get_description(self):
        # never a view's docstring: those are written for the code's readers
        doc = OPERATIONS.get(self.get_operation_id())
        return doc.description if doc else ""

    def _authenticated(self) -> bool:
        # as the operation declares it: signing in (`auth=[]`) takes no credentials,
        # so it can answer neither 401 nor 403
        return any(self.get_auth())

    def _takes_idempotency_key(self) -> bool:
        # the patient's side keeps no keys (its writes are safe to repeat)
        return (
            self.method == "POST"
            and self._authenticated()
            and getattr(self.view, "takes_idempotency_key", True)
        )

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    def _error_codes(self) -> list[str]:
        codes = ["400", "406"]
        if self._authenticated():
            codes += ["401", "403"]
        if (
            "{" in self.path
            or (self._is_list_view() and self._get_paginator())
            or self._get_format_parameters()
        ):
            # a record outside the caller's scope, a page past the last, or a
            # `?format=` no renderer of the view knows (DRF's own 404)
            codes.append("404")
        if self._has_body():
            codes.append("415")
        if self.method in WRITES:
            codes += ["413", "429"]  # any body may be too large, even one not read
        if self.method in WRITES and self._authenticated():
            codes.append("409")
        if self._checks_if_match():
            codes.append("412")
        if self._takes_idempotency_key():
            codes.append("422")
        return codes

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        meta = getattr(serializer, "Meta", None)
        partial = getattr(meta, "schema_partial", False)
        if direction == "response" and schema.get("properties") and not partial:
            # a serializer renders every field it has, null or not
            schema["required"] = list(schema["properties"])
        if getattr(meta, "schema_closed", False):
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code, None, direction)
        return responses

    def _answers_a_file(self) -> bool:
        # a PDF, an 837P, a document's content: the file, not a record
        declared = self.get_response_serializers()
        return isinstance(declared, dict) and any(
            isinstance(code, tuple) and "json" not in code[1] for code in declared
        )

    def _checks_if_match(self) -> bool:
        # an edit compares If-Match with the record's version; a record without one
        # (an exercise, the patient's own details in the portal) takes none, and the
        # schema does not promise a 412 it never answers
        return self.method in ("PUT", "PATCH") and getattr(self.view, "checks_if_match", True)

    def _answers_etag(self) -> bool:
        # a view of records answers one with its ETag (detail_response); the token
        # and "me" are no records, a file is none either
        of_records = getattr(self.view, "model", None) or getattr(self.view, "queryset", None)
        return (
            of_records is not None
            and getattr(self.view, "answers_etag", True)
            and not self._is_list_view()
            and not self._answers_a_file()
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._takes_idempotency_key():
            parameters.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    description="Repeat a POST safely: the same key answers the first "
                    "response again (with `Idempotent-Replayed: true`); another body "
                    "under the same key is a 422. Keys are kept a day.",
                )
            )
        if self._checks_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you read; a stale one is a 412 and changes nothing.",
                )
            )
        if self._answers_etag():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=["200", "201"],
                    description="The record's version, for If-Match.",
                )
            )
        if self.method in WRITES:
            parameters.append(
                OpenApiParameter(
                    "Retry-After",
                    int,
                    OpenApiParameter.HEADER,
                    response=["429"],
                    description="Seconds to wait before trying again.",
                )
            )
        return parameters
