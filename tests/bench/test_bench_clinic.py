"""The benchmark's own promises, on a small clinic: the seed writes a history
without double bookings, the load generator's free slots are really free, a
run is undone, and the floor ladder's rungs cost what they claim."""

from datetime import datetime, timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from bench import harness
from bench.dataset import Scale, seed, seeded_at
from billing.models import NoteService
from billing.note_services import log_session_with_services
from clinic.models import User
from referrals.models import TreatmentPlan
from scheduling.models import Appointment, Reminder
from scheduling.series import book_series
from sessions_log.models import SessionNote
from sessions_log.services import note_is_intact

SMALL = Scale(
    therapists=2,
    doctors=1,
    front_desk=1,
    patients_per_therapist=20,
    weeks_past=4,
    weeks_ahead=2,
    slots_per_day=2,
    notes=20,
)


@pytest.fixture
def clinic(db):
    seed(SMALL, log=lambda line: None)
    return SMALL


def overlapping_pairs(rows) -> int:
    rows = sorted(rows, key=lambda a: a.start)
    return sum(1 for a, b in zip(rows, rows[1:], strict=False) if b.start < a.end)


def test_the_seed_writes_the_promised_clinic(clinic):
    # given a seeded small clinic
    # then every count is the one its scale promises
    assert User.objects.filter(role="therapist").count() == clinic.therapists
    assert Appointment.objects.count() == clinic.appointments
    assert SessionNote.objects.signed().count() == clinic.notes
    assert TreatmentPlan.objects.approved().count() == clinic.patients
    # and every completed visit, and only those, has its signed, intact note
    completed = Appointment.objects.filter(status="completed")
    assert completed.count() == SessionNote.objects.count()
    assert all(note_is_intact(n) for n in SessionNote.objects.all())
    # and future visits wait for their reminders
    assert Reminder.objects.filter(status="pending", appointment__start__gt=timezone.now()).exists()


def test_no_therapist_and_no_patient_is_booked_twice_at_once(clinic):
    # given the seeded year of visits
    live = list(Appointment.objects.live())
    # then no two live visits of one therapist, or of one patient, overlap
    for key in ("therapist_id", "patient_id"):
        groups: dict = {}
        for appointment in live:
            groups.setdefault(getattr(appointment, key), []).append(appointment)
        assert sum(overlapping_pairs(rows) for rows in groups.values()) == 0


def test_seeding_twice_writes_nothing_the_second_time(clinic):
    # given a seeded clinic
    # when the seed runs again
    wrote = seed(SMALL, log=lambda line: None)
    # then it skips
    assert wrote is False
    assert Appointment.objects.count() == clinic.appointments


def test_the_free_slots_of_the_load_run_book_without_a_clash(clinic):
    # given the fixture the load generator reads
    fx = harness.fixture()
    desk = User.objects.get(username="bench_front_desk_01")
    # when the first booking of every therapist is made, as the front desk would
    for booking in fx["bookings"][: clinic.therapists * 2]:
        book_series(
            plan=TreatmentPlan.objects.get(pk=booking["plan"]),
            therapist=User.objects.get(pk=booking["therapist"]),
            first_start=datetime.fromisoformat(booking["start"]),
            duration_minutes=booking["duration_minutes"],
            rrule=booking["rrule"],
            by=desk,
        )
    # then each series got all its visits
    booked = Appointment.objects.filter(series__isnull=False)
    assert booked.count() == clinic.therapists * 2 * harness.SERIES_COUNT
    per_series = booked.values("series").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_series) == {harness.SERIES_COUNT}


def test_reset_undoes_what_a_load_run_wrote(clinic):
    # given a note logged from the backlog (with the services billing derives, as the
    # API logs it) and a series booked
    fx = harness.fixture()
    therapist = fx["therapists"][0]
    appointment_id, region, side, modalities = therapist["pool"][-1]
    log_session_with_services(
        therapist=User.objects.get(pk=therapist["id"]),
        appointment=Appointment.objects.get(pk=appointment_id),
        data={
            "pain_before": 5,
            "pain_after": 3,
            "response": "improved",
            "areas": [{"region": region, "side": side, "modalities": modalities, "minutes": 30}],
        },
    )
    booking = fx["bookings"][0]
    book_series(
        plan=TreatmentPlan.objects.get(pk=booking["plan"]),
        therapist=User.objects.get(pk=booking["therapist"]),
        first_start=datetime.fromisoformat(booking["start"]),
        duration_minutes=45,
        rrule=booking["rrule"],
        by=User.objects.get(username="bench_front_desk_01"),
    )
    assert NoteService.objects.exists()
    # when the harness resets
    undone = harness.reset()
    # then the clinic is the seeded one again, and the backlog visit is open
    assert undone == {"notes": 1, "appointments": harness.SERIES_COUNT}
    assert not NoteService.objects.exists()
    assert Appointment.objects.count() == clinic.appointments
    assert SessionNote.objects.count() == clinic.notes
    assert Appointment.objects.get(pk=appointment_id).status == "booked"
    assert seeded_at() < timezone.now()


def test_the_backlog_holds_only_started_visits_without_a_note(clinic):
    # given the fixture
    fx = harness.fixture()
    ids = [item[0] for t in fx["therapists"] for item in t["pool"]]
    # then every backlog visit has started, is booked and has no note yet
    visits = Appointment.objects.filter(pk__in=ids)
    assert visits.count() == len(ids) > 0
    assert not visits.filter(start__gt=timezone.now()).exists()
    assert not visits.exclude(status="booked").exists()
    assert not SessionNote.objects.filter(appointment__in=visits).exists()


@pytest.fixture
def floor_urls(db, settings):
    settings.ROOT_URLCONF = "bench.urls"


def test_the_plain_rung_runs_no_query(client, floor_urls, django_assert_num_queries):
    # when the lowest rung of the floor ladder is asked
    with django_assert_num_queries(0):
        response = client.get("/bench/plain/")
    # then it answers without touching the database
    assert response.status_code == 200


def test_the_select_one_rung_runs_exactly_one_query(client, floor_urls, django_assert_num_queries):
    # when the second rung is asked
    with django_assert_num_queries(1):
        response = client.get("/bench/select1/")
    # then it answers after exactly one query
    assert response.json() == {"ok": True}


def test_the_today_window_is_one_local_day(clinic):
    # given the fixture's windows
    fx = harness.fixture()
    start = datetime.fromisoformat(fx["today"]["start"])
    end = datetime.fromisoformat(fx["today"]["end"])
    # then today is the clinic's calendar day, and the week starts on its Monday
    assert timezone.localtime(start).date() == timezone.localdate()
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert datetime.fromisoformat(fx["week"]["start"]).weekday() == 0


def test_every_request_of_the_load_mix_gets_the_answer_it_expects(clinic, floor_urls):
    # given the requests the load generator sends, built from the fixture
    fx = harness.fixture()
    # when each is sent once through the whole stack
    counts = harness.query_counts(fx)
    # then each gets its expected status (200, or 201 for the note and the series)
    assert {name: c["status"] for name, c in counts.items() if not c["ok"]} == {}
    # and the pages of issue 17 are in the mix, signed in by session
    pages = [name for name in counts if name.startswith("page: ")]
    assert len(pages) == 5
    assert counts["floor 1: plain view"]["queries"] == 0
    assert counts["floor 2: SELECT 1"]["queries"] == 1
