"""Booking a 36-visit series through the API: a fixed, small number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import at_local
from tests.conftest import rewriting_history
from tests.factories import TreatmentPlanFactory

pytestmark = pytest.mark.django_db


def booked_with(api, front_desk, plan, count):
    body = {
        "plan": str(plan.pk),
        "therapist": str(plan.therapist_id),
        "start": at_local(1, 7).isoformat(),
        "duration_minutes": 30,
        "rrule": f"FREQ=DAILY;COUNT={count}",
    }
    client = api.as_(front_desk)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/appointment-series/", body, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["appointments"]) == count
    # transaction control (SAVEPOINT / RELEASE) is not a query of the booking's
    work = [q["sql"] for q in captured.captured_queries]
    return len([sql for sql in work if not sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN"))])


@pytest.mark.parametrize("count", [3, 36])
def test_a_series_is_booked_in_the_same_queries_whatever_its_length(
    api, front_desk, referral, therapist, count
):
    # given a plan of 60 visits
    referral.visits_prescribed = 60
    with rewriting_history():
        referral.save()
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=60)
    # when / then: under 15 queries (issue 7), 3 visits or 36
    assert booked_with(api, front_desk, plan, count) < 15
