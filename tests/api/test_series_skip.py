"""A series without dead ends (API.md, Scheduling (v1 additions); issue 15):
`on_conflict: skip` books the free visits and answers each one left out with
its reason and suggestions; `extend` makes them up after the last, within the
prescription. "Now" is pinned: Monday Dec 7, 2026, 08:30 in New York.

Pat's 8 visits, Mondays and Thursdays at 10:00 from Thursday Dec 10: the
clinic is closed on Thursday Dec 24 and Theo sees Ann on Thursday Dec 17."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduling.models import Appointment, Closure
from tests.factories import AppointmentFactory, ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)
RULE = "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8"


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def pinned_now(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        yield


@pytest.fixture
def december(plan, therapist):
    Closure.objects.create(date=date(2026, 12, 24), reason="Christmas Eve")
    AppointmentFactory(
        plan=TreatmentPlanFactory(therapist=therapist),
        start=at(date(2026, 12, 17), 10),
        end=at(date(2026, 12, 17), 11),
    )
    return plan


def book(api, user, plan, **extra):
    body = {
        "plan": str(plan.pk),
        "therapist": str(plan.therapist_id),
        "start": at(date(2026, 12, 10), 10).isoformat(),
        "duration_minutes": 45,
        "rrule": RULE,
        **extra,
    }
    return api.as_(user).post("/api/v1/appointment-series/", body, format="json")


def days(response):
    return [a["start"][:10] for a in response.json()["appointments"]]


def test_by_default_a_clash_refuses_the_series_with_suggestions(api, front_desk, december):
    response = book(api, front_desk, december)
    assert response.status_code == 409
    conflict = response.json()["conflicts"][0]
    assert conflict["occurrence"].startswith("2026-12-17T10:00")
    assert [s["start"][11:16] for s in conflict["suggestions"]] == ["09:15", "09:00", "11:00"]
    assert not Appointment.objects.filter(plan=december).exists()


def test_skip_books_the_free_visits_and_says_why_for_each_other(api, front_desk, december):
    # when
    response = book(api, front_desk, december, on_conflict="skip")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert days(response) == [
        "2026-12-10", "2026-12-14", "2026-12-21", "2026-12-28", "2026-12-31", "2027-01-04",
    ]  # fmt: skip
    skipped = {s["occurrence"][:10]: s for s in body["skipped"]}
    assert skipped["2026-12-17"]["reason"] == "conflict"
    assert len(skipped["2026-12-17"]["suggestions"]) == 3
    assert skipped["2026-12-24"]["reason"] == "closure"
    assert skipped["2026-12-24"]["detail"] == "The clinic is closed: Christmas Eve."
    assert body["short_by"] == 2


def test_extend_makes_up_the_skipped_visits_after_the_last(api, front_desk, december):
    response = book(api, front_desk, december, on_conflict="skip", extend=True)
    assert response.status_code == 201, response.json()
    assert days(response)[-2:] == ["2027-01-07", "2027-01-11"]
    assert len(days(response)) == 8 and response.json()["short_by"] == 0


def test_extend_stops_at_the_plans_visits_and_reports_the_rest(api, front_desk, december):
    # given: a plan of 7 visits under the same referral (an approved plan stays as it is)
    seven = TreatmentPlanFactory(
        therapist=december.therapist, referral=december.referral, planned_visits=7
    )
    response = book(api, front_desk, seven, on_conflict="skip", extend=True)
    assert len(days(response)) == 7 and response.json()["short_by"] == 1


def test_extend_stops_at_the_referrals_validity(api, front_desk, december, doctor):
    # given: the same plan under a referral valid until Friday Jan 8 (a signed
    # referral cannot change: the database refuses it)
    short = TreatmentPlanFactory(
        therapist=december.therapist,
        referral=ReferralFactory(
            patient=december.patient, doctor=doctor, valid_until=date(2027, 1, 8)
        ),
    )
    response = book(api, front_desk, short, on_conflict="skip", extend=True)
    assert days(response)[-1] == "2027-01-07" and response.json()["short_by"] == 1


def test_extend_alone_makes_up_a_closure(api, front_desk, plan):
    Closure.objects.create(date=date(2026, 12, 24), reason="Christmas Eve")
    response = book(api, front_desk, plan, extend=True)
    assert response.status_code == 201
    assert len(days(response)) == 8 and days(response)[-1] == "2027-01-07"


def test_an_unknown_way_of_handling_a_clash_is_a_400_naming_it(api, front_desk, plan):
    response = book(api, front_desk, plan, on_conflict="ignore")
    assert response.status_code == 400 and "on_conflict" in response.json()
    assert not Appointment.objects.exists()
