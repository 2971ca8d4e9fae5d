"""FHIR's own JSON media type (`application/fhir+json`, FHIR R4 http.html#mime-type),
for the export's clients: asked for in `Accept`, it is what the answer carries;
sent as a body's `Content-Type`, it parses as JSON."""

from rest_framework.renderers import JSONRenderer

from clinic.api_base import SafeJSONParser

FHIR_JSON = "application/fhir+json"


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirJSONParser(SafeJSONParser):
    media_type = FHIR_JSON
