"""API.md, Schema: the OpenAPI document says what the API does, precisely
enough for a generated client to trust it: request bodies on writes, exact
types, the front desk's status-only views apart, every status with its body."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

# writes that take no input: a transition named by its URL
NO_INPUT = {
    "/api/v1/auth/logout/",
    "/api/v1/auth/logout-all/",
    "/api/v1/appointments/{id}/check-in/",
    "/api/v1/appointments/{id}/no-show/",
    "/api/v1/referrals/{id}/sign/",
    "/api/v1/referrals/{id}/complete/",
    "/api/v1/treatment-plans/{id}/propose/",
    "/api/v1/session-notes/{id}/sign/",
    "/api/v1/progress-reports/{id}/sign/",
    "/api/v1/progress-reports/{id}/send/",
    "/api/v1/appointments/{id}/revert/",
    "/api/v1/claims/{id}/submit/",
    "/api/v1/claims/{id}/secondary/",
    "/api/v1/treatment-plans/{id}/request-signature/",
    # the patient's side (API.md): the link goes by the patient's own channel; a
    # visit is confirmed or cancelled, a stretch logged done, by naming it
    "/api/v1/patients/{id}/invite/",
    "/api/v1/portal/appointments/{id}/confirm/",
    "/api/v1/portal/appointments/{id}/cancel/",
    "/api/v1/portal/home-programme/{id}/done/",
    # the waitlist: the desk books an offered slot for its patient by naming the offer
    "/api/v1/waitlist-offers/{id}/accept/",
}
# resources changed by PATCH alone, never replaced (API.md, The patient's side:
# "`PATCH` changes contact and reminder preferences")
PATCH_ONLY = {"/api/v1/portal/me/"}
# edits of what has no version to compare: they take no If-Match, so no 412 is
# promised (the patient's own details; an exercise of the library)
TAKES_NO_IF_MATCH = {"/api/v1/portal/me/", "/api/v1/exercises/{id}/"}
# properties that name a record: always an opaque UUID (API.md, General: `id`)
REFERENCES = {
    "id",
    "patient",
    "doctor",
    "therapist",
    "plan",
    "referral",
    "appointment",
    "series",
    "actor",
    "author",
    "recorded_by",
    "raised_by",
    "cleared_by",
    "acknowledged_by",
    "renewal_of",
}
# the few such properties that are not a record's id, each said so in the schema
NOT_REFERENCES = {
    # the health-history form's questions are fixed, named by stable slugs that key
    # the answers (API.md: `{"answers": {id: value}}`)
    ("IntakeQuestion", "id"),
    # a questionnaire due is a plan's measure, not a stored record: an opaque id
    ("Questionnaire", "id"),
    # the patient reads their therapist's name; staff ids are for staff clients
    ("PortalVisit", "therapist"),
}
# API.md, Roles: "the whole of what the front desk receives"
REFERRAL_STATUS_FIELDS = {
    "id",
    "patient",
    "doctor",
    "status",
    "signed_at",
    "visits_prescribed",
    "visits_used",
    "visits_remaining",
    "frequency_per_week",
    "valid_until",
}
PLAN_STATUS_FIELDS = {
    "id",
    "referral",
    "patient",
    "therapist",
    "status",
    "frequency_per_week",
    "planned_visits",
    "start_date",
}


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _component(schema, ref_holder):
    return schema["components"]["schemas"][ref_holder["$ref"].rsplit("/", 1)[-1]]


def _json_body(operation, code):
    return operation["responses"][code]["content"]["application/json"]["schema"]


def test_the_schema_validates_without_a_single_warning(tmp_path):
    # `--fail-on-warn` turns any guess drf-spectacular had to make into a failure
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_every_write_that_takes_input_describes_its_body(schema):
    for path, method, operation in _operations(schema):
        if method in ("POST", "PUT", "PATCH") and path not in NO_INPUT:
            assert "requestBody" in operation, f"{method} {path} has no request body"


def test_each_patch_takes_its_resources_fields_all_optional(schema):
    patches = [(p, o) for p, m, o in _operations(schema) if m == "PATCH"]
    assert len(patches) >= 6
    for path, operation in patches:
        body = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
        assert body["properties"], path
        assert not body.get("required"), f"PATCH {path} requires {body.get('required')}"
        if path in PATCH_ONLY:
            # no PUT to match: fields of the resource the GET answers, never others
            read = _component(schema, _json_body(schema["paths"][path]["get"], "200"))
            assert set(body["properties"]) <= set(read["properties"]), path
            continue
        # the same fields as the PUT's, the write serializer's, never the read one's
        put = schema["paths"][path]["put"]["requestBody"]["content"]["application/json"]
        assert set(body["properties"]) == set(_component(schema, put["schema"])["properties"])


def test_every_reference_and_id_is_a_uuid(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop, described in component.get("properties", {}).items():
            if prop in REFERENCES and (name, prop) not in NOT_REFERENCES:
                assert described.get("format") == "uuid", f"{name}.{prop} is {described}"
    for name, prop in NOT_REFERENCES:
        assert schema["components"]["schemas"][name]["properties"][prop]["description"]


def test_every_answer_lists_its_fields_as_required(schema):
    # a serializer renders each of its fields, null or not; only the error bodies
    # have parts that appear now and then
    sometimes = {"ConflictError", "ConflictItem", "ValidationError"}
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or name in sometimes or "properties" not in component:
            continue
        missing = set(component["properties"]) - set(component.get("required", []))
        assert not missing, f"{name}: {missing} optional"


def test_the_front_desk_gets_its_own_closed_components_and_clinicians_the_full_ones(schema):
    plans = ("/api/v1/treatment-plans/{id}/", "TreatmentPlan", "TreatmentPlanStatus")
    for path, full_name, status_name, fields in (
        ("/api/v1/referrals/{id}/", "Referral", "ReferralStatus", REFERRAL_STATUS_FIELDS),
        (*plans, PLAN_STATUS_FIELDS),
    ):
        answer = _component(schema, _json_body(schema["paths"][path]["get"], "200"))
        refs = [one["$ref"].rsplit("/", 1)[-1] for one in answer["oneOf"]]
        assert refs == [full_name, status_name]
        components = schema["components"]["schemas"]
        status_only, full = components[status_name], components[full_name]
        assert set(status_only["properties"]) == fields
        assert status_only["additionalProperties"] is False
        # the clinical fields are not optional for a doctor's client
        assert set(full["required"]) == set(full["properties"]) > fields


def test_enums_are_enums(schema):
    components = schema["components"]["schemas"]
    for name, prop in (
        ("Reminder", "status"),
        ("ReferralStatus", "status"),
        ("ProgressSession", "response"),
        ("PrecautionFlagRead", "rule"),
    ):
        assert "$ref" in str(components[name]["properties"][prop]), f"{name}.{prop}"
    assert "$ref" in str(components["Progress"]["properties"]["flags"]["items"])
    assert components["Reminder"]["properties"]["sent_at"]["nullable"] is True


def test_every_status_the_api_can_answer_is_documented_with_a_body(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        expected = {"400", "406"}
        # no security at all (the document declares none globally): signing in, with
        # a password or with a patient's link, takes no credentials to refuse
        if operation.get("security") not in (None, [{}]):
            expected |= {"401", "403"}
        if method in ("POST", "PUT", "PATCH"):
            expected |= {"413", "429"} | ({"415"} if "requestBody" in operation else set())
        if method in ("PUT", "PATCH"):
            expected |= {"409"} | ({"412"} if path not in TAKES_NO_IF_MATCH else set())
        assert expected <= codes, f"{method} {path} lacks {expected - codes}"
        for code, answer in operation["responses"].items():
            if code >= "400":
                assert "application/json" in answer.get("content", {}), f"{method} {path} {code}"
        if "429" in codes:
            assert "Retry-After" in operation["responses"]["429"].get("headers", {})


def test_detail_answers_declare_their_etag(schema):
    for path in (
        "/api/v1/session-notes/{id}/",
        "/api/v1/treatment-plans/{id}/progress/",
        "/api/v1/patients/{id}/fhir/",
        "/api/v1/staff/{id}/",
    ):
        assert "ETag" in schema["paths"][path]["get"]["responses"]["200"]["headers"], path
    created = schema["paths"]["/api/v1/session-notes/{id}/addenda/"]["post"]["responses"]["201"]
    assert "ETag" in created["headers"]


def test_every_operation_has_a_summary_and_a_description_for_its_callers(schema):
    from clinic.api_reference import OPERATIONS

    ids = set()
    for path, method, operation in _operations(schema):
        ids.add(operation["operationId"])
        where = f"{method} {path} ({operation['operationId']}): add it to clinic/api_reference/"
        assert operation.get("summary"), where
        assert len(operation.get("description", "")) > 40, where
        words = operation["description"].lower()
        for internal in ("thin view", "serializer", "queryset", "transaction", "api.md", "mixin"):
            assert internal not in words, f"{where}: mentions {internal!r}"
    assert set(OPERATIONS) <= ids, f"words for no operation: {set(OPERATIONS) - ids}"


def test_an_edit_without_a_version_promises_no_412(schema):
    # the edits that never compare If-Match do not say they do
    for path, method, operation in _operations(schema):
        if method in ("PUT", "PATCH") and path in TAKES_NO_IF_MATCH:
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "412" not in operation["responses"] and "If-Match" not in names, path
