"""The front desk's waitlist page (issue 15): the open entries in the order
offers go out, with their open offers; a filter for the closed ones; an entry
added for a patient found by name, changed and withdrawn through the
waitlist's services; a change made meanwhile is shown, never overwritten; the
manager reads; every other role is refused."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling.models import OfferStatus, WaitlistEntry, WaitlistOffer
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db


def waiting(desk, *, first="Quinn", plan=None, **wishes):
    plan = plan or TreatmentPlanFactory(referral__patient=PatientFactory(first_name=first))
    fields = {
        "earliest": timezone.localdate(), "latest": timezone.localdate() + timedelta(days=28),
        "weekdays": ["TH", "MO"], "from_time": time(9), "to_time": time(12, 30), **wishes,
    }  # fmt: skip
    return WaitlistEntry.objects.create(patient=plan.patient, plan=plan, created_by=desk, **fields)


def wishes(entry, **change):
    today = timezone.localdate()
    data = {
        "plan": entry.plan_id if entry else "", "therapist": "", "earliest": today.isoformat(),
        "latest": (today + timedelta(days=14)).isoformat(), "weekdays": ["TU", "FR"],
        "from_time": "08:00", "to_time": "17:30", "version": entry.version if entry else "",
    }  # fmt: skip
    return {**data, **change}


def test_the_desk_sees_the_open_entries_in_the_order_offers_go_out(as_, front_desk, clock):
    # given two entries, the older first, and an open offer to the second
    older = waiting(front_desk, first="Ann")
    clock.move_to(timezone.now() + timedelta(minutes=5))
    newer = waiting(front_desk, first="Bo", therapist=older.plan.therapist)
    freed = AppointmentFactory(start=clock.at(1, 13), end=clock.at(1, 13, 45))
    WaitlistOffer.objects.create(
        entry=newer, freed=freed, therapist=freed.therapist, start=freed.start, end=freed.end
    )
    # when
    response = as_(front_desk).get(reverse("waitlist"))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(str(older.patient)) < body.index(str(newer.patient))
    assert reverse("patient_detail", args=[older.patient_id]) in body
    assert "Mon, Thu" in body and "09:00–12:30" in body and "13:00–13:45" in body
    assert reverse("waitlist_edit", args=[older.pk]) in body
    assert 'aria-current="page">Waitlist</a>' in body  # the nav's link
    # and each entry's read is audited
    assert AuditEvent.objects.filter(action="waitlist.read").count() == 2


def test_the_closed_filter_shows_the_withdrawn_with_their_reason(as_, front_desk):
    # given one open, one withdrawn
    waiting(front_desk, first="Ann")
    gone = waiting(front_desk, first="Bo")
    client = as_(front_desk)
    client.post(
        reverse("waitlist_withdraw", args=[gone.pk]),
        {"reason": "Found another clinic.", "version": gone.version},
    )
    # when
    waiting_now = client.get(reverse("waitlist")).content.decode()
    closed = client.get(reverse("waitlist") + "?show=closed").content.decode()
    # then
    assert reverse("patient_detail", args=[gone.patient_id]) not in waiting_now
    assert str(gone.patient) in closed and "Found another clinic." in closed


def test_the_manager_reads_the_list_but_keeps_nothing(as_, manager, front_desk):
    entry = waiting(front_desk)
    client = as_(manager)
    body = client.get(reverse("waitlist")).content.decode()
    assert str(entry.patient) in body and reverse("waitlist_new") not in body
    assert client.get(reverse("waitlist_new")).status_code == 403
    assert client.get(reverse("waitlist_edit", args=[entry.pk])).status_code == 403
    answer = client.post(reverse("waitlist_withdraw", args=[entry.pk]), {"reason": "No."})
    assert answer.status_code == 403
    assert WaitlistEntry.objects.get().active


@pytest.mark.parametrize("role", ["doctor", "therapist", "other_therapist", "biller"])
def test_other_roles_are_refused_and_see_nothing(request, as_, front_desk, role):
    # given Quinn on the waitlist with her own therapist
    entry = waiting(front_desk)
    client = as_(request.getfixturevalue(role))
    for url in (
        reverse("waitlist"), reverse("waitlist") + "?show=closed",
        reverse("waitlist_new") + f"?patient={entry.patient_id}",
        reverse("waitlist_edit", args=[entry.pk]),
    ):  # fmt: skip
        read = client.get(url)
        assert read.status_code == 403 and str(entry.patient) not in read.content.decode(), url
    for url in (
        reverse("waitlist_edit", args=[entry.pk]),
        reverse("waitlist_withdraw", args=[entry.pk]),
    ):
        assert client.post(url, {**wishes(entry), "reason": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.active and entry.version == 1


def test_a_signed_in_patient_is_refused(client, front_desk):
    from tests.security.test_patient_leaks import refused, signed_in_both_ways

    entry = waiting(front_desk)
    pages, _api = signed_in_both_ways(entry.patient)
    for url in (reverse("waitlist"), reverse("waitlist_edit", args=[entry.pk])):
        assert refused(pages.get(url)), url
        assert refused(pages.post(url, wishes(entry))), url
    assert refused(pages.post(reverse("waitlist_withdraw", args=[entry.pk]), {"reason": "x"}))
    assert WaitlistEntry.objects.get().active


def test_the_desk_finds_the_patient_and_adds_an_entry(as_, front_desk, plan):
    client = as_(front_desk)
    # when the desk searches by name
    found = client.get(reverse("waitlist_new") + f"?q={plan.patient.last_name}").content.decode()
    chosen = reverse("waitlist_new") + f"?patient={plan.patient_id}"
    assert chosen in found
    # and chooses the patient: the plan is offered by its dates, the hours in 24-hour time
    form = client.get(chosen).content.decode()
    assert "(24-hour)" in form and 'placeholder="HH:MM"' in form
    response = client.post(chosen, wishes(None, plan=plan.pk, therapist=plan.therapist_id))
    # then the entry is kept, as asked
    assert response.status_code == 302 and response["Location"] == reverse("waitlist")
    entry = WaitlistEntry.objects.get()
    assert entry.patient == plan.patient and entry.therapist == plan.therapist
    assert entry.weekdays == ["TU", "FR"] and entry.to_time == time(17, 30)


def test_bad_wishes_are_named_beside_their_field_and_nothing_is_written(as_, front_desk, plan):
    client = as_(front_desk)
    url = reverse("waitlist_new") + f"?patient={plan.patient_id}"
    today = timezone.localdate()
    # when the latest day comes before the earliest (the service's rule), and 7 pm is typed
    response = client.post(
        url, wishes(None, plan=plan.pk, latest=(today - timedelta(1)).isoformat())
    )
    twelve = client.post(url, wishes(None, plan=plan.pk, to_time="7:30 PM", weekdays=[]))
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_latest_error"' in body
    assert "The latest day comes on or after the earliest." in body
    assert twelve.status_code == 400
    assert 'id="id_to_time_error"' in twelve.content.decode()
    assert 'id="weekdays-errors"' in twelve.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_the_desk_changes_an_entry_and_its_unfit_offers_go(as_, front_desk, clock):
    entry = waiting(front_desk)
    client = as_(front_desk)
    page = client.get(reverse("waitlist_edit", args=[entry.pk])).content.decode()
    assert 'name="version" value="1"' in page and 'value="09:00"' in page
    assert AuditEvent.objects.filter(action="waitlist.read", target_id=str(entry.pk)).exists()
    # when
    response = client.post(reverse("waitlist_edit", args=[entry.pk]), wishes(entry))
    # then
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.version == 2 and entry.weekdays == ["TU", "FR"] and entry.from_time == time(8)


def test_a_change_made_meanwhile_is_shown_and_not_overwritten(as_, front_desk):
    # given the desk read version 1, and someone changed the hours since
    entry = waiting(front_desk)
    WaitlistEntry.objects.filter(pk=entry.pk).update(version=2, from_time=time(10))
    client = as_(front_desk)
    # when the desk saves what it read
    response = client.post(reverse("waitlist_edit", args=[entry.pk]), wishes(entry))
    withdrawn = client.post(
        reverse("waitlist_withdraw", args=[entry.pk]), {"reason": "Moved away.", "version": 1}
    )
    # then nothing is written, the change is shown, and the form holds the new version
    body = response.content.decode()
    assert response.status_code == 409 and withdrawn.status_code == 409
    assert "Someone changed this entry since you opened it" in body
    assert "10:00–12:30" in body and 'name="version" value="2"' in body
    assert 'value="08:00"' in body  # the desk's own input kept
    entry.refresh_from_db()
    assert entry.version == 2 and entry.active and entry.weekdays == ["TH", "MO"]
    # and saving again, having seen it, goes through
    again = client.post(reverse("waitlist_edit", args=[entry.pk]), wishes(entry))
    assert again.status_code == 302


def test_the_desk_withdraws_with_a_reason_and_its_offers_close(as_, front_desk, clock):
    entry = waiting(front_desk)
    freed = AppointmentFactory(start=clock.at(1, 10), end=clock.at(1, 10, 45))
    offer = WaitlistOffer.objects.create(
        entry=entry, freed=freed, therapist=freed.therapist, start=freed.start, end=freed.end
    )
    client = as_(front_desk)
    url = reverse("waitlist_withdraw", args=[entry.pk])
    # when the reason is left out
    empty = client.post(url, {"reason": "", "version": 1})
    assert empty.status_code == 400 and 'id="id_reason_error"' in empty.content.decode()
    # when given
    response = client.post(url, {"reason": "Feels better.", "version": 1})
    # then
    assert response.status_code == 302
    entry.refresh_from_db()
    offer.refresh_from_db()
    assert not entry.active and entry.withdraw_reason == "Feels better."
    assert offer.status == OfferStatus.WITHDRAWN
    # and the closed entry's page says so, with no form
    page = client.get(reverse("waitlist_edit", args=[entry.pk])).content.decode()
    assert "This entry was withdrawn" in page and "Save the changes" not in page
    again = client.post(reverse("waitlist_edit", args=[entry.pk]), wishes(entry))
    assert again.status_code == 409


def build(desk, count, closed=False):
    for i in range(count):
        entry = waiting(desk, first=f"P{i}", active=not closed)
        freed = AppointmentFactory(
            plan=TreatmentPlanFactory(),
            start=timezone.now() + timedelta(days=1, hours=i),
            end=timezone.now() + timedelta(days=1, hours=i, minutes=45),
        )
        WaitlistOffer.objects.create(
            entry=entry, freed=freed, therapist=freed.therapist, start=freed.start, end=freed.end
        )


@pytest.mark.parametrize("show", ["", "?show=closed"])
def test_the_list_costs_the_same_queries_with_2_and_20_entries(
    as_, front_desk, show, django_assert_max_num_queries
):
    build(front_desk, 2, closed=bool(show))
    client = as_(front_desk)
    url = reverse("waitlist") + show
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    build(front_desk, 18, closed=bool(show))
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<td><a href="/patients/') == 20
    with CaptureQueriesContext(connection) as twenty:
        client.get(url)
    assert len(twenty) == len(two)
