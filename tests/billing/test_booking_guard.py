"""Authorizations guard the schedule like the prescription does: a visit on a
day when the primary coverage needs an authorization and none has a visit left
is a 400 naming `authorization`, for single visits, series and moves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Authorization

from .conftest import cover

pytestmark = pytest.mark.django_db
V = "/api/v1/"


def at_local(days, hour):
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def booking(plan, days, hour=10):
    return {"patient": str(plan.patient_id), "therapist": str(plan.therapist_id),
            "plan": str(plan.pk), "start": at_local(days, hour).isoformat(),
            "end": (at_local(days, hour) + timedelta(minutes=45)).isoformat()}  # fmt: skip


def authorize(coverage, visits, *, until_days=30):
    today = timezone.localdate()
    return Authorization.objects.create(
        coverage=coverage, number="WC-7", visits=visits, units=50,
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=until_days),
    )  # fmt: skip


def test_a_visit_without_an_authorization_is_refused_naming_it(api, front_desk, plan,
                                                               workers_comp):  # fmt: skip
    cover(plan.patient, workers_comp)
    refused = api.as_(front_desk).post(V + "appointments/", booking(plan, 2))
    assert refused.status_code == 400
    assert list(refused.json()) == ["authorization"]


def test_an_authorization_with_visits_left_lets_the_visits_in_until_used_up(
    api, front_desk, plan, workers_comp
):
    authorize(cover(plan.patient, workers_comp), visits=2)
    client = api.as_(front_desk)
    assert client.post(V + "appointments/", booking(plan, 2)).status_code == 201
    assert client.post(V + "appointments/", booking(plan, 3)).status_code == 201
    third = client.post(V + "appointments/", booking(plan, 4))
    assert third.status_code == 400 and "authorization" in third.json()


def test_a_visit_after_the_authorization_ends_is_refused(api, front_desk, plan, workers_comp):
    authorize(cover(plan.patient, workers_comp), visits=10, until_days=3)
    refused = api.as_(front_desk).post(V + "appointments/", booking(plan, 5))
    assert refused.status_code == 400 and "authorization" in refused.json()


def test_a_series_past_the_authorized_visits_is_refused_whole(api, front_desk, plan,
                                                             workers_comp):  # fmt: skip
    authorize(cover(plan.patient, workers_comp), visits=3)
    series = api.as_(front_desk).post(V + "appointment-series/", {
        "plan": str(plan.pk), "therapist": str(plan.therapist_id),
        "start": at_local(2, 9).isoformat(), "duration_minutes": 45,
        "rrule": "FREQ=DAILY;COUNT=4",
    })  # fmt: skip
    assert series.status_code == 400 and list(series.json()) == ["authorization"]
    assert plan.appointments.count() == 0


def test_a_payer_that_needs_no_authorization_books_as_before(api, front_desk, plan, commercial):
    cover(plan.patient, commercial)
    assert api.as_(front_desk).post(V + "appointments/", booking(plan, 2)).status_code == 201
