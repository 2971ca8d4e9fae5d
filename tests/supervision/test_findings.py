"""Structured findings in the session note and the per-region pain trend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.errors import Invalid
from sessions_log.findings import patient_region_trends
from sessions_log.services import log_session, note_content, sign_session_note
from tests.factories import AppointmentFactory

FINDINGS = {
    "pain": [{"region": "neck", "side": "left", "score": 6}],
    "muscle_tests": [{"muscle": "upper trapezius", "side": "left", "grade": 4}],
    "trigger_points": [{"muscle": "levator scapulae", "side": "left", "kind": "active"}],
    "modalities": [
        {"modality": "trigger_point", "pressure": "medium"},
        {"modality": "positional_release", "tender_point": "C3 anterior", "hold_seconds": 90},
        {"modality": "rehab_stretching", "technique": "pnf"},
    ],
}


def _note(findings):
    return {"pain_before": 5, "pain_after": 3, "response": "improved", "findings": findings}


@pytest.fixture
def visit(plan):
    return AppointmentFactory(plan=plan, start=timezone.now() - timedelta(hours=1))


def test_findings_are_kept_on_the_note_and_covered_by_its_signature(visit, therapist):
    # given / when
    note = log_session(therapist=therapist, appointment=visit, data=_note(FINDINGS))
    note = sign_session_note(note=note, by=therapist)
    # then
    assert note.findings == FINDINGS
    assert note_content(note)["findings"] == FINDINGS


@pytest.mark.parametrize(
    ("findings", "path"),
    [
        ({"muscle_tests": [{"muscle": "deltoid", "side": "left", "grade": 6}]},
         ("muscle_tests", 0, "grade")),
        ({"trigger_points": [{"muscle": "x", "side": "left", "kind": "active"},
                             {"muscle": "y", "side": "left", "kind": "dormant"}]},
         ("trigger_points", 1, "kind")),
        ({"pain": [{"region": "tail", "side": "left", "score": 3}]}, ("pain", 0, "region")),
        ({"pain": [{"region": "neck", "side": "left", "score": 11}]}, ("pain", 0, "score")),
        ({"modalities": [{"modality": "positional_release", "hold_seconds": 0}]},
         ("modalities", 0, "hold_seconds")),
        ({"modalities": [{"modality": "rehab_stretching", "technique": "yank"}]},
         ("modalities", 0, "technique")),
        ({"modalities": [{"modality": "cupping"}]}, ("modalities", 0, "modality")),
    ],
)  # fmt: skip
def test_a_bad_finding_is_named(visit, therapist, findings, path):
    # given / when
    with pytest.raises(Invalid) as error:
        log_session(therapist=therapist, appointment=visit, data=_note(findings))
    # then
    key, index, field = path
    assert field in error.value.errors["findings"][key][index]


def test_an_unknown_kind_of_finding_is_refused(visit, therapist):
    # given / when / then
    with pytest.raises(Invalid) as error:
        log_session(therapist=therapist, appointment=visit, data=_note({"mood": []}))
    assert "mood" in error.value.errors["findings"]


def test_the_region_trend_follows_pain_per_region(plan, patient, log_visits):
    # given three visits: the left neck improving, the left upper back only once
    pains = [
        [{"region": "neck", "side": "left", "score": 7},
         {"region": "upper_back", "side": "left", "score": 4}],
        [{"region": "neck", "side": "left", "score": 5}],
        [{"region": "neck", "side": "left", "score": 3}],
    ]  # fmt: skip
    notes = log_visits(plan, [(6, 4)] * 3)
    for note, pain in zip(notes, pains, strict=True):
        note.findings = {"pain": pain}
        note.save()
    # when
    trends = patient_region_trends(patient)
    # then the neck went 7 -> 3 (a change of -4); the upper back has one point
    neck, upper_back = trends
    assert (neck["region"], neck["side"]) == ("neck", "left")
    assert [p["score"] for p in neck["points"]] == [7, 5, 3]
    assert neck["change"] == -4
    assert upper_back["change"] is None
