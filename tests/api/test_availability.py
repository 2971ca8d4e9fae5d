"""Free time (API.md, Scheduling (v1 additions)): `GET /api/v1/availability/`
answers a therapist's free starts of a day, and every clash carries up to
three suggestions, nearest first. "Now" is pinned: Monday Dec 7, 2026, 08:30
in New York; Theo works 09:00-12:00 on Mondays, sees Pat 10:00-10:45 and is
off 11:30-12:00."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduling.models import Closure, TimeOff, WorkingHours
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def theos_monday(settings, therapist, request):
    settings.TIME_ZONE = "America/New_York"
    settings.CLINIC_HOURS = "08:00-19:00"
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        plan = request.getfixturevalue("plan")  # its referral valid from the pinned Monday
        WorkingHours.objects.create(
            therapist=therapist, weekday=0, start_time=time(9), end_time=time(12)
        )
        AppointmentFactory(plan=plan, start=at(MONDAY, 10), end=at(MONDAY, 10, 45))
        TimeOff.objects.create(therapist=therapist, start=at(MONDAY, 11, 30), end=at(MONDAY, 12))
        yield


def free(api, user, therapist, day=MONDAY, minutes=45):
    query = {"therapist": str(therapist.pk), "date": day.isoformat(), "duration_minutes": minutes}
    return api.as_(user).get("/api/v1/availability/", query)


def starts(response):
    return [row["start"][11:16] for row in response.json()]


def test_the_free_starts_skip_visits_time_off_and_the_hours_not_worked(api, front_desk, therapist):
    response = free(api, front_desk, therapist)
    assert response.status_code == 200
    assert starts(response) == ["09:00", "09:15", "10:45"]
    assert response.json()[0] == {
        "start": "2026-12-07T09:00:00-05:00",
        "end": "2026-12-07T09:45:00-05:00",
    }


def test_a_closed_day_has_no_free_start(api, front_desk, therapist):
    Closure.objects.create(date=MONDAY + timedelta(days=7), reason="Holiday")
    assert free(api, front_desk, therapist, day=MONDAY + timedelta(days=7)).json() == []


def test_a_therapist_without_hours_is_free_in_clinic_hours_but_never_in_the_past(
    api, front_desk, other_therapist
):
    response = free(api, front_desk, other_therapist, minutes=60)
    assert starts(response)[0] == "08:30" and starts(response)[-1] == "18:00"


def test_a_bad_question_names_each_field(api, front_desk, doctor):
    response = api.as_(front_desk).get(
        "/api/v1/availability/", {"therapist": str(doctor.pk), "duration_minutes": 3}
    )
    assert response.status_code == 400
    assert {"therapist", "date", "duration_minutes"} <= set(response.json())


def test_a_clash_comes_with_three_free_starts_nearest_first(api, front_desk, therapist):
    # given: Ann asks for Theo at 10:00, Pat's time
    ann = TreatmentPlanFactory(
        therapist=therapist, referral=ReferralFactory(patient=PatientFactory(first_name="Ann"))
    )
    # when
    response = api.as_(front_desk).post(
        "/api/v1/appointments/",
        {
            "patient": str(ann.patient_id),
            "therapist": str(therapist.pk),
            "plan": str(ann.pk),
            "start": at(MONDAY, 10).isoformat(),
            "end": at(MONDAY, 10, 45).isoformat(),
        },
        format="json",
    )
    # then
    assert response.status_code == 409
    suggestions = response.json()["conflicts"][0]["suggestions"]
    assert [s["start"][11:16] for s in suggestions] == ["09:15", "10:45", "09:00"]


def test_a_move_that_clashes_suggests_around_the_visits_own_time(api, front_desk, plan):
    # given: Pat's 10:00 visit asked to move onto another of Theo's visits at 09:00
    visit = plan.appointments.get()
    AppointmentFactory(
        plan=TreatmentPlanFactory(therapist=plan.therapist),
        start=at(MONDAY, 9),
        end=at(MONDAY, 9, 45),
    )
    # when
    response = api.as_(front_desk).patch(
        f"/api/v1/appointments/{visit.pk}/",
        {"start": at(MONDAY, 9).isoformat(), "end": at(MONDAY, 9, 45).isoformat()},
        format="json",
    )
    # then: its own 10:00 is free for it
    suggestions = response.json()["conflicts"][0]["suggestions"]
    assert [s["start"][11:16] for s in suggestions] == ["09:45", "10:00", "10:15"]
