"""A series' clash resolved date by date (issue 15): `moves` takes an
occurrence at another start of its own day (one of its suggestions), so the
series books whole; on the page each suggestion is a button that moves that
date in the preview, and the booking takes the moves made."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from scheduling.models import Appointment, Closure
from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.conftest import local, next_weekday
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db
FOUR = "FREQ=WEEKLY;BYDAY=MO;COUNT=4"


@pytest.fixture(autouse=True)
def full_urls(settings):
    settings.ROOT_URLCONF = "clinic.urls"


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def busy(therapist, monday):
    """Theo busy with Ann on the second Monday, 10:00-10:45."""
    day = monday + timedelta(days=7)
    return AppointmentFactory(
        plan=None, patient=PatientFactory(first_name="Ann"), therapist=therapist,
        start=local(day, 10), end=local(day, 10, 45),
    )  # fmt: skip


def body(plan, therapist, monday, **extra):
    return {
        "plan": str(plan.pk), "therapist": str(therapist.pk),
        "start": local(monday, 10).isoformat(), "duration_minutes": 45, "rrule": FOUR, **extra,
    }  # fmt: skip


def move(day, *, to_minute):
    occurrence, start = local(day, 10), local(day, 10, to_minute)
    return {"occurrence": occurrence.isoformat(), "start": start.isoformat()}


def test_a_clash_moved_to_a_suggestion_books_the_whole_series(
    api, front_desk, long_plan, therapist, monday, busy
):
    second = monday + timedelta(days=7)
    moves = [
        {"occurrence": local(second, 10).isoformat(), "start": local(second, 10, 45).isoformat()}
    ]
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/", body(long_plan, therapist, monday, moves=moves),
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    starts = [v["start"] for v in response.json()["appointments"]]
    assert len(starts) == 4 and response.json()["skipped"] == []
    assert Appointment.objects.get(series__isnull=False, start__date=second).start == local(
        second, 10, 45
    )


@pytest.mark.parametrize(
    "occurrence_day, hour, new_day", [(7, 9, 8), (1, 10, 1)], ids=["another-day", "not-in-rule"]
)
def test_a_move_to_another_day_or_of_no_occurrence_is_a_400_naming_moves(
    api, front_desk, long_plan, therapist, monday, occurrence_day, hour, new_day
):
    moves = [{
        "occurrence": local(monday + timedelta(days=occurrence_day), 10).isoformat(),
        "start": local(monday + timedelta(days=new_day), hour).isoformat(),
    }]  # fmt: skip
    with nothing_written():
        response = api.as_(front_desk).post(
            "/api/v1/appointment-series/", body(long_plan, therapist, monday, moves=moves),
            format="json",
        )  # fmt: skip
    assert response.status_code == 400 and "moves" in response.json(), response.json()


def test_a_move_onto_another_clash_is_still_a_409(
    api, front_desk, long_plan, therapist, monday, busy
):
    second = monday + timedelta(days=7)
    moves = [
        {"occurrence": local(second, 10).isoformat(), "start": local(second, 10, 15).isoformat()}
    ]
    with nothing_written():
        response = api.as_(front_desk).post(
            "/api/v1/appointment-series/", body(long_plan, therapist, monday, moves=moves),
            format="json",
        )  # fmt: skip
    assert response.status_code == 409


def test_the_page_moves_a_clashing_date_with_a_suggestion_button_and_books_it(
    front_desk, long_plan, therapist, monday, busy
):
    # given a closure on the third Monday, and Theo busy on the second at 10:00
    Closure.objects.create(date=monday + timedelta(days=14), reason="Staff training")
    client = Client()
    client.force_login(front_desk)
    second = monday + timedelta(days=7)
    post = {
        "therapist": str(therapist.pk), "room": "", "first_day": monday.isoformat(),
        "at": "10:00", "duration_minutes": "45", "weekdays": ["MO"], "count": "4", "until": "",
    }  # fmt: skip
    preview_url = reverse("series_preview", args=[long_plan.pk])
    first = client.post(preview_url, post).content.decode()
    # the clash shows its suggestions as choices of the form
    move = f"{second.isoformat()}T10:00@10:45"
    assert (
        "1 conflict" in first
        and f'name="move_{second:%Y%m%d}1000" value="{move}" form="series-form"' in first
    )
    # when the front desk chooses 10:45
    moved = client.post(preview_url, {**post, f"move_{second:%Y%m%d}1000": move}).content.decode()
    # then the preview has no clash, says the date moved, and keeps the move for the form
    assert "no conflict" in moved and "moved from 10:00" in moved
    assert f'name="move" value="{move}" form="series-form"' in moved
    # and booking with the closure made up gets all four
    response = client.post(
        reverse("series_new", args=[long_plan.pk]), {**post, "move": move, "extend": "on"}
    )
    assert response.status_code == 302
    visits = list(Appointment.objects.filter(series__isnull=False).order_by("start"))
    assert len(visits) == 4
    assert visits[1].start == local(second, 10, 45)
    assert visits[-1].start == local(monday + timedelta(days=28), 10)  # made up after the last


def test_a_stale_move_is_dropped_by_the_preview(front_desk, long_plan, therapist, monday):
    client = Client()
    client.force_login(front_desk)
    post = {
        "therapist": str(therapist.pk), "first_day": monday.isoformat(), "at": "11:00",
        "duration_minutes": "45", "weekdays": ["MO"], "count": "4", "until": "",
        "move": f"{monday.isoformat()}T10:00@10:45",  # made when the time was 10:00
    }  # fmt: skip
    page = client.post(reverse("series_preview", args=[long_plan.pk]), post).content.decode()
    assert "no conflict" in page and 'name="move"' not in page
