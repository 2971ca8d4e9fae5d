"""Contraindication screening gates the session: stop until the doctor clears,
avoid the area, modify the pressure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.errors import Conflict, Invalid, InvalidTransition, NotAllowed
from referrals.contraindications import (
    clear_precaution,
    pending_clearances,
    precautions_for_visit,
    raise_finding,
)
from referrals.models import Precaution
from referrals.services import create_referral, referral_is_intact, sign_referral
from sessions_log.models import SessionNote
from sessions_log.services import correct_session_note, log_session
from tests.factories import AppointmentFactory


@pytest.fixture
def visit(plan):
    """Theo's visit with Pat that began an hour ago."""
    return AppointmentFactory(plan=plan, start=timezone.now() - timedelta(hours=1))


def _flag(referral, kind, region="", side="", **fields):
    return Precaution.objects.create(
        patient=referral.patient, referral=referral, kind=kind, source="referral",
        region=region, side=side, raised_by=referral.doctor, **fields,
    )  # fmt: skip


def _note(region="neck", side="left", **extra):
    return {
        "pain_before": 5, "pain_after": 3, "response": "improved",
        "areas": [{"region": "upper_back", "side": "left", "modalities": [], "minutes": 10},
                  {"region": region, "side": side, "modalities": ["trigger_point"],
                   "minutes": 20}],
        **extra,
    }  # fmt: skip


# --- stop until cleared by the doctor ------------------------------


@pytest.mark.parametrize("kind", ["dvt", "fever", "hypertension"])
def test_a_stop_flag_blocks_logging_the_session(referral, therapist, visit, kind):
    # given the referral flags a stop condition
    flag = _flag(referral, kind)
    # when / then the note is refused with the reason, and nothing is written
    with pytest.raises(Conflict) as error:
        log_session(therapist=therapist, appointment=visit, data=_note())
    assert "stop until cleared by the doctor" in error.value.detail
    assert error.value.extra["precautions"] == [str(flag.pk)]
    assert not SessionNote.objects.exists()


def test_the_stop_flag_is_a_clearance_request_on_the_doctors_list(referral, doctor, visit):
    # given / when
    flag = _flag(referral, "dvt")
    # then
    assert list(pending_clearances(doctor)) == [flag]


def test_once_the_doctor_clears_it_the_session_is_logged(referral, doctor, therapist, visit):
    # given a DVT history the doctor then clears after an ultrasound
    flag = _flag(referral, "dvt")
    clear_precaution(precaution=flag, by=doctor, note="Duplex ultrasound negative.")
    # when
    note = log_session(therapist=therapist, appointment=visit, data=_note())
    # then
    assert note.pk
    assert not pending_clearances(doctor).exists()


def test_a_draft_referrals_flags_do_not_gate_yet(patient, doctor, therapist, visit):
    # given a draft referral still being written
    from tests.factories import ReferralFactory

    _flag(ReferralFactory(patient=patient, doctor=doctor, draft=True), "fever")
    # when / then
    assert log_session(therapist=therapist, appointment=visit, data=_note()).pk


@pytest.mark.parametrize(
    ("user", "error"),
    [("other_doctor", NotAllowed), ("therapist", NotAllowed)],
)
def test_only_a_doctor_of_the_patient_clears(referral, request, user, error):
    # given / when / then
    with pytest.raises(error):
        clear_precaution(precaution=_flag(referral, "dvt"), by=request.getfixturevalue(user))


def test_clearing_twice_is_an_invalid_transition(referral, doctor):
    # given
    flag = clear_precaution(precaution=_flag(referral, "dvt"), by=doctor)
    # when / then
    with pytest.raises(InvalidTransition):
        clear_precaution(precaution=flag, by=doctor)


# --- a therapist's finding raises the same gate ------------------------------


def test_a_suspected_dvt_found_at_the_visit_stops_treatment_and_tells_the_doctor(
    patient, therapist, doctor, referral, visit, mailoutbox, django_capture_on_commit_callbacks
):
    # given the therapist finds a warm, swollen calf
    with django_capture_on_commit_callbacks(execute=True):
        finding = raise_finding(
            by=therapist, patient=patient, kind="dvt", region="calf", side="left",
            note="Left calf warm, swollen and tender.",
        )  # fmt: skip
    # when / then the session is blocked, and the doctor has an email
    with pytest.raises(Conflict):
        log_session(therapist=therapist, appointment=visit, data=_note())
    assert list(pending_clearances(doctor)) == [finding]
    [email] = mailoutbox
    assert email.to == [doctor.email]
    assert "Clearance needed" in email.subject
    assert "/clearances/" in email.body


def test_a_finding_must_be_a_known_precaution(patient, therapist):
    # given / when / then
    with pytest.raises(Invalid) as error:
        raise_finding(by=therapist, patient=patient, kind="sore")
    assert "kind" in error.value.errors


def test_the_front_desk_records_no_findings(patient, front_desk):
    # given / when / then
    with pytest.raises(NotAllowed):
        raise_finding(by=front_desk, patient=patient, kind="fever")


# --- avoid the area ------------------------------


@pytest.mark.parametrize("kind", ["recent_surgery", "open_wound", "cancer"])
@pytest.mark.parametrize(("side", "refused"), [("left", True), ("bilateral", True),
                                               ("right", False)])  # fmt: skip
def test_a_note_treating_an_avoided_area_is_refused_naming_it(
    referral, therapist, visit, kind, side, refused
):
    # given a site on the left of the neck to avoid
    _flag(referral, kind, region="neck", side="left")
    data = _note(region="neck", side=side)
    # when / then the second area is named; the right side is another area
    if refused:
        with pytest.raises(Invalid) as error:
            log_session(therapist=therapist, appointment=visit, data=data)
        assert error.value.errors["areas"][0] == {}
        assert "avoid the area" in error.value.errors["areas"][1]["region"][0]
    else:
        assert log_session(therapist=therapist, appointment=visit, data=data).pk


def test_a_correction_adding_an_avoided_area_is_refused(referral, therapist, visit):
    # given a note logged before the surgery site was recorded
    note = log_session(therapist=therapist, appointment=visit, data=_note(side="right"))
    raise_finding(by=therapist, patient=note.patient, kind="open_wound", region="neck",
                  side="left")  # fmt: skip
    # when / then
    with pytest.raises(Invalid):
        correct_session_note(note=note, by=therapist, data={"areas": _note()["areas"]})


# --- modify pressure or technique ------------------------------


@pytest.mark.parametrize("kind", ["anticoagulants", "osteoporosis", "pregnancy"])
@pytest.mark.parametrize(("pressure", "refused"), [("firm", True), ("medium", False)])
def test_firm_pressure_is_refused_under_a_modify_flag(
    referral, therapist, visit, kind, pressure, refused
):
    # given the patient takes anticoagulants (or has fragile bone, or is pregnant)
    _flag(referral, kind)
    findings = {"modalities": [{"modality": "trigger_point", "pressure": pressure}]}
    data = _note(findings=findings)
    # when / then
    if refused:
        with pytest.raises(Invalid) as error:
            log_session(therapist=therapist, appointment=visit, data=data)
        assert "pressure" in error.value.errors["findings"]["modalities"][0]
    else:
        assert log_session(therapist=therapist, appointment=visit, data=data).pk


# --- shown at the top of every visit ------------------------------


def test_precautions_for_the_visit_list_stop_rules_first(referral, doctor):
    # given three flags, one of them cleared
    _flag(referral, "osteoporosis")
    _flag(referral, "recent_surgery", region="knee", side="right", note="TKA 6 weeks ago")
    _flag(referral, "fever")
    _flag(referral, "dvt", cleared_at=timezone.now(), cleared_by=doctor)
    # when
    shown = precautions_for_visit(referral.patient)
    # then
    assert [p["rule"] for p in shown] == ["stop", "avoid", "modify"]
    assert shown[1]["text"] == "Recent surgery at the knee (right): avoid the area"


# --- the referral's structured flags ------------------------------


def _referral_data(**extra):
    return {
        "diagnoses": [{"code": "M54.2"}], "target_areas": [{"region": "neck", "side": "left"}],
        "visits_prescribed": 6, "frequency_per_week": 2,
        "valid_until": timezone.localdate() + timedelta(days=30), **extra,
    }  # fmt: skip


def test_an_avoid_flag_needs_its_site(doctor, patient):
    # given a recent surgery without a site
    data = _referral_data(precaution_flags=[{"kind": "osteoporosis"}, {"kind": "recent_surgery"}])
    # when / then the second flag's region is named
    with pytest.raises(Invalid) as error:
        create_referral(doctor=doctor, patient=patient, data=data)
    assert error.value.errors["precaution_flags"][0] == {}
    assert "region" in error.value.errors["precaution_flags"][1]


def test_the_signature_covers_the_flags(doctor, patient):
    # given a signed referral with an anticoagulant flag
    data = _referral_data(precaution_flags=[{"kind": "anticoagulants", "note": "Apixaban"}])
    referral = sign_referral(referral=create_referral(doctor=doctor, patient=patient, data=data),
                             by=doctor)  # fmt: skip
    assert referral_is_intact(referral)
    # when the flag is altered behind the app's back
    Precaution.objects.filter(referral=referral).update(note="none")
    # then
    assert not referral_is_intact(referral)
