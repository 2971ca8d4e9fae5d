"""The front desk books a recurring series: all or nothing, every clash and
problem at once, within the prescription, working hours and closures."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from clinic.errors import Conflict, Invalid
from scheduling.booking import book_appointment
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    Closure,
    Reminder,
    ReminderStatus,
    TimeOff,
)
from scheduling.series import (
    book_series,
    cancel_series,
    preview_series,
    skipped_dates,
)
from scheduling.visits import cancel_appointment
from tests.conftest import rewriting_history
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)
from tests.round_trips import assert_round_trips
from tests.scheduling.conftest import local, next_dst_change, next_weekday


def book(plan, therapist, front_desk, first_start, rrule, minutes=45):
    return book_series(
        plan=plan,
        therapist=therapist,
        first_start=first_start,
        duration_minutes=minutes,
        rrule=rrule,
        by=front_desk,
    )


def test_a_six_week_monday_thursday_series_books_twelve_visits_at_ten(
    long_plan, therapist, front_desk
):
    # given
    monday = next_weekday(0)
    # when
    booking = book(
        long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12"
    )
    # then
    assert len(booking.appointments) == 12
    assert booking.skipped == []
    stored = list(Appointment.objects.filter(series=booking.series))
    assert len(stored) == 12
    assert {a.start.astimezone(local(monday, 0).tzinfo).time() for a in stored} == {time(10)}
    assert {a.start.weekday() for a in stored} == {0, 3}
    assert all(a.end - a.start == timedelta(minutes=45) for a in stored)
    assert booking.series.patient == long_plan.patient


@pytest.mark.parametrize("forward", [True, False], ids=["spring-forward", "fall-back"])
def test_a_series_across_a_daylight_saving_change_keeps_its_wall_clock_time(
    forward, long_plan, therapist, front_desk
):
    # given a series starting a week before the clocks change
    change = next_dst_change(forward=forward)
    long_plan.referral.valid_until = change + timedelta(days=60)
    with rewriting_history():
        long_plan.referral.save()
    first = next_weekday(0, after=change - timedelta(days=8))
    # when
    booking = book(
        long_plan, therapist, front_desk, local(first, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4"
    )
    # then
    tz = local(first, 0).tzinfo
    stored = Appointment.objects.filter(series=booking.series)
    assert {a.start.astimezone(tz).time() for a in stored} == {time(10)}
    assert len({a.start.astimezone(tz).utcoffset() for a in stored}) == 2


def test_occurrences_on_a_closure_are_skipped_and_reported(long_plan, therapist, front_desk):
    # given the clinic is closed on the second Thursday
    monday = next_weekday(0)
    holiday = monday + timedelta(days=10)
    Closure.objects.create(date=holiday, reason="Holiday")
    # when
    booking = book(
        long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6"
    )
    # then
    assert booking.closed_days == [holiday]
    assert booking.skipped[0].detail == "The clinic is closed: Holiday."
    assert booking.short_by == 1
    assert skipped_dates(booking.series) == [holiday]
    assert len(booking.appointments) == 5
    assert holiday not in {
        a.start.astimezone(local(monday, 0).tzinfo).date() for a in booking.appointments
    }


def test_a_series_past_the_plans_visits_books_nothing(plan, therapist, front_desk):
    # given an approved plan of 8 visits
    monday = next_weekday(0)
    # when / then
    with pytest.raises(Invalid) as error:
        book(plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=9")
    assert "8 visits" in error.value.errors["plan"][0]
    assert Appointment.objects.count() == 0


def test_a_series_past_the_referrals_validity_books_nothing(plan, therapist, front_desk):
    # given the referral is valid for 60 days
    with pytest.raises(Invalid) as error:
        book(plan, therapist, front_desk, local(next_weekday(0), 10), "FREQ=MONTHLY;COUNT=4")
    assert "valid until" in error.value.errors["start"][0]
    assert Appointment.objects.count() == 0


def test_cancelled_visits_give_their_slot_back_to_the_prescription(plan, therapist, front_desk):
    # given the whole plan booked, then one visit cancelled
    monday = next_weekday(0)
    booking = book(
        plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8"
    )
    cancel_appointment(appointment=booking.appointments[-1], by=front_desk, reason="travel")
    # when one more visit is booked
    extra = book_appointment(
        patient=plan.patient,
        therapist=therapist,
        plan=plan,
        start=local(monday, 15),
        end=local(monday, 15, 45),
        by=front_desk,
    )
    # then
    assert extra.status == AppointmentStatus.BOOKED


def test_every_clash_of_the_series_is_answered_at_once(long_plan, therapist, front_desk):
    # given Theo already sees two other patients at 10:00 on two of the Mondays
    monday = next_weekday(0)
    clash_days = [monday, monday + timedelta(days=14)]
    for day in clash_days:
        AppointmentFactory(
            plan=None, therapist=therapist, patient=PatientFactory(), start=local(day, 10, 30)
        )
    # when
    with pytest.raises(Conflict) as error:
        book(long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6")
    # then both clashes are listed with the occurrence they hit, and nothing is booked
    conflicts = error.value.extra["conflicts"]
    assert sorted(c["occurrence"] for c in conflicts) == [local(d, 10) for d in clash_days]
    assert {c["with"] for c in conflicts} == {"therapist"}
    assert Appointment.objects.filter(series__isnull=False).count() == 0


def test_a_clash_of_the_patient_with_another_therapist_is_a_conflict(
    long_plan, therapist, other_therapist, front_desk
):
    monday = next_weekday(0)
    AppointmentFactory(
        plan=None, therapist=other_therapist, patient=long_plan.patient, start=local(monday, 10)
    )
    with pytest.raises(Conflict) as error:
        book(long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;COUNT=2")
    assert error.value.extra["conflicts"][0]["with"] == "patient"


def test_a_visit_outside_working_hours_is_refused_naming_the_time(
    long_plan, therapist, front_desk, office_hours
):
    # given Theo works 09:00-17:00 on weekdays
    monday = next_weekday(0)
    # when a series at 16:30 would run to 17:15
    with pytest.raises(Invalid) as error:
        book(long_plan, therapist, front_desk, local(monday, 16, 30), "FREQ=WEEKLY;COUNT=2")
    # then both visits are named, with the hours that day
    problems = error.value.errors["start"]
    assert len(problems) == 2
    assert "16:30-17:15" in problems[0]
    assert "09:00-17:00" in problems[0]


def test_a_saturday_visit_is_refused_when_the_therapist_works_only_weekdays(
    long_plan, therapist, front_desk, office_hours
):
    saturday = next_weekday(5)
    with pytest.raises(Invalid) as error:
        book_appointment(
            patient=long_plan.patient,
            therapist=therapist,
            plan=long_plan,
            start=local(saturday, 10),
            end=local(saturday, 10, 45),
            by=front_desk,
        )
    assert "working hours that day: none" in error.value.errors["start"][0]


def test_a_therapist_without_working_hours_can_be_booked_any_time(long_plan, therapist, front_desk):
    sunday = next_weekday(6)
    booking = book(long_plan, therapist, front_desk, local(sunday, 20), "FREQ=WEEKLY;COUNT=2")
    assert len(booking.appointments) == 2


def test_a_visit_during_time_off_is_refused(long_plan, therapist, front_desk, office_hours):
    monday = next_weekday(0)
    TimeOff.objects.create(
        therapist=therapist,
        start=local(monday, 0),
        end=local(monday + timedelta(days=1), 0),
        reason="conference",
    )
    with pytest.raises(Invalid) as error:
        book(long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=2")
    assert error.value.errors["start"] == [
        f"Theo Tran is off on {local(monday, 10):%a %b %d, %Y} at 10:00-10:45 (conference)."
    ]


def test_moving_a_visit_outside_working_hours_is_refused(
    long_plan, therapist, front_desk, office_hours
):
    from scheduling.booking import move_appointment

    monday = next_weekday(0)
    visit = AppointmentFactory(plan=long_plan, start=local(monday, 10))
    with pytest.raises(Invalid):
        move_appointment(
            appointment=visit, start=local(monday, 18), end=local(monday, 18, 45), by=front_desk
        )


def test_a_bad_rule_is_invalid_naming_rrule(long_plan, therapist, front_desk):
    with pytest.raises(Invalid) as error:
        book(long_plan, therapist, front_desk, local(next_weekday(0), 10), "FREQ=SECONDLY;COUNT=3")
    assert list(error.value.errors) == ["rrule"]


def test_booking_a_36_visit_series_takes_a_constant_number_of_queries(
    long_plan, therapist, front_desk, office_hours
):
    # given a plan loaded as a view would load it
    monday = next_weekday(0)
    long_plan.refresh_from_db()
    # when (72 reminder rows: SQLite splits their INSERT, still one round trip here)
    with assert_round_trips(at_most=14):
        booking = book(
            long_plan,
            therapist,
            front_desk,
            local(monday, 10),
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=36",
        )
    # then
    assert Appointment.objects.filter(series=booking.series).count() == 36
    assert Reminder.objects.filter(appointment__series=booking.series).count() == 72


def test_the_same_queries_book_three_visits_or_thirty_six(
    patient, doctor, therapist, front_desk, office_hours
):
    # given two equal plans
    def fresh_plan():
        referral = ReferralFactory(
            patient=PatientFactory(),
            doctor=doctor,
            visits_prescribed=40,
            valid_until=timezone.localdate() + timedelta(days=366),
        )
        plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=40)
        plan.refresh_from_db()
        return plan

    small, large = fresh_plan(), fresh_plan()
    monday = next_weekday(0)
    # when / then (SQLite splits the 72 reminders' INSERT: counted as the one statement it is)
    with assert_round_trips() as few:
        book(small, therapist, front_desk, local(monday, 9), "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=3")
    with assert_round_trips(few.round_trips):
        book(large, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=36")


def test_the_preview_shows_visits_clashes_and_problems_without_writing(
    plan, therapist, front_desk, office_hours
):
    # given a clash on the first Monday and a closure on the first Thursday
    monday = next_weekday(0)
    AppointmentFactory(
        plan=None, therapist=therapist, patient=PatientFactory(), start=local(monday, 10)
    )
    Closure.objects.create(date=monday + timedelta(days=3), reason="Holiday")
    before = Appointment.objects.count()
    # when previewing more visits than the plan has
    preview = preview_series(
        plan=plan,
        therapist=therapist,
        first_start=local(monday, 10),
        duration_minutes=45,
        rrule="FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10",
    )
    # then
    assert len(preview.occurrences) == 9
    assert preview.skipped == [monday + timedelta(days=3)]
    assert [c["occurrence"] for c in preview.conflicts] == [local(monday, 10)]
    assert "plan" in preview.problems
    assert not preview.ok
    assert Appointment.objects.count() == before


def test_the_preview_of_a_bad_rule_names_rrule(plan, therapist):
    preview = preview_series(
        plan=plan,
        therapist=therapist,
        first_start=local(next_weekday(0), 10),
        duration_minutes=45,
        rrule="garbage",
    )
    assert list(preview.problems) == ["rrule"]
    assert preview.occurrences == []


def test_cancelling_the_rest_of_a_series_cancels_from_that_date_on(
    long_plan, therapist, front_desk
):
    # given a booked series of 6
    monday = next_weekday(0)
    booking = book(
        long_plan, therapist, front_desk, local(monday, 10), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6"
    )
    from_date = monday + timedelta(days=7)
    # when
    cancelled = cancel_series(
        series=booking.series, from_date=from_date, reason="moving away", by=front_desk
    )
    # then the last four are cancelled, the first two still booked
    assert len(cancelled) == 4
    statuses = list(
        Appointment.objects.filter(series=booking.series).values_list("status", flat=True)
    )
    assert statuses == ["booked"] * 2 + ["cancelled"] * 4
    assert {a.cancel_reason for a in cancelled} == {"moving away"}
    # and their reminders will not go out
    pending = Reminder.objects.filter(appointment__in=cancelled, status=ReminderStatus.PENDING)
    assert not pending.exists()
    booking.series.refresh_from_db()
    assert booking.series.cancelled_from == from_date


def test_the_preview_takes_the_same_queries_for_three_visits_or_thirty_six(
    long_plan, therapist, office_hours, django_assert_num_queries
):
    # given the front desk's form asking for a short, then a long series
    monday = next_weekday(0)

    def preview(count):
        return preview_series(
            plan=long_plan,
            therapist=therapist,
            first_start=local(monday, 10),
            duration_minutes=45,
            rrule=f"FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT={count}",
        )

    # when / then: closures, referral, visits used, hours, time off, clashes, patient
    long_plan.refresh_from_db()
    with django_assert_num_queries(7) as few:
        assert len(preview(3).occurrences) == 3
    long_plan.refresh_from_db()
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(preview(36).occurrences) == 36
