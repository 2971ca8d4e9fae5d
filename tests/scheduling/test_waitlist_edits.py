"""Waitlist entries changed and withdrawn through the API (issue 15): PATCH
changes an open entry's wishes, checked whole as a new entry is, and withdraws
the open offers it no longer fits; POST .../withdraw/ closes the entry and
keeps it, and its offers' links book nothing. Only the front desk writes;
every change is audited; If-Match guards both."""

from datetime import time

import pytest
from django.test import Client

from clinic.models import AuditEvent
from scheduling.models import Appointment, OfferStatus, WaitlistEntry, WaitlistOffer
from scheduling.visits import cancel_appointment
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory
from tests.scheduling.conftest import local, next_weekday
from tests.scheduling.test_waitlist import _link, waiting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def whole_api(settings):
    settings.ROOT_URLCONF = "clinic.urls"
    settings.SITE_URL = "https://clinic.example"


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def quinn(therapist, doctor):
    """Quinn waits for Mondays and Thursdays 09:00-12:00 over four weeks."""
    return waiting(therapist, doctor, name="Quinn")


def url(entry, tail=""):
    return f"/api/v1/waitlist/{entry.pk}/{tail}"


def test_the_front_desk_changes_the_weekdays_and_hours_of_an_entry(api, front_desk, quinn):
    # when the front desk moves Quinn to Tuesday afternoons
    response = api.as_(front_desk).patch(
        url(quinn), {"weekdays": ["TU"], "from_time": "13:00", "to_time": "17:00"}, format="json"
    )
    # then the entry says so, its version moved on, and the change is audited by name
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["weekdays"], body["from_time"], body["to_time"]) == (
        ["TU"],
        "13:00:00",
        "17:00:00",
    )
    assert response["ETag"] == '"2"'
    event = AuditEvent.objects.get(action="waitlist.update")
    assert event.actor == front_desk and event.patient == quinn.patient
    assert event.detail == "changed from_time, to_time, weekdays"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weekdays": ["XX"]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"latest": "2000-01-01"}, "latest"),
        ({"to_time": "08:00"}, "to_time"),  # before the entry's own from_time 09:00
        ({"earliest": "2099-01-01"}, "latest"),  # after the entry's own latest
        ({"patient": "__other__"}, "patient"),
        ({"plan": "__other_plan__"}, "plan"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field_and_changes_nothing(
    api, front_desk, quinn, change, field
):
    other = PatientFactory()
    if change.get("patient") == "__other__":
        change = {"patient": str(other.pk)}
    if change.get("plan") == "__other_plan__":
        change = {"plan": str(TreatmentPlanFactory(referral__patient=other).pk)}
    response = api.as_(front_desk).patch(url(quinn), change, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    fresh = WaitlistEntry.objects.get(pk=quinn.pk)
    assert (fresh.weekdays, fresh.to_time, fresh.version) == (["MO", "TH"], time(12), 1)
    assert not AuditEvent.objects.filter(action="waitlist.update").exists()


def test_a_change_the_entry_no_longer_fits_withdraws_its_open_offer(
    api, front_desk, quinn, plan, monday
):
    # given Pat's Monday 10:00 visit cancelled and offered to Quinn
    freed = AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))
    cancel_appointment(appointment=freed, by=front_desk)
    offer = WaitlistOffer.objects.get(entry=quinn)
    # when Quinn now comes only on Thursdays
    response = api.as_(front_desk).patch(url(quinn), {"weekdays": ["TH"]}, format="json")
    # then the Monday offer is withdrawn, and its link books nothing
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    late = Client().post(_link(offer))
    assert late.status_code == 409 and "withdrawn" in late.content.decode()
    assert not Appointment.objects.live().exists()


def test_a_change_that_still_fits_keeps_the_offer(api, front_desk, quinn, plan, monday):
    freed = AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))
    cancel_appointment(appointment=freed, by=front_desk)
    response = api.as_(front_desk).patch(url(quinn), {"to_time": "11:00"}, format="json")
    assert response.status_code == 200
    assert WaitlistOffer.objects.get(entry=quinn).status == OfferStatus.OFFERED


def test_a_body_that_changes_nothing_keeps_the_version(api, front_desk, quinn):
    response = api.as_(front_desk).patch(url(quinn), {"weekdays": ["MO", "TH"]}, format="json")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert not AuditEvent.objects.filter(action="waitlist.update").exists()


def test_a_stale_if_match_is_a_412_and_changes_nothing(api, front_desk, quinn):
    client = api.as_(front_desk)
    first = client.patch(url(quinn), {"weekdays": ["TU"]}, format="json", HTTP_IF_MATCH='"1"')
    stale = client.patch(url(quinn), {"weekdays": ["WE"]}, format="json", HTTP_IF_MATCH='"1"')
    withdraw = client.post(url(quinn, "withdraw/"), {}, format="json", HTTP_IF_MATCH='"1"')
    assert (first.status_code, stale.status_code, withdraw.status_code) == (200, 412, 412)
    quinn.refresh_from_db()
    assert quinn.weekdays == ["TU"] and quinn.active


def test_withdrawing_keeps_the_entry_and_withdraws_its_offers(
    api, front_desk, quinn, plan, monday, django_assert_max_num_queries
):
    # given Pat's Monday visit cancelled and offered to Quinn
    freed = AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))
    cancel_appointment(appointment=freed, by=front_desk)
    offer = WaitlistOffer.objects.get(entry=quinn)
    client = api.as_(front_desk)
    # when the front desk takes Quinn off the waitlist
    with django_assert_max_num_queries(14):
        response = client.post(url(quinn, "withdraw/"), {"reason": "Feeling better"}, format="json")
    # then the entry is closed and kept with when and why, out of the open list but in ?all=1
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["active"] is False and body["withdraw_reason"] == "Feeling better"
    assert body["withdrawn_at"] is not None
    assert client.get("/api/v1/waitlist/").json()["count"] == 0
    assert client.get("/api/v1/waitlist/?all=1").json()["count"] == 1
    assert client.get(url(quinn)).status_code == 200
    # and the offer's link books nothing
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    assert Client().post(_link(offer)).status_code == 409
    assert not Appointment.objects.live().exists()
    event = AuditEvent.objects.get(action="waitlist.withdraw")
    assert (event.actor, event.patient, event.detail) == (
        front_desk,
        quinn.patient,
        "Feeling better",
    )


def test_a_withdrawn_entry_is_not_offered_a_freed_slot(api, front_desk, quinn, plan, monday):
    api.as_(front_desk).post(url(quinn, "withdraw/"), {}, format="json")
    freed = AppointmentFactory(plan=plan, start=local(monday, 10), end=local(monday, 10, 45))
    cancel_appointment(appointment=freed, by=front_desk)
    assert not WaitlistOffer.objects.exists()


def test_a_closed_entry_is_a_409_to_change_or_withdraw(api, front_desk, quinn):
    client = api.as_(front_desk)
    assert client.post(url(quinn, "withdraw/"), {}, format="json").status_code == 200
    again = client.post(url(quinn, "withdraw/"), {}, format="json")
    change = client.patch(url(quinn), {"weekdays": ["TU"]}, format="json")
    assert again.status_code == 409 and "withdrawn" in again.json()["detail"]
    assert change.status_code == 409
    assert AuditEvent.objects.filter(action="waitlist.withdraw").count() == 1


def test_a_too_long_reason_is_a_400_naming_it(api, front_desk, quinn):
    response = api.as_(front_desk).post(
        url(quinn, "withdraw/"), {"reason": "x" * 501}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    quinn.refresh_from_db()
    assert quinn.active


@pytest.mark.parametrize("who", ["manager", "therapist", "doctor", "biller"])
def test_only_the_front_desk_changes_or_withdraws_an_entry(request, api, who, quinn):
    client = api.as_(request.getfixturevalue(who))
    assert client.patch(url(quinn), {"weekdays": ["TU"]}, format="json").status_code == 403
    assert client.post(url(quinn, "withdraw/"), {}, format="json").status_code == 403
    quinn.refresh_from_db()
    assert quinn.active and quinn.weekdays == ["MO", "TH"]


def test_an_unknown_entry_is_a_404(api, front_desk, quinn):
    client = api.as_(front_desk)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.patch(f"/api/v1/waitlist/{missing}/", {}, format="json").status_code == 404
    assert (
        client.post(f"/api/v1/waitlist/{missing}/withdraw/", {}, format="json").status_code == 404
    )


def test_the_therapist_can_be_set_and_cleared(api, front_desk, quinn, other_therapist):
    client = api.as_(front_desk)
    set_ = client.patch(url(quinn), {"therapist": str(other_therapist.pk)}, format="json")
    cleared = client.patch(url(quinn), {"therapist": None}, format="json")
    assert set_.json()["therapist"] == str(other_therapist.pk)
    assert cleared.json()["therapist"] is None


def test_put_replaces_the_wishes_and_keeps_the_patient(api, front_desk, quinn):
    body = {
        "patient": str(quinn.patient_id), "plan": str(quinn.plan_id),
        "earliest": quinn.earliest.isoformat(), "latest": quinn.latest.isoformat(),
        "weekdays": ["FR"], "from_time": "08:00", "to_time": "10:00",
    }  # fmt: skip
    response = api.as_(front_desk).put(url(quinn), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["weekdays"] == ["FR"] and response.json()["therapist"] is None
