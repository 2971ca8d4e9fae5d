"""The printable day sheet (issue 15, item 8): one therapist's or one room's
day in time order, with phone, kind, room or therapist, the precautions the
reader may see and space for notes; as a page (print CSS) and a PDF. Scoped by
the scheduling door: a therapist prints only their own sheet. "Now" is pinned:
Monday Dec 7, 2026, 08:30 in New York."""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from clinic.models import AuditEvent
from portal import sign_in
from referrals.models import Precaution, PrecautionKind, PrecautionSource
from scheduling.models import AppointmentStatus, Location, Room
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory

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


@pytest.fixture
def room(db):
    main = Location.objects.create(name="Main Street", time_zone="America/New_York")
    return Room.objects.create(location=main, name="Room 1")


def visit_at(plan, hour, minute=0, minutes=45, **extra):
    start = at(MONDAY, hour, minute)
    return AppointmentFactory(
        plan=plan, start=start, end=start + timedelta(minutes=minutes), **extra
    )


def sheet_url(**asked):
    query = "&".join(f"{k}={v}" for k, v in {"date": MONDAY.isoformat(), **asked}.items())
    return f"{reverse('day_sheet')}?{query}"


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[1:]


def test_the_therapists_sheet_lists_the_day_in_time_order_with_phone_and_room(
    as_, front_desk, plan, therapist, room
):
    # given Theo's Monday: Pat at 14:00 in Room 1, another patient at 09:15, and a
    # cancelled visit, and Tuesday's visit
    visit_at(plan, 14, room=room)
    early = PatientFactory(first_name="Ada", last_name="Early", phone="+15550199999")
    visit_at(TreatmentPlanFactory(referral__patient=early, therapist=therapist), 9, 15)
    visit_at(plan, 11, status=AppointmentStatus.CANCELLED)
    AppointmentFactory(plan=plan, start=at(MONDAY + timedelta(days=1), 10))
    # when the front desk opens Theo's sheet
    response = as_(front_desk).get(sheet_url(therapist=therapist.pk))
    # then two rows, in time order, each with its phone and room, and space for notes
    assert response.status_code == 200
    page = response.content.decode()
    rows = rows_of(page)
    assert len(rows) == 2
    assert "09:15–10:00" in rows[0] and "Ada Early" in rows[0] and "+15550199999" in rows[0]
    assert "14:00–14:45" in rows[1] and "Pat Parker" in rows[1] and "Room 1" in rows[1]
    assert all('class="sheet-notes"' in row for row in rows)
    assert "Treatment" in rows[1] and "2 visits." in page
    assert "css/day_sheet.css" in page  # the print stylesheet


def test_the_rooms_sheet_names_each_visits_therapist(as_, manager, plan, room):
    # given Pat with Theo in Room 1
    visit_at(plan, 10, room=room)
    # when the manager opens Room 1's sheet
    page = as_(manager).get(sheet_url(room=room.pk)).content.decode()
    # then the row names the therapist, the head names the room
    (row,) = rows_of(page)
    assert str(plan.therapist) in row and "Pat Parker" in row
    assert "Room 1 (Main Street)" in page


def test_a_therapist_sees_the_precautions_and_the_front_desk_does_not(
    as_, therapist, front_desk, doctor, plan
):
    # given: Pat takes anticoagulants (a flag on the signed referral)
    visit_at(plan, 10)
    Precaution.objects.create(
        patient=plan.patient, referral=plan.referral, kind=PrecautionKind.ANTICOAGULANTS,
        source=PrecautionSource.REFERRAL, raised_by=doctor,
    )  # fmt: skip
    # when both open Theo's sheet
    theirs = as_(therapist).get(sheet_url(therapist=therapist.pk)).content.decode()
    desk = as_(front_desk).get(sheet_url(therapist=therapist.pk)).content.decode()
    # then only the therapist sees the badge, and each printed patient is an audited read
    assert "Anticoagulants or bleeding disorder" in theirs and "sheet-flag" in theirs
    assert "Anticoagulants" not in desk and "sheet-flag" not in desk
    assert AuditEvent.objects.filter(actor=therapist, action="precaution.read").count() == 1
    printed = AuditEvent.objects.filter(action="appointment.sheet")
    assert {e.actor_id for e in printed} == {therapist.pk, front_desk.pk}
    assert {e.patient_id for e in printed} == {plan.patient_id}


def test_a_therapist_prints_only_their_own_sheet(as_, therapist, other_therapist, plan, room):
    # given Pat with Theo in Room 1
    visit_at(plan, 10, room=room)
    client = as_(other_therapist)
    # when another therapist asks for Theo's sheet, or the room's
    theos = client.get(sheet_url(therapist=therapist.pk))
    rooms = client.get(sheet_url(room=room.pk))
    own = client.get(sheet_url(therapist=other_therapist.pk))
    # then both are not found, and their own sheet has no patient of Theo's
    assert (theos.status_code, rooms.status_code, own.status_code) == (404, 404, 200)
    assert "Pat Parker" not in theos.content.decode() + own.content.decode()


@pytest.mark.parametrize("who", ["doctor", "biller"])
def test_roles_that_do_not_print_sheets_are_refused(request, as_, who, plan, therapist):
    visit_at(plan, 10)
    response = as_(request.getfixturevalue(who)).get(sheet_url(therapist=therapist.pk))
    assert response.status_code == 403
    assert "Pat Parker" not in response.content.decode()


def test_no_one_signed_in_and_a_patient_signed_in_by_link_see_nothing(client, plan, therapist):
    # given Pat's visit, and Pat signed in on the patient pages by her link
    visit_at(plan, 10)
    anonymous = Client().get(sheet_url(therapist=therapist.pk))
    token = sign_in.issue_link(patient=plan.patient, by=None).rsplit("/p/", 1)[1]
    signed_in = client.post(f"/p/{token}", {"date_of_birth": plan.patient.date_of_birth})
    assert signed_in.status_code == 302
    # when she asks for Theo's sheet
    response = client.get(sheet_url(therapist=therapist.pk))
    # then both are sent to sign in as staff, with no patient on the page
    for answer in (anonymous, response):
        assert answer.status_code == 302 and "Pat Parker" not in answer.content.decode()
        assert answer["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "asked",
    [{}, {"therapist": "not-a-uuid"}, {"room": "not-a-uuid"}, {"therapist": "x", "room": "y"}],
)
def test_a_sheet_for_nothing_or_for_two_things_is_not_found(as_, front_desk, asked):
    assert as_(front_desk).get(sheet_url(**asked)).status_code == 404


def test_a_bad_date_opens_today(as_, front_desk, therapist):
    page = as_(front_desk).get(reverse("day_sheet") + f"?date=tomorrow&therapist={therapist.pk}")
    assert page.status_code == 200 and "Monday, December 7, 2026" in page.content.decode()


def test_the_sheet_costs_the_same_queries_for_thirty_visits(
    as_, front_desk, therapist, room, django_assert_max_num_queries
):
    # given thirty patients with Theo on Monday, every 20 minutes from 08:00, in Room 1
    for i in range(30):
        visit_at(TreatmentPlanFactory(therapist=therapist), 8 + i // 3, i % 3 * 20, 15, room=room)
    client = as_(front_desk)
    # then: session, user, therapist, visits, precautions, audit insert (and savepoints)
    with django_assert_max_num_queries(9):
        response = client.get(sheet_url(therapist=therapist.pk))
    assert len(rows_of(response.content.decode())) == 30


def test_the_pdf_holds_the_same_rows(as_, front_desk, plan, therapist, room):
    # given Pat with Theo in Room 1 at 10:00
    visit_at(plan, 10, room=room)
    # when the front desk downloads the PDF
    response = as_(front_desk).get(sheet_url(therapist=therapist.pk, format="pdf"))
    # then a PDF whose text holds the day, the patient, the phone and the room
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Day sheet", "December 7, 2026", "Pat Parker", "+15550100100", "Room 1"):
        assert expected in text, expected
    assert "10:00" in text


def test_the_calendars_day_view_links_each_columns_sheet(as_, front_desk, therapist, plan):
    visit_at(plan, 10)
    page = as_(front_desk).get(reverse("calendar") + f"?date={MONDAY}").content.decode()
    assert f"{reverse('day_sheet')}?date={MONDAY}&amp;therapist={therapist.pk}" in page
    week = as_(front_desk).get(reverse("calendar") + f"?view=week&date={MONDAY}")
    assert "cal-sheet" not in week.content.decode()


def test_the_calendars_rooms_view_links_each_rooms_sheet(as_, front_desk, therapist, room):
    page = as_(front_desk).get(reverse("calendar") + f"?date={MONDAY}&by=room").content.decode()
    assert f"{reverse('day_sheet')}?date={MONDAY}&amp;room={room.pk}" in page


def test_a_therapists_calendar_links_only_their_own_sheet(as_, therapist, other_therapist):
    page = as_(therapist).get(reverse("calendar") + f"?date={MONDAY}").content.decode()
    assert f"therapist={therapist.pk}" in page and f"therapist={other_therapist.pk}" not in page
