"""The waitlist (API.md, Scheduling (v1 additions)): the front desk puts a
patient on it; a cancelled visit's slot is offered to the entries it fits;
patients with a usable channel get a link; the first acceptance books the slot
through the booking service, later ones are a 409."""

import threading
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from clinic.errors import Conflict
from clinic.models import ReminderChannel
from scheduling import waitlist
from scheduling.models import Appointment, OfferStatus, WaitlistEntry, WaitlistOffer
from scheduling.visits import cancel_appointment
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)
from tests.scheduling.conftest import local, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def whole_api(settings):
    settings.ROOT_URLCONF = "clinic.urls"
    settings.SITE_URL = "https://clinic.example"


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def freed(plan, monday):
    """Pat's visit with Theo on Monday 10:00-10:45, about to be cancelled."""
    return AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))


def waiting(
    plan_therapist, doctor, *, name, channel=ReminderChannel.EMAIL, valid_until=None, **entry
):
    """A patient with an approved plan with Theo, on the waitlist for Mondays
    and Thursdays 09:00-12:00 over the next four weeks (or as `entry` says)."""
    patient = PatientFactory(
        first_name=name, last_name="Waiting", reminder_channel=channel, reminder_consent=True
    )
    referral = ReferralFactory(
        patient=patient, doctor=doctor,
        **({"valid_until": valid_until} if valid_until else {}),
    )  # fmt: skip
    plan = TreatmentPlanFactory(referral=referral, therapist=plan_therapist)
    fields = {
        "earliest": timezone.localdate(), "latest": timezone.localdate() + timedelta(days=28),
        "weekdays": ["MO", "TH"], "from_time": time(9), "to_time": time(12), **entry,
    }  # fmt: skip
    return WaitlistEntry.objects.create(
        patient=patient, plan=plan, created_by=plan_therapist, **fields
    )


def _body(entry_plan, **change):
    return {
        "patient": str(entry_plan.patient_id), "plan": str(entry_plan.pk),
        "earliest": timezone.localdate().isoformat(),
        "latest": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "weekdays": ["MO", "WE"], "from_time": "09:00", "to_time": "13:00", **change,
    }  # fmt: skip


# --- the list -------------------------------------------------------------------------------


def test_the_front_desk_puts_a_patient_on_the_waitlist(api, front_desk, plan):
    response = api.as_(front_desk).post("/api/v1/waitlist/", _body(plan), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["weekdays"] == ["MO", "WE"] and body["therapist"] is None
    assert {"id", "patient", "plan", "therapist", "earliest", "latest", "weekdays",
            "from_time", "to_time"} <= set(body)  # fmt: skip


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weekdays": ["XX"]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"latest": "2000-01-01"}, "latest"),
        ({"from_time": "13:00", "to_time": "09:00"}, "to_time"),
    ],
)
def test_a_bad_entry_is_a_400_naming_the_field(api, front_desk, plan, change, field):
    response = api.as_(front_desk).post("/api/v1/waitlist/", _body(plan, **change), format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not WaitlistEntry.objects.exists()


def test_another_patients_plan_is_a_400_naming_the_plan(api, front_desk, plan):
    other = PatientFactory()
    body = {**_body(plan), "patient": str(other.pk)}
    response = api.as_(front_desk).post("/api/v1/waitlist/", body, format="json")
    assert response.status_code == 400 and "plan" in response.json()


@pytest.mark.parametrize("who", ["therapist", "doctor", "biller"])
def test_no_one_but_the_desk_reads_or_writes_the_waitlist(
    request, api, who, plan, therapist, doctor, freed
):
    entry = waiting(therapist, doctor, name="Quinn")
    cancel_appointment(appointment=freed, by=request.getfixturevalue("front_desk"))
    client = api.as_(request.getfixturevalue(who))
    offer = WaitlistOffer.objects.get()
    assert client.get("/api/v1/waitlist/").status_code == 403
    assert client.get(f"/api/v1/waitlist/{entry.pk}/").status_code == 403
    assert client.post("/api/v1/waitlist/", _body(plan), format="json").status_code == 403
    assert client.get("/api/v1/waitlist-offers/").status_code == 403
    assert client.post(f"/api/v1/waitlist-offers/{offer.pk}/accept/").status_code == 403
    assert offer.status == OfferStatus.OFFERED and not Appointment.objects.live().exists()


def test_the_manager_reads_the_waitlist_and_its_offers(api, manager, therapist, doctor):
    waiting(therapist, doctor, name="Quinn")
    client = api.as_(manager)
    assert client.get("/api/v1/waitlist/").json()["count"] == 1
    assert client.get("/api/v1/waitlist-offers/").status_code == 200


# --- offers on cancellation -----------------------------------------------------------------


def test_a_cancelled_visit_is_offered_to_the_entries_it_fits_and_they_are_told(
    front_desk, therapist, other_therapist, doctor, freed, django_capture_on_commit_callbacks
):
    # given patients waiting: one who fits, one by text, one who has no channel,
    # and four who do not fit (weekday, hours, therapist, dates)
    fits = waiting(therapist, doctor, name="Quinn")
    by_text = waiting(therapist, doctor, name="Tex", channel=ReminderChannel.SMS)
    silent = waiting(therapist, doctor, name="Nora", channel=ReminderChannel.NONE)
    waiting(therapist, doctor, name="Wednesday", weekdays=["WE"])
    waiting(therapist, doctor, name="Late", from_time=time(13), to_time=time(17))
    waiting(therapist, doctor, name="Tessa", therapist=other_therapist)
    waiting(therapist, doctor, name="Later", earliest=freed.start.date() + timedelta(days=1),
            latest=freed.start.date() + timedelta(days=9))  # fmt: skip
    mail.outbox.clear()
    # when the front desk cancels Pat's visit
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=freed, by=front_desk)
    # then the three who fit get the slot offered, and those with a channel are told
    offers = WaitlistOffer.objects.order_by("entry__patient__first_name")
    assert {o.entry for o in offers} == {fits, by_text, silent}
    assert all(o.start == freed.start and o.therapist_id == freed.therapist_id for o in offers)
    [email] = mail.outbox
    assert email.to == [fits.patient.email] and "/visit/offer/" in email.body
    assert {o.entry.patient.first_name: o.sent_by for o in offers} == {
        "Nora": "",
        "Quinn": "email",
        "Tex": "sms",
    }


def _link(offer):
    return "/" + waitlist.offer_url(offer).split("/", 3)[3]


def test_the_first_acceptance_books_the_slot_and_a_later_one_is_told_it_is_taken(
    front_desk, therapist, doctor, freed
):
    # given two patients offered Pat's freed slot
    first = waiting(therapist, doctor, name="Quinn")
    second = waiting(therapist, doctor, name="Rhea")
    cancel_appointment(appointment=freed, by=front_desk)
    offers = {o.entry_id: o for o in WaitlistOffer.objects.all()}
    # when Quinn's link is opened and accepted, then Rhea's
    page = Client().get(_link(offers[first.pk]))
    booked = Client().post(_link(offers[first.pk]))
    late = Client().post(_link(offers[second.pk]))
    again = Client().post(_link(offers[first.pk]))
    # then Quinn's page showed only Quinn, and Quinn is booked; Rhea is a 409
    assert page.status_code == 200 and "Quinn" in page.content.decode()
    assert "Rhea" not in page.content.decode() and "Waiting" not in page.content.decode()
    assert booked.status_code == 200 and "is booked" in booked.content.decode()
    assert late.status_code == 409 and "already been taken" in late.content.decode()
    assert "Quinn" not in late.content.decode()
    assert again.status_code == 409
    visit = Appointment.objects.live().get()
    assert visit.patient == first.patient and visit.start == freed.start
    assert visit.plan == first.plan and visit.reminders.exists()
    assert WaitlistOffer.objects.get(entry=second).status == OfferStatus.TAKEN
    first.refresh_from_db()
    assert not first.active


def test_a_forged_link_is_refused(client):
    response = client.get("/visit/offer/not-a-token/")
    assert response.status_code == 200 and "not valid" in response.content.decode()


def test_the_front_desk_accepts_an_offer_on_the_phone_and_a_second_is_a_409(
    api, front_desk, therapist, doctor, freed
):
    first = waiting(therapist, doctor, name="Quinn")
    second = waiting(therapist, doctor, name="Rhea")
    cancel_appointment(appointment=freed, by=front_desk)
    offers = {o.entry_id: o for o in WaitlistOffer.objects.all()}
    client = api.as_(front_desk)
    booked = client.post(f"/api/v1/waitlist-offers/{offers[first.pk].pk}/accept/")
    late = client.post(f"/api/v1/waitlist-offers/{offers[second.pk].pk}/accept/")
    assert booked.status_code == 201 and booked.json()["patient"] == str(first.patient_id)
    assert late.status_code == 409 and late.json()["code"] == "conflict"
    listed = client.get("/api/v1/waitlist-offers/").json()["results"]
    assert {o["status"] for o in listed} == {"accepted", "taken"}


def test_an_acceptance_keeps_every_booking_rule(front_desk, therapist, doctor, freed):
    # given Quinn's referral runs out today, before the freed Monday
    waiting(therapist, doctor, name="Quinn", valid_until=timezone.localdate())
    cancel_appointment(appointment=freed, by=front_desk)
    offer = WaitlistOffer.objects.get()
    # then accepting is refused with the plan's reason, and nothing is booked
    response = Client().post(_link(offer))
    assert response.status_code == 409 and "call us" in response.content.decode()
    assert not Appointment.objects.live().exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_acceptances_of_one_slot_exactly_one_books(
    front_desk, therapist, doctor, plan, monday
):
    # given a freed slot offered to two patients
    freed = AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))
    waiting(therapist, doctor, name="Quinn")
    waiting(therapist, doctor, name="Rhea")
    cancel_appointment(appointment=freed, by=front_desk)
    offers = list(WaitlistOffer.objects.all())
    outcomes: list = []
    barrier = threading.Barrier(2)

    def accept(offer):
        barrier.wait()
        try:
            waitlist.accept_offer(offer=offer)
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when both accept at the same instant
    threads = [threading.Thread(target=accept, args=(o,)) for o in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one is booked
    assert sorted(outcomes) == ["booked", "conflict"]
    assert Appointment.objects.live().count() == 1
    assert WaitlistOffer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1


# --- lists cost the same whatever their length ---------------------------------------------


def test_the_waitlist_and_its_offers_cost_the_same_for_2_and_12_rows(
    api, front_desk, therapist, doctor, plan, monday
):
    from django.test.utils import CaptureQueriesContext

    client = api.as_(front_desk)

    def add(count, hour):
        for i in range(count):
            waiting(therapist, doctor, name=f"P{hour}{i}")
        freed = AppointmentFactory(
            plan=plan, start=local(monday, hour), end=local(monday, hour, 30)
        )
        cancel_appointment(appointment=freed, by=front_desk)

    def cost():
        counts = []
        for url in ("/api/v1/waitlist/", "/api/v1/waitlist-offers/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    add(2, 9)
    few = cost()
    add(10, 10)
    assert cost() == few


# --- the front desk's calendar shows the open offers ---------------------------------------


def test_the_calendar_shows_the_desk_the_open_offers_of_the_day(
    front_desk, therapist, doctor, freed, monday
):
    waiting(therapist, doctor, name="Quinn")
    cancel_appointment(appointment=freed, by=front_desk)
    desk, theo = Client(), Client()
    desk.force_login(front_desk)
    theo.force_login(therapist)
    url = f"/week/?view=day&date={monday.isoformat()}"
    shown = desk.get(url).content.decode()
    assert "Waitlist offers" in shown and "Quinn Waiting" in shown and "10:00–10:45" in shown
    assert "Waitlist offers" not in theo.get(url).content.decode()


def test_an_undone_cancellation_closes_its_offers(front_desk, therapist, doctor, freed):
    from scheduling.visits import revert_status

    waiting(therapist, doctor, name="Quinn")
    cancel_appointment(appointment=freed, by=front_desk)
    revert_status(appointment=freed, by=front_desk)
    offer = WaitlistOffer.objects.get()
    assert offer.status == OfferStatus.TAKEN
    assert Client().post(_link(offer)).status_code == 409
