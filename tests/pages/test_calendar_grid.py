"""The front desk's calendar (issue 15): a time grid with a column per therapist,
the clinic's hours and the therapists' absences shaded, visits placed by their
time; booking from an empty slot and moving by drag, resize and keys, all
through the booking service, with the reason shown and nothing changed on a
refusal. "Now" is pinned: Monday Dec 7, 2026, 08:30 in New York."""

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.vocabulary import Role
from referrals.models import Precaution, PrecautionKind, PrecautionSource
from scheduling.grid import MAX_LENGTH_ROWS, MAX_ROWS, build_grid
from scheduling.models import Appointment, Closure, TimeOff, WorkingHours
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def pinned_now(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.CLINIC_HOURS = "08:00-19:00"
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        yield


def visit_at(plan, day, hour, minute=0, minutes=45, **extra):
    start = at(day, hour, minute)
    return AppointmentFactory(
        plan=plan, start=start, end=start + timedelta(minutes=minutes), **extra
    )


def move(client, visit, *, day, at_, minutes=45, therapist=None):
    data = {"day": day.isoformat(), "at": at_, "duration_minutes": minutes}
    data["therapist"] = str((therapist or visit.therapist).pk)
    return client.post(
        reverse("appointment_move", args=[visit.pk]), data, HTTP_ACCEPT="application/json"
    )


# --- the grid -------------------------------------------------------------------------


def test_a_visit_is_placed_by_its_clinic_time_on_five_minute_rows(plan):
    # given
    visit = visit_at(plan, MONDAY, 10, 15)
    # when
    grid = build_grid(
        days=[MONDAY], therapists=[plan.therapist], visits=[visit], hours={}, time_off=[],
        closures={}, precautions={},
    )  # fmt: skip
    # then: the grid spans 08:00-19:00; 10:15 is row 27, 45 minutes are 9 rows
    placed = grid.groups[0].columns[0].visits[0]
    assert (grid.first_minute, grid.rows) == (8 * 60, 11 * 12)
    assert (placed.top, placed.length, placed.starts, placed.ends) == (27, 9, "10:15", "11:00")


def test_an_early_visit_widens_the_grid_to_its_hour(plan):
    visit = visit_at(plan, MONDAY, 6, 40)
    grid = build_grid(
        days=[MONDAY], therapists=[plan.therapist], visits=[visit], hours={}, time_off=[],
        closures={}, precautions={},
    )  # fmt: skip
    assert grid.first_minute == 6 * 60 and grid.groups[0].columns[0].visits[0].top == 8
    assert grid.hours[0] == (0, "06:00")


def test_outside_working_hours_time_off_and_closures_are_shaded(therapist):
    # given: Theo works 09:00-13:00 on Mondays, is off 11:00-12:00; Tuesday is closed
    tuesday = MONDAY + timedelta(days=1)
    hours = {therapist.pk: {0: [(time(9), time(13))]}}
    off = TimeOff(therapist=therapist, start=at(MONDAY, 11), end=at(MONDAY, 12), reason="Dentist")
    closed = Closure(date=tuesday, reason="Staff training")
    # when
    grid = build_grid(
        days=[MONDAY, tuesday], therapists=[therapist], visits=[], hours=hours, time_off=[off],
        closures={tuesday: closed}, precautions={},
    )  # fmt: skip
    # then
    monday = [(b.kind, b.top, b.length, b.label) for b in grid.groups[0].columns[0].bands]
    assert ("off", 0, 12, "Not working") in monday  # 08:00-09:00
    assert ("off", 60, 72, "Not working") in monday  # 13:00-19:00
    assert ("away", 36, 12, "Time off: Dentist") in monday  # 11:00-12:00
    tuesday_bands = grid.groups[1].columns[0].bands
    assert [(b.kind, b.length, b.label) for b in tuesday_bands] == [
        ("closed", grid.rows, "Closed: Staff training")
    ]


def test_a_no_show_and_its_rebooking_share_the_column_in_lanes(plan):
    gone = visit_at(plan, MONDAY, 10, status="no_show")
    rebooked = visit_at(TreatmentPlanFactory(therapist=plan.therapist), MONDAY, 10, 15)
    grid = build_grid(
        days=[MONDAY], therapists=[plan.therapist], visits=[gone, rebooked], hours={},
        time_off=[], closures={}, precautions={},
    )  # fmt: skip
    lanes = sorted((p.lane, p.lanes) for p in grid.groups[0].columns[0].visits)
    assert lanes == [(0, 2), (1, 2)]


def test_the_stylesheet_draws_every_row_the_grid_can_name():
    css = (Path(settings.BASE_DIR) / "static/css/calendar.css").read_text()
    names = set(re.findall(r"\.((?:at|len|rows)-\d+)\{", css))
    assert {f"at-{n}" for n in range(MAX_ROWS + 1)} <= names
    assert {f"len-{n}" for n in range(1, MAX_LENGTH_ROWS + 1)} <= names
    assert {f"rows-{n}" for n in range(1, MAX_ROWS + 1)} <= names
    assert (
        "style=" not in (Path(settings.BASE_DIR) / "templates/scheduling/calendar.html").read_text()
    )


# --- the page -------------------------------------------------------------------------


def test_the_day_has_a_column_per_therapist_with_the_visits_in_place(
    as_, front_desk, plan, other_therapist
):
    # given
    visit_at(plan, MONDAY, 10, 15)
    # when
    body = as_(front_desk).get(reverse("calendar"), {"date": MONDAY.isoformat()}).content.decode()
    # then
    assert f'aria-label="{plan.therapist}, Monday Dec 7"' in body
    assert f'aria-label="{other_therapist}, Monday Dec 7"' in body
    assert "cal-visit status-booked at-27 len-9" in body
    assert "10:15–11:00" in body and "Pat Parker" in body and "Treatment · Booked" in body
    assert f"therapist={other_therapist.pk}&amp;day=2026-12-07" in body  # its "Book" link


def test_the_week_of_40_therapists_costs_the_same_queries_as_the_week_of_2(
    as_, front_desk, django_assert_max_num_queries
):
    # given
    def staff(count):
        for _ in range(count):
            therapist = UserFactory(role=Role.THERAPIST)
            WorkingHours.objects.create(
                therapist=therapist, weekday=1, start_time=time(9), end_time=time(17)
            )
            TimeOff.objects.create(
                therapist=therapist, start=at(MONDAY, 12), end=at(MONDAY, 13), reason="Lunch"
            )
            for day in range(5):
                visit_at(
                    TreatmentPlanFactory(therapist=therapist), MONDAY + timedelta(days=day), 10
                )

    client = as_(front_desk)
    url = reverse("calendar") + f"?view=week&date={MONDAY.isoformat()}"
    staff(2)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    staff(38)
    # when
    with django_assert_max_num_queries(10):
        response = client.get(url)
    # then
    assert len(two) <= 10
    assert response.content.decode().count('class="cal-visit ') == 40 * 5
    assert response.content.decode().count('class="cal-col"') == 40 * 7


def test_a_therapist_sees_a_precaution_badge_and_the_front_desk_does_not(
    as_, plan, therapist, front_desk, doctor
):
    # given: Pat takes anticoagulants (a flag on the signed referral)
    visit_at(plan, MONDAY, 10)
    Precaution.objects.create(
        patient=plan.patient, referral=plan.referral, kind=PrecautionKind.ANTICOAGULANTS,
        source=PrecautionSource.REFERRAL, raised_by=doctor,
    )  # fmt: skip
    url = reverse("calendar") + f"?date={MONDAY.isoformat()}"
    # when
    theirs = as_(therapist).get(url).content.decode()
    desk = as_(front_desk).get(url).content.decode()
    # then
    assert "Anticoagulants or bleeding disorder" in theirs and "Precaution" in theirs
    assert "Anticoagulants" not in desk and "cal-flag" not in desk
    assert AuditEvent.objects.filter(actor=therapist, action="precaution.read").count() == 1


# --- moving: drag, resize, keys ---------------------------------------------------------


def test_dragging_a_visit_to_another_therapist_and_time_moves_it(
    as_, front_desk, plan, other_therapist
):
    # given
    visit = visit_at(plan, MONDAY, 10)
    # when
    response = move(as_(front_desk), visit, day=MONDAY, at_="14:30", therapist=other_therapist)
    # then
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert visit.therapist == other_therapist and visit.start == at(MONDAY, 14, 30)
    assert response.json()["message"].startswith("Moved: Pat Parker, Mon Dec 07 14:30-15:15")


def test_resizing_a_visit_changes_only_its_length(as_, front_desk, plan):
    visit = visit_at(plan, MONDAY, 10)
    response = move(as_(front_desk), visit, day=MONDAY, at_="10:00", minutes=60)
    visit.refresh_from_db()
    assert response.status_code == 200
    assert (visit.start, visit.end) == (at(MONDAY, 10), at(MONDAY, 11))


def test_a_drop_on_a_busy_therapist_is_refused_with_the_reason_and_changes_nothing(
    as_, front_desk, plan, other_therapist
):
    # given: Tess is busy 14:00-15:00
    visit = visit_at(plan, MONDAY, 10)
    visit_at(TreatmentPlanFactory(therapist=other_therapist), MONDAY, 14, minutes=60)
    # when
    response = move(as_(front_desk), visit, day=MONDAY, at_="14:30", therapist=other_therapist)
    # then
    assert response.status_code == 409
    message = response.json()["message"]
    assert message.startswith("Not moved: The time clashes with another live appointment.")
    assert "a visit of the therapist at 14:00-15:00" in message
    visit.refresh_from_db()
    assert visit.therapist == plan.therapist and visit.start == at(MONDAY, 10)


def test_a_drop_outside_the_therapists_working_hours_says_so(as_, front_desk, plan):
    WorkingHours.objects.create(
        therapist=plan.therapist, weekday=0, start_time=time(9), end_time=time(13)
    )
    visit = visit_at(plan, MONDAY, 10)
    response = move(as_(front_desk), visit, day=MONDAY, at_="13:30")
    assert response.status_code == 400
    assert "does not work on Mon Dec 07, 2026 at 13:30-14:15" in response.json()["message"]
    visit.refresh_from_db()
    assert visit.start == at(MONDAY, 10)


def test_a_drop_past_the_referrals_validity_is_refused(as_, front_desk, plan):
    visit = visit_at(plan, MONDAY, 10)
    late = plan.referral.valid_until + timedelta(days=1)
    response = move(as_(front_desk), visit, day=late, at_="10:00")
    assert response.status_code == 400
    assert "The referral is valid until" in response.json()["message"]


def test_a_therapist_cannot_drag_visits(as_, therapist, plan, other_therapist):
    visit = visit_at(plan, MONDAY, 10)
    response = move(as_(therapist), visit, day=MONDAY, at_="11:00", therapist=other_therapist)
    assert response.status_code == 403
    assert Appointment.objects.get(pk=visit.pk).start == at(MONDAY, 10)


def test_the_api_moves_a_visit_to_another_therapist(api, front_desk, plan, other_therapist):
    visit = visit_at(plan, MONDAY, 10)
    response = api.as_(front_desk).patch(
        f"/api/v1/appointments/{visit.pk}/",
        {"therapist": str(other_therapist.pk)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["therapist"] == str(other_therapist.pk)
    assert response.json()["kind"] == "treatment"


def test_the_api_refuses_moving_a_visit_to_a_doctor(api, front_desk, plan, doctor):
    visit = visit_at(plan, MONDAY, 10)
    response = api.as_(front_desk).patch(
        f"/api/v1/appointments/{visit.pk}/", {"therapist": str(doctor.pk)}, format="json"
    )
    assert response.status_code == 400 and "therapist" in response.json()


# --- booking from an empty slot -----------------------------------------------------------


def test_a_click_on_an_empty_slot_opens_the_form_filled_in(as_, front_desk, plan):
    url = reverse("calendar_book")
    query = {"therapist": plan.therapist.pk, "day": "2026-12-08", "at": "14:15"}
    body = as_(front_desk).get(url, query).content.decode()
    assert 'value="14:15"' in body and 'value="2026-12-08"' in body
    assert f'<option value="{plan.therapist.pk}" selected>' in body
    assert "Pat Parker · plan with" in body and "8 visits left" in body
    assert 'type="time"' not in body  # 24-hour, typed


def test_booking_from_the_calendar_goes_through_the_booking_service(as_, front_desk, plan):
    # when
    response = as_(front_desk).post(
        reverse("calendar_book"),
        {
            "plan": plan.pk,
            "therapist": plan.therapist.pk,
            "day": "2026-12-08",
            "at": "14:15",
            "duration_minutes": 45,
        },
    )
    # then
    assert response.status_code == 302
    assert response["Location"].endswith("?view=day&date=2026-12-08")
    booked = Appointment.objects.get(plan=plan)
    assert (booked.start, booked.end) == (
        at(MONDAY + timedelta(days=1), 14, 15),
        at(MONDAY + timedelta(days=1), 15),
    )


def test_a_booking_that_clashes_is_shown_on_the_form_and_books_nothing(as_, front_desk, plan):
    # given: Theo is busy at 14:00 on Tuesday
    tuesday = MONDAY + timedelta(days=1)
    visit_at(TreatmentPlanFactory(therapist=plan.therapist), tuesday, 14)
    # when
    response = as_(front_desk).post(
        reverse("calendar_book"),
        {"plan": plan.pk, "therapist": plan.therapist.pk, "day": tuesday.isoformat(),
         "at": "14:15", "duration_minutes": 45},
    )  # fmt: skip
    # then
    assert response.status_code == 400
    assert "The time clashes with another live appointment." in response.content.decode()
    assert not Appointment.objects.filter(plan=plan).exists()


def test_a_twelve_hour_time_is_refused_by_name(as_, front_desk, plan):
    response = as_(front_desk).post(
        reverse("calendar_book"),
        {"plan": plan.pk, "therapist": plan.therapist.pk, "day": "2026-12-08",
         "at": "2:15 PM", "duration_minutes": 45},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Enter a valid time." in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_therapist_cannot_book_from_the_calendar(as_, therapist, plan):
    assert as_(therapist).get(reverse("calendar_book")).status_code == 403


def test_a_patient_without_a_bookable_plan_is_not_offered(as_, front_desk, plan):
    PatientFactory(first_name="Nora", last_name="Noplan")
    body = as_(front_desk).get(reverse("calendar_book")).content.decode()
    assert "Noplan" not in body and "Pat Parker" in body


def test_a_new_patient_is_booked_for_an_evaluation_on_the_signed_referral(
    as_, front_desk, therapist, doctor
):
    # given: Nora's referral is signed; no plan yet
    nora = PatientFactory(first_name="Nora", last_name="New")
    referral = ReferralFactory(patient=nora, doctor=doctor)
    client = as_(front_desk)
    assert (
        "Nora New · evaluation · referral by"
        in client.get(reverse("calendar_book")).content.decode()
    )
    # when
    response = client.post(
        reverse("calendar_book"),
        {"referral": referral.pk, "therapist": therapist.pk, "day": "2026-12-08",
         "at": "09:00", "duration_minutes": 60},
    )  # fmt: skip
    # then
    assert response.status_code == 302
    visit = Appointment.objects.get(patient=nora)
    assert (visit.kind, visit.referral_id, visit.plan_id) == ("evaluation", referral.pk, None)


def test_booking_needs_a_plan_or_a_referral(as_, front_desk, therapist):
    response = as_(front_desk).post(
        reverse("calendar_book"),
        {"therapist": therapist.pk, "day": "2026-12-08", "at": "09:00", "duration_minutes": 60},
    )
    assert response.status_code == 400
    assert (
        "Choose the patient&#x27;s plan, or a referral for an evaluation."
        in response.content.decode()
    )


def test_the_visit_page_shows_where_the_visit_could_move_that_day(as_, front_desk, plan):
    WorkingHours.objects.create(
        therapist=plan.therapist, weekday=0, start_time=time(9), end_time=time(11)
    )
    visit = visit_at(plan, MONDAY, 10)
    visit_at(TreatmentPlanFactory(therapist=plan.therapist), MONDAY, 9, minutes=30)
    body = as_(front_desk).get(reverse("appointment_detail", args=[visit.pk])).content.decode()
    assert f"Free with {plan.therapist} that day: 09:30, 09:45, 10:00, 10:15." in body


def test_the_grid_draws_each_visit_whole_and_escapes_the_patients_name(as_, plan, front_desk):
    # given a patient whose name holds markup (scheduling/grid_labels.py draws the
    # visit's link in Python, so the escaping is ours to keep)
    plan.patient.last_name = "<b>O'Neil</b>"
    plan.patient.save()
    visit = visit_at(plan, MONDAY, 10)
    # when the front desk opens the day
    page = as_(front_desk).get(reverse("calendar") + f"?date={MONDAY.isoformat()}")
    html = page.content.decode()
    # then the name is text, and the visit links to its page and its move
    assert "<b>O'Neil</b>" not in html and "&lt;b&gt;O&#x27;Neil&lt;/b&gt;" in html
    link = re.search(
        r'<a class="cal-visit status-booked [^"]*" href="([^"]+)" draggable="false" '
        r'data-id="([^"]+)" data-start="10:00" data-end="10:45" data-move-url="([^"]+)"',
        html,
    )
    assert link and link.groups() == (
        reverse("appointment_detail", args=[visit.pk]),
        str(visit.pk),
        reverse("appointment_move", args=[visit.pk]),
    )
