"""The front desk: patients, the week calendar, a series with its live
conflict preview, and one visit's check-in, no-show, move and cancel."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from scheduling.models import Appointment, AppointmentStatus, Closure
from tests.factories import AppointmentFactory, PatientFactory
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def series_post(**extra):
    data = {
        "first_day": next_monday().isoformat(),
        "at": "10:00",
        "duration_minutes": "45",
        "weekdays": ["MO", "TH"],
        "count": "4",
        "until": "",
    }
    data.update(extra)
    return data


def test_the_front_desk_registers_a_patient_with_a_reminder_channel(as_, front_desk):
    # when
    response = as_(front_desk).post(
        reverse("patient_new"),
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "date_of_birth": "1980-02-03",
            "phone": "+15550100111",
            "email": "",
            "reminder_channel": "sms",
            "reminder_consent": "on",
        },
    )
    # then
    patient = Patient.objects.get(last_name="Lee")
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.reminder_channel == "sms" and patient.created_by == front_desk


def test_email_reminders_without_an_email_are_refused_next_to_the_email(as_, front_desk, patient):
    # when
    response = as_(front_desk).post(
        reverse("patient_edit", args=[patient.pk]),
        {
            "first_name": "Pat",
            "last_name": "Parker",
            "date_of_birth": "1970-01-01",
            "phone": "",
            "email": "",
            "reminder_channel": "email",
        },
    )
    # then
    assert response.status_code == 200
    assert "Email reminders need an email address." in response.content.decode()


def test_the_week_shows_status_colours_and_closures(as_, front_desk, plan):
    # given
    monday = next_monday()
    visit = AppointmentFactory(
        plan=plan,
        start=timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time()))
        + timedelta(hours=10),
    )
    visit.end = visit.start + timedelta(minutes=45)
    visit.save()
    Closure.objects.create(date=monday + timedelta(days=2), reason="Staff training")
    # when
    body = as_(front_desk).get(reverse("calendar"), {"week": monday.isoformat()}).content.decode()
    # then
    assert 'class="cal-visit status-booked' in body and "Pat Parker" in body
    assert "Closed: Staff training" in body


def test_the_series_preview_shows_each_visit_and_the_conflicts(as_, front_desk, plan, therapist):
    # given: Theo is busy at the first Monday 10:00 with someone else
    monday = next_monday()
    start = timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time()))
    AppointmentFactory(
        therapist=therapist,
        plan=None,
        start=start + timedelta(hours=10),
        end=start + timedelta(hours=11),
    )
    # when
    body = (
        as_(front_desk)
        .post(
            reverse("series_preview", args=[plan.pk]),
            series_post(therapist=therapist.pk),
        )
        .content.decode()
    )
    # then
    assert "1 conflict" in body and "therapist busy" in body
    assert body.count("<li") == 4


def test_the_series_preview_says_what_is_missing(as_, front_desk, plan, therapist):
    # when
    body = (
        as_(front_desk)
        .post(
            reverse("series_preview", args=[plan.pk]),
            series_post(therapist=therapist.pk, weekdays=[], count=""),
        )
        .content.decode()
    )
    # then
    assert "Weekdays: This field is required." in body
    assert "Give the number of visits or an end date." in body


def test_booking_a_series_makes_its_visits(as_, front_desk, plan, therapist):
    # when
    response = as_(front_desk).post(
        reverse("series_new", args=[plan.pk]), series_post(therapist=therapist.pk)
    )
    # then
    assert response.status_code == 302
    assert Appointment.objects.filter(plan=plan, series__isnull=False).count() == 4


def test_a_series_past_the_plan_is_refused_with_the_reason(as_, front_desk, plan, therapist):
    # when
    with nothing_written():
        response = as_(front_desk).post(
            reverse("series_new", args=[plan.pk]), series_post(therapist=therapist.pk, count="9")
        )
    # then
    assert response.status_code == 400
    assert "The plan has 8 visits" in response.content.decode()
    assert not Appointment.objects.exists()


def test_cancelling_the_rest_of_a_series_cancels_the_later_visits(as_, front_desk, plan, therapist):
    # given
    client = as_(front_desk)
    client.post(reverse("series_new", args=[plan.pk]), series_post(therapist=therapist.pk))
    second = Appointment.objects.order_by("start")[1]
    # when
    client.post(
        reverse("appointment_cancel", args=[second.pk]), {"scope": "rest", "reason": "Moved away"}
    )
    # then
    statuses = list(Appointment.objects.order_by("start").values_list("status", flat=True))
    assert statuses == ["booked", "cancelled", "cancelled", "cancelled"]


def test_moving_a_visit_onto_another_shows_the_conflict(as_, front_desk, plan):
    # given
    first = AppointmentFactory(plan=plan)
    other = AppointmentFactory(plan=plan, start=first.start + timedelta(hours=2))
    local = timezone.localtime(first.start)
    # when
    response = as_(front_desk).post(
        reverse("appointment_move", args=[other.pk]),
        {"day": local.date().isoformat(), "at": local.strftime("%H:%M"), "duration_minutes": "45"},
    )
    # then
    other.refresh_from_db()
    assert "clashes with another live appointment" in response.content.decode()
    assert other.start == first.start + timedelta(hours=2)


def test_check_in_and_no_show_from_the_visit_page(as_, front_desk, plan):
    # given
    one, two = (
        AppointmentFactory(plan=plan),
        AppointmentFactory(plan=plan, start=timezone.now() + timedelta(days=2)),
    )
    # when: one checked in on its day, two marked once it started
    with time_machine.travel(one.start - timedelta(minutes=5), tick=False):
        as_(front_desk).post(reverse("appointment_check_in", args=[one.pk]))
    with time_machine.travel(two.start + timedelta(minutes=20), tick=False):
        as_(front_desk).post(reverse("appointment_no_show", args=[two.pk]))
    # then
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == AppointmentStatus.CHECKED_IN and two.status == AppointmentStatus.NO_SHOW


def test_the_week_of_one_therapist_leaves_out_the_others(as_, front_desk, plan, other_therapist):
    # given
    AppointmentFactory(plan=plan)
    theirs = AppointmentFactory(
        therapist=other_therapist,
        plan=None,
        patient=PatientFactory(first_name="Ann", last_name="Lee"),
    )
    week = timezone.localtime(theirs.start).date().isoformat()
    # when
    one = (
        as_(front_desk)
        .get(reverse("calendar"), {"week": week, "therapist": other_therapist.pk})
        .content.decode()
    )
    every = as_(front_desk).get(reverse("calendar"), {"week": week}).content.decode()
    # then
    assert "Ann Lee" in one and "Pat Parker" not in one
    assert "Ann Lee" in every and "Pat Parker" in every


def test_a_therapist_may_not_book_a_series(as_, therapist, plan):
    # when
    response = as_(therapist).get(reverse("series_new", args=[plan.pk]))
    # then
    assert response.status_code == 403


def test_a_series_across_a_closure_and_a_clash_books_all_eight_and_says_how(
    as_, front_desk, plan, therapist
):
    # given: 8 visits from next Monday; the clinic is closed on the first Thursday
    # and Theo is busy the second Monday at 10:00
    monday = next_monday()
    Closure.objects.create(date=monday + timedelta(days=3), reason="Staff training")
    busy = timezone.make_aware(timezone.datetime.combine(monday + timedelta(days=7), time(10)))
    AppointmentFactory(therapist=therapist, plan=None, start=busy, end=busy + timedelta(hours=1))
    # when: skip the clash, make both up after the last
    response = as_(front_desk).post(
        reverse("series_new", args=[plan.pk]),
        series_post(therapist=therapist.pk, count="8", on_conflict="skip", extend="on"),
        follow=True,
    )
    # then
    body = response.content.decode()
    assert Appointment.objects.filter(plan=plan).count() == 8
    assert "8 visits booked. Skipped:" in body
    assert "(The clinic is closed: Staff training)" in body
    assert "clashes with another live visit of the therapist; free that day:" in body
    assert "2 visits made up after the last." in body


def test_a_series_that_loses_a_date_says_so_in_words(as_, front_desk, plan, therapist):
    monday = next_monday()
    Closure.objects.create(date=monday + timedelta(days=3), reason="Staff training")
    response = as_(front_desk).post(
        reverse("series_new", args=[plan.pk]),
        series_post(therapist=therapist.pk, count="2"),
        follow=True,
    )
    assert "1 of 2 visits booked. Skipped: Thu" in response.content.decode()
