"""The doctor's supervision through the API (extensions of API.md): Dana writes
contraindication flags on her referral, Theo records structured findings and
raises a suspected DVT that Dana clears, Dana certifies Theo's plan for a
period, and Theo's progress report reaches Dana, who answers it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Precaution
from scheduling.models import AppointmentStatus
from sessions_log.models import ProgressReport
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
)
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db
V = "/api/v1/"


def _today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _referral_body(patient, **extra):
    return {
        "patient": str(patient.pk),
        "diagnoses": [{"code": "M54.2"}],
        "target_areas": [{"region": "neck", "side": "bilateral"}],
        "visits_prescribed": 10,
        "frequency_per_week": 2,
        "valid_until": _today(30),
        **extra,
    }


def _note_body(visit, **extra):
    return {
        "appointment": str(visit.pk),
        "pain_before": 6,
        "pain_after": 3,
        "response": "improved",
        "areas": [{"region": "neck", "side": "left", "minutes": 20}],
        **extra,
    }


def _flag(referral, kind, **fields):
    return Precaution.objects.create(
        patient=referral.patient,
        referral=referral,
        kind=kind,
        source="referral",
        raised_by=referral.doctor,
        **fields,
    )


FIRM = {"modalities": [{"modality": "trigger_point", "pressure": "firm"}]}
FINDINGS = {
    "pain": [{"region": "neck", "side": "left", "score": 6}],
    "muscle_tests": [{"muscle": "upper trapezius", "side": "left", "grade": 4}],
    "modalities": [{"modality": "trigger_point", "pressure": "medium"}],
}


# --- referrals: precaution_flags ------------------------------------------------------


def test_doctor_writes_precaution_flags_on_a_new_referral_and_reads_their_rules(
    api, doctor, patient
):
    # given Pat on anticoagulants and after knee surgery
    flags = [
        {"kind": "anticoagulants", "note": "Apixaban"},
        {"kind": "recent_surgery", "region": "knee", "side": "left"},
    ]
    # when Dana writes the referral with them
    response = api.as_(doctor).post(
        V + "referrals/", _referral_body(patient, precaution_flags=flags), format="json"
    )
    # then they come back with their rules
    assert response.status_code == 201, response.json()
    got = sorted(response.json()["precaution_flags"], key=lambda f: f["kind"])
    assert [(f["kind"], f["rule"], f["region"]) for f in got] == [
        ("anticoagulants", "modify", ""),
        ("recent_surgery", "avoid", "knee"),
    ]
    assert got[0]["note"] == "Apixaban"


def test_a_referral_written_without_flags_still_works_and_reads_an_empty_list(api, doctor, patient):
    # when Dana writes a referral the way API.md describes it
    response = api.as_(doctor).post(V + "referrals/", _referral_body(patient), format="json")
    # then nothing changed for her
    assert response.status_code == 201
    assert response.json()["precaution_flags"] == []


def test_an_avoid_flag_without_its_site_is_a_400_naming_the_item(api, doctor, patient):
    # given a surgery flag without the site, after a good one
    flags = [{"kind": "osteoporosis"}, {"kind": "recent_surgery"}]
    # when
    with nothing_written():
        response = api.as_(doctor).post(
            V + "referrals/", _referral_body(patient, precaution_flags=flags), format="json"
        )
    # then the second item is named
    assert response.status_code == 400
    errors = response.json()["precaution_flags"]
    assert errors[0] == {} and "region" in errors[1]


def test_an_unknown_flag_kind_is_a_400_naming_the_item(api, doctor, patient):
    flags = [{"kind": "dvt"}, {"kind": "sunburn"}]
    with nothing_written():
        response = api.as_(doctor).post(
            V + "referrals/", _referral_body(patient, precaution_flags=flags), format="json"
        )
    assert response.status_code == 400
    assert "kind" in response.json()["precaution_flags"][1]


def test_doctor_replaces_the_flags_of_her_draft(api, doctor, patient):
    # given a draft with one flag
    draft = ReferralFactory(patient=patient, doctor=doctor, draft=True)
    _flag(draft, "pregnancy")
    # when she sends another list
    response = api.as_(doctor).patch(
        f"{V}referrals/{draft.pk}/",
        {"precaution_flags": [{"kind": "fever", "note": "38.5 C"}]},
        format="json",
    )
    # then the draft holds the new list only
    assert response.status_code == 200, response.json()
    assert [f["kind"] for f in response.json()["precaution_flags"]] == ["fever"]
    assert list(draft.precaution_flags.values_list("kind", flat=True)) == ["fever"]


def test_flags_of_a_signed_referral_are_locked(api, doctor, referral):
    with nothing_written():
        response = api.as_(doctor).patch(
            f"{V}referrals/{referral.pk}/", {"precaution_flags": []}, format="json"
        )
    assert response.status_code == 409
    assert response.json()["code"] == "locked"


def test_front_desk_never_receives_the_flags_of_a_referral(api, front_desk, referral):
    # given a flag with a clinical note
    _flag(referral, "anticoagulants", note="Warfarin since March")
    # when the front desk reads the referral and the list
    client = api.as_(front_desk)
    detail = client.get(f"{V}referrals/{referral.pk}/")
    listed = client.get(V + "referrals/")
    # then neither carries the flags, nor their text
    assert detail.status_code == 200 and "precaution_flags" not in detail.json()
    assert "Warfarin" not in detail.content.decode() + listed.content.decode()


# --- session notes: findings ----------------------------------------------------------


@pytest.fixture
def started(plan):
    start = timezone.now() - timedelta(minutes=30)
    return AppointmentFactory(
        plan=plan, start=start, end=start + timedelta(minutes=45), status="checked_in"
    )


def test_therapist_logs_structured_findings_with_the_note(api, therapist, started):
    # when Theo logs the visit with findings
    response = api.as_(therapist).post(
        V + "session-notes/", _note_body(started, findings=FINDINGS), format="json"
    )
    # then they are kept and read back
    assert response.status_code == 201, response.json()
    assert response.json()["findings"] == FINDINGS


def test_a_bad_finding_is_a_400_naming_the_item(api, therapist, started):
    findings = {"pain": [{"region": "neck", "side": "left", "score": 6},
                         {"region": "neck", "side": "left", "score": 11}]}  # fmt: skip
    with nothing_written():
        response = api.as_(therapist).post(
            V + "session-notes/", _note_body(started, findings=findings), format="json"
        )
    assert response.status_code == 400
    errors = response.json()["findings"]["pain"]
    assert errors[0] == {} and "score" in errors[1]


def test_findings_that_are_not_an_object_are_a_400(api, therapist, started):
    with nothing_written():
        response = api.as_(therapist).post(
            V + "session-notes/", _note_body(started, findings=["pain"]), format="json"
        )
    assert response.status_code == 400
    assert "findings" in response.json()


def test_firm_pressure_under_a_modify_flag_is_refused_naming_the_modality(
    api, therapist, referral, started
):
    # given Pat on anticoagulants (a modify rule)
    _flag(referral, "anticoagulants")
    # when Theo logs firm trigger-point pressure
    with nothing_written():
        response = api.as_(therapist).post(
            V + "session-notes/", _note_body(started, findings=FIRM), format="json"
        )
    # then the modality is named with the reason
    assert response.status_code == 400
    message = response.json()["findings"]["modalities"][0]["pressure"][0]
    assert "Firm pressure is refused" in message


def test_correcting_a_draft_to_firm_pressure_under_a_modify_flag_is_refused(
    api, therapist, referral, plan
):
    # given Theo's draft note, and Pat on anticoagulants
    note = SessionNoteFactory(
        appointment=AppointmentFactory(
            plan=plan, start=timezone.now() - timedelta(hours=1), status="completed"
        )
    )
    _flag(referral, "anticoagulants")
    client = api.as_(therapist)
    # when he corrects it with firm pressure, then with medium
    with nothing_written():
        refused = client.patch(f"{V}session-notes/{note.pk}/", {"findings": FIRM}, format="json")
    fixed = client.patch(f"{V}session-notes/{note.pk}/", {"findings": FINDINGS}, format="json")
    # then the firm one is a 400 and the medium one is kept
    assert refused.status_code == 400
    assert fixed.status_code == 200 and fixed.json()["findings"] == FINDINGS


def test_findings_of_a_signed_note_are_locked(api, therapist, plan):
    note = SessionNoteFactory(
        appointment=AppointmentFactory(
            plan=plan, start=timezone.now() - timedelta(hours=1), status="completed"
        ),
        signed_at=timezone.now(),
    )
    with nothing_written():
        response = api.as_(therapist).patch(
            f"{V}session-notes/{note.pk}/", {"findings": FINDINGS}, format="json"
        )
    assert response.status_code == 409 and response.json()["code"] == "locked"


# --- treatment plans: certification ---------------------------------------------------


@pytest.fixture
def proposed(doctor, patient, therapist):
    return TreatmentPlanFactory(
        referral=ReferralFactory(patient=patient, doctor=doctor),
        therapist=therapist,
        status="proposed",
    )


def test_doctor_approves_a_plan_for_the_days_she_certifies(api, doctor, proposed):
    # when Dana approves Theo's plan for 30 days
    response = api.as_(doctor).post(
        f"{V}treatment-plans/{proposed.pk}/approve/", {"certify_days": 30}, format="json"
    )
    # then it is certified to the 30th day, counting today
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["certified_until"] == _today(29)


def test_approving_without_a_body_certifies_the_longest_period(api, doctor, proposed, settings):
    response = api.as_(doctor).post(f"{V}treatment-plans/{proposed.pk}/approve/")
    assert response.status_code == 200
    longest = settings.PLAN_CERTIFICATION_MAX_DAYS
    assert response.json()["certified_until"] == _today(longest - 1)


@pytest.mark.parametrize("days", [0, 10_000, "soon"])
def test_a_certification_period_out_of_range_is_a_400_naming_it(api, doctor, proposed, days):
    with nothing_written():
        response = api.as_(doctor).post(
            f"{V}treatment-plans/{proposed.pk}/approve/", {"certify_days": days}, format="json"
        )
    assert response.status_code == 400
    assert "certify_days" in response.json()
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_front_desk_reads_no_certification_of_a_plan(api, front_desk, plan):
    response = api.as_(front_desk).get(f"{V}treatment-plans/{plan.pk}/")
    assert response.status_code == 200 and "certified_until" not in response.json()


# --- progress reports -----------------------------------------------------------------

REPORT = {"summary": "Neck pain 6 -> 3 in ten visits.", "recommendation": "continue"}


@pytest.fixture
def completed_visits(plan):
    start = timezone.now() - timedelta(days=3)
    for i in range(2):
        SessionNoteFactory(
            appointment=AppointmentFactory(
                plan=plan, start=start + timedelta(days=i), status=AppointmentStatus.COMPLETED
            )
        )


@pytest.fixture
def report(plan, therapist, completed_visits):
    from sessions_log import reports

    return reports.write_progress_report(plan=plan, by=therapist, data=REPORT)


def test_therapist_writes_signs_and_sends_a_progress_report(api, therapist, plan, completed_visits):
    client = api.as_(therapist)
    # when Theo writes, corrects, signs and sends the report
    created = client.post(V + "progress-reports/", {"plan": str(plan.pk), **REPORT}, format="json")
    url = f"{V}progress-reports/{created.json()['id']}/"
    edited = client.patch(url, {"recommendation_note": "Two more weeks."}, format="json")
    signed = client.post(url + "sign/")
    sent = client.post(url + "send/")
    # then each step answers the report in its new status
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft" and created.json()["visits_covered"] == 2
    assert created.json()["patient"] == str(plan.patient_id)
    assert created.json()["snapshot"]["progress"]["visits_completed"] == 2
    assert edited.status_code == 200 and edited.json()["recommendation_note"] == "Two more weeks."
    assert signed.json()["status"] == "signed" and signed.json()["signed_at"]
    assert sent.status_code == 200 and sent.json()["status"] == "sent"


def test_a_report_without_summary_or_recommendation_is_a_400_naming_both(api, therapist, plan):
    with nothing_written():
        response = api.as_(therapist).post(
            V + "progress-reports/", {"plan": str(plan.pk), "summary": ""}, format="json"
        )
    assert response.status_code == 400
    assert {"summary", "recommendation"} <= set(response.json())


def test_a_report_on_a_plan_not_approved_is_a_400_naming_the_plan(api, therapist, proposed):
    with nothing_written():
        response = api.as_(therapist).post(
            V + "progress-reports/", {"plan": str(proposed.pk), **REPORT}, format="json"
        )
    assert response.status_code == 400 and "plan" in response.json()


def test_another_therapists_plan_is_a_400_naming_the_plan(api, other_therapist, plan):
    with nothing_written():
        response = api.as_(other_therapist).post(
            V + "progress-reports/", {"plan": str(plan.pk), **REPORT}, format="json"
        )
    assert response.status_code == 400 and "plan" in response.json()


def test_a_signed_report_is_locked_and_signing_twice_is_an_invalid_transition(
    api, therapist, report
):
    client = api.as_(therapist)
    url = f"{V}progress-reports/{report.pk}/"
    client.post(url + "sign/")
    assert client.patch(url, {"summary": "Changed."}, format="json").json()["code"] == "locked"
    with nothing_written():
        again = client.post(url + "sign/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_stale_if_match_on_a_report_is_a_412(api, therapist, report):
    with nothing_written():
        response = api.as_(therapist).patch(
            f"{V}progress-reports/{report.pk}/",
            {"summary": "x"},
            format="json",
            HTTP_IF_MATCH='"99"',
        )
    assert response.status_code == 412


def test_doctor_acknowledges_a_report_and_the_plan_is_recertified(api, doctor, therapist, report):
    # given Theo signed the report
    api.as_(therapist).post(f"{V}progress-reports/{report.pk}/sign/")
    # when Dana answers "continue" for 20 more days
    response = api.as_(doctor).post(
        f"{V}progress-reports/{report.pk}/acknowledge/",
        {"decision": "continue", "certify_days": 20},
        format="json",
    )
    # then the report is acknowledged and the plan certified on
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "acknowledged" and body["decision"] == "continue"
    assert body["acknowledged_by"] == str(doctor.pk)
    report.plan.refresh_from_db()
    assert report.plan.certified_until is not None


def test_asking_for_a_change_without_saying_what_is_a_400_naming_the_note(
    api, doctor, therapist, report
):
    api.as_(therapist).post(f"{V}progress-reports/{report.pk}/sign/")
    with nothing_written():
        response = api.as_(doctor).post(
            f"{V}progress-reports/{report.pk}/acknowledge/", {"decision": "change"}, format="json"
        )
    assert response.status_code == 400 and "note" in response.json()


def test_acknowledging_a_draft_is_an_invalid_transition(api, doctor, report):
    with nothing_written():
        response = api.as_(doctor).post(
            f"{V}progress-reports/{report.pk}/acknowledge/",
            {"decision": "end", "discharge_summary": "Goals met."},
            format="json",
        )
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "role, expected",
    [("doctor", 200), ("other_doctor", 404), ("therapist", 200), ("other_therapist", 404),
     ("front_desk", 403), ("manager", 200)],
)  # fmt: skip
def test_a_report_is_read_within_the_plans_scope(request, api, report, role, expected):
    response = api.as_(request.getfixturevalue(role)).get(f"{V}progress-reports/{report.pk}/")
    assert response.status_code == expected
    if expected != 200:
        assert "Neck pain" not in response.content.decode()


def test_the_report_list_is_empty_for_another_doctor_and_403_for_the_front_desk(
    api, report, other_doctor, front_desk
):
    assert api.as_(other_doctor).get(V + "progress-reports/").json()["count"] == 0
    refused = api.as_(front_desk).get(V + "progress-reports/")
    assert refused.status_code == 403 and "Neck pain" not in refused.content.decode()


@pytest.mark.parametrize(
    "role, action, expected",
    [("doctor", "sign/", 403), ("manager", "sign/", 403), ("therapist", "acknowledge/", 403),
     ("other_doctor", "acknowledge/", 404), ("other_therapist", "sign/", 404)],
)  # fmt: skip
def test_only_the_author_signs_and_only_the_referring_doctor_acknowledges(
    request, api, report, role, action, expected
):
    response = api.as_(request.getfixturevalue(role)).post(
        f"{V}progress-reports/{report.pk}/{action}", {"decision": "continue"}, format="json"
    )
    assert response.status_code == expected


def test_reading_a_report_leaves_an_audit_event(api, doctor, report):
    from clinic.models import AuditEvent

    api.as_(doctor).get(f"{V}progress-reports/{report.pk}/")
    assert AuditEvent.objects.filter(action="report.read", actor=doctor).count() == 1


# --- precautions: findings and clearance ----------------------------------------------


def test_therapist_raises_a_dvt_finding_that_stops_treatment_until_the_doctor_clears_it(
    api, doctor, therapist, patient, started
):
    # given Theo suspects a DVT in Pat's left calf
    finding = api.as_(therapist).post(
        V + "precautions/",
        {"patient": str(patient.pk), "kind": "dvt", "region": "calf", "side": "left",
         "note": "Warm swollen calf."},
        format="json",
    )  # fmt: skip
    assert finding.status_code == 201, finding.json()
    assert finding.json()["rule"] == "stop" and finding.json()["source"] == "finding"
    # when he tries to log the visit, then the gate stops him
    with nothing_written():
        stopped = api.as_(therapist).post(V + "session-notes/", _note_body(started), format="json")
    assert stopped.status_code == 409
    assert stopped.json()["precautions"] == [finding.json()["id"]]
    # and Dana sees it waiting, clears it
    waiting = api.as_(doctor).get(V + "precautions/?waiting=true").json()
    assert [p["id"] for p in waiting["results"]] == [finding.json()["id"]]
    cleared = api.as_(doctor).post(
        f"{V}precautions/{finding.json()['id']}/clear/", {"note": "Duplex negative."}
    )
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["cleared_by"] == str(doctor.pk)
    assert cleared.json()["clearance_note"] == "Duplex negative."
    # then the visit can be logged
    logged = api.as_(therapist).post(V + "session-notes/", _note_body(started), format="json")
    assert logged.status_code == 201
    assert api.as_(doctor).get(V + "precautions/?waiting=true").json()["count"] == 0


def test_clearing_twice_is_an_invalid_transition(api, doctor, referral):
    flag = _flag(referral, "fever")
    client = api.as_(doctor)
    client.post(f"{V}precautions/{flag.pk}/clear/")
    with nothing_written():
        again = client.post(f"{V}precautions/{flag.pk}/clear/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_finding_at_an_avoided_site_without_the_site_is_a_400_naming_region(
    api, therapist, patient, plan
):
    with nothing_written():
        response = api.as_(therapist).post(
            V + "precautions/", {"patient": str(patient.pk), "kind": "open_wound"}, format="json"
        )
    assert response.status_code == 400 and "region" in response.json()


def test_a_finding_for_a_patient_outside_the_scope_is_a_400_naming_the_patient(
    api, other_doctor, patient
):
    # Otto shares the directory with Dana, but Pat's clinical record is not his
    with nothing_written():
        response = api.as_(other_doctor).post(
            V + "precautions/", {"patient": str(patient.pk), "kind": "fever"}, format="json"
        )
    assert response.status_code == 400 and "patient" in response.json()


def test_a_draft_referrals_flags_are_not_precautions_in_effect(api, doctor, patient):
    draft = ReferralFactory(patient=patient, doctor=doctor, draft=True)
    flag = _flag(draft, "dvt")
    assert api.as_(doctor).get(V + "precautions/").json()["count"] == 0
    assert api.as_(doctor).get(f"{V}precautions/{flag.pk}/").status_code == 404


@pytest.mark.parametrize(
    "role, detail, clear",
    [("doctor", 200, 200), ("other_doctor", 404, 404), ("therapist", 200, 403),
     ("other_therapist", 404, 403), ("front_desk", 403, 403), ("manager", 200, 403)],
)  # fmt: skip
def test_precautions_are_read_in_the_patients_scope_and_cleared_by_her_doctor(
    request, api, referral, plan, role, detail, clear
):
    # given a fever flag on Dana's signed referral, with a clinical note
    flag = _flag(referral, "fever", note="39 C this morning")
    client = api.as_(request.getfixturevalue(role))
    # when each of the cast reads it and tries to clear it
    read = client.get(f"{V}precautions/{flag.pk}/")
    cleared = client.post(f"{V}precautions/{flag.pk}/clear/")
    # then
    assert (read.status_code, cleared.status_code) == (detail, clear)
    if detail != 200:
        assert "39 C" not in read.content.decode() + cleared.content.decode()


def test_front_desk_may_not_list_or_raise_precautions(api, front_desk, patient, referral):
    _flag(referral, "fever", note="39 C this morning")
    client = api.as_(front_desk)
    listed = client.get(V + "precautions/")
    raised = client.post(
        V + "precautions/", {"patient": str(patient.pk), "kind": "fever"}, format="json"
    )
    assert (listed.status_code, raised.status_code) == (403, 403)
    assert "39 C" not in listed.content.decode()


# --- constant query counts ------------------------------------------------------------


def _add_supervised(count, *, doctor, therapist):
    """`count` patients of Dana's, each with a plan of Theo's, a progress report
    and two precautions (a referral flag and a finding)."""
    from sessions_log.models import ProgressReport as Report

    for _ in range(count):
        referral = ReferralFactory(patient=PatientFactory(created_by=doctor), doctor=doctor)
        plan = TreatmentPlanFactory(referral=referral, therapist=therapist)
        _flag(referral, "anticoagulants")
        Precaution.objects.create(
            patient=referral.patient, kind="fever", source="finding", raised_by=therapist
        )
        Report.objects.create(
            plan=plan, author=therapist, visits_covered=10, summary="s", recommendation="continue"
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize(
    "path, role",
    [("progress-reports/", "doctor"), ("progress-reports/", "therapist"),
     ("progress-reports/", "manager"), ("precautions/", "doctor"),
     ("precautions/", "therapist"), ("precautions/", "manager"),
     ("referrals/", "doctor")],
)  # fmt: skip
def test_the_new_lists_cost_the_same_for_2_rows_and_25(
    request, api, django_assert_num_queries, doctor, therapist, path, role
):
    # given two of each, and what a page of them costs
    client = api.as_(request.getfixturevalue(role))
    _add_supervised(2, doctor=doctor, therapist=therapist)
    at_two = _queries(client, V + path)
    # when there are 25
    _add_supervised(23, doctor=doctor, therapist=therapist)
    # then a page costs the same
    with django_assert_num_queries(at_two):
        response = client.get(V + path)
    assert len(response.json()["results"]) >= 20
    assert ProgressReport.objects.count() == 25


def test_a_finding_repeated_with_its_idempotency_key_is_recorded_once(
    api, therapist, patient, plan
):
    # given a tablet that retries the same finding after a dropped connection
    client = api.as_(therapist)
    finding = {"patient": str(patient.pk), "kind": "fever", "note": "38.9 C"}
    # when it sends it twice with one key
    first = client.post(V + "precautions/", finding, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(V + "precautions/", finding, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then one finding exists and both answers name it
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Precaution.objects.filter(patient=patient, kind="fever").count() == 1
