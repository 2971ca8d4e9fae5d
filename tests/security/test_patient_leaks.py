"""A patient is a new kind of caller (issue 14): a patient session reaches only
the portal (/api/v1/portal/ and the patient pages), and only its own patient.

Two walks over every URL pattern of the app, ids filled in from Pat's whole
record (the leak walk's `record`):
- Pat himself, signed in both ways (the pages' session and a patient token),
  asks every staff URL: each refuses him, shows nothing clinical, changes
  nothing; not even his own referral or notes open to him there;
- Quinn, another patient, asks every portal URL with Pat's ids: 404s, and
  nothing of Pat's comes back or changes.
Each walk has a positive control proving it can see."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from clinic.models import Patient
from portal import sign_in
from portal.models import PatientSessionKind
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory
from tests.security.test_no_leaks import (
    CLINICAL_MARKS,
    PATIENT_NAME,
    body,
    client_for,
    snapshot,
    urls_for,
)
from tests.security.test_no_leaks import record as leak_record

pytestmark = pytest.mark.django_db
record = leak_record

PORTAL_PREFIXES = ("/portal/", "/api/v1/portal/")
# open to anyone: the staff sign-in page, and the token endpoints answer a 400 to {}
PUBLIC = {"/", "/api/v1/auth/token/"}
REFUSED = (401, 403, 404, 405)


def _link(patient) -> str:
    return sign_in.issue_link(patient=patient, by=None).rsplit("/p/", 1)[1]


def signed_in_both_ways(patient) -> list:
    """The patient's browser (pages' session) and an API client with their token."""
    pages = Client()
    response = pages.post(f"/p/{_link(patient)}", {"date_of_birth": patient.date_of_birth})
    assert response.status_code == 302
    _session, secret = sign_in.redeem(
        token=_link(patient), date_of_birth=patient.date_of_birth, kind=PatientSessionKind.API
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return [pages, api]


def refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    # a staff page sends a stranger to the staff sign-in
    return response.status_code == 302 and response["Location"].startswith("/?next=")


def test_a_signed_in_patient_reaches_nothing_of_the_staffs(record):
    # given Pat, signed in to the portal in a browser and with a token
    patient = record["patient"]
    clients = signed_in_both_ways(patient)
    before = snapshot(record)
    reached, leaks, walked = [], [], 0
    for url, _kind in urls_for(record):
        if url.startswith(PORTAL_PREFIXES) or url in PUBLIC:
            continue
        walked += 1
        for client in clients:
            # when he asks a staff URL, and posts to it
            read = client.get(url)
            leaks += [f"GET {url}: {m}" for m in [*CLINICAL_MARKS, PATIENT_NAME] if m in body(read)]
            if not refused(read):
                reached.append(f"GET {url}: {read.status_code}")
            if url != "/logout/":
                wrote = client.post(url, {}, content_type="application/json")
                if not refused(wrote) and wrote.status_code != 400:
                    reached.append(f"POST {url}: {wrote.status_code}")
    # then every one refused him, showed nothing, changed nothing
    assert walked > 60
    assert reached == []
    assert leaks == []
    assert snapshot(record) == before
    # and his portal session is still alive: the walk was made signed in
    pages, api = clients
    assert pages.get("/portal/").status_code == 200
    assert api.get("/api/v1/portal/appointments/").status_code == 200


def test_the_walk_of_staff_urls_sees_when_someone_may_read(record, therapist):
    # positive control: Theo, Pat's therapist, on the same walk reads marks
    client = client_for(therapist)
    seen = set()
    for url, _kind in urls_for(record):
        if not url.startswith(PORTAL_PREFIXES):
            seen |= {m for m in CLINICAL_MARKS if m in body(client.get(url))}
    assert {"Note-mark-5521", "Precaution-mark-7731"} <= seen


def not_hers(response, *, own_door: bool) -> bool:
    """Through its own door (the pages' session on a page, the token on the API):
    404 (not hers) or 405. Through the other: not signed in at all."""
    if response.status_code == 405:
        return True
    if own_door:
        return response.status_code == 404
    if response.status_code == 401:
        return True
    return response.status_code == 302 and response["Location"] == "/portal/signed-out/"


def _pats_visit_state(record):
    visit = Appointment.objects.get(pk=record["appointment"].pk)
    return visit.status, visit.confirmed_at, Patient.objects.get(pk=record["patient"].pk).version


def test_another_patient_gets_nothing_of_pats_on_any_portal_url(record):
    # given Quinn, another patient with a visit of her own, signed in both ways
    quinn = PatientFactory(first_name="Quinn", last_name="Other")
    AppointmentFactory(patient=quinn, plan=None)
    clients = signed_in_both_ways(quinn)
    before = _pats_visit_state(record)
    leaks, reached, walked = [], [], 0
    for url, kind in urls_for(record):
        if not url.startswith(PORTAL_PREFIXES) or url == "/portal/sign-out/":
            continue
        walked += 1
        for client in clients:
            own_door = (client is clients[1]) == url.startswith("/api/")
            # when she asks each portal URL with Pat's ids, and posts to it
            read = client.get(url)
            marks = [PATIENT_NAME, "Theo", str(record["appointment"].pk), *CLINICAL_MARKS]
            leaks += [f"GET {url}: {m}" for m in marks if m in body(read)]
            if kind and not not_hers(read, own_door=own_door):
                reached.append(f"GET {url}: {read.status_code}")
            wrote = client.post(url, {}, content_type="application/json")
            if kind and not not_hers(wrote, own_door=own_door):
                reached.append(f"POST {url}: {wrote.status_code}")
    # then nothing of Pat's came back, and nothing changed
    assert walked >= 8
    assert leaks == []
    assert reached == []
    assert _pats_visit_state(record) == before


def test_the_portal_walk_sees_pats_own_visit(record):
    # positive control: Pat himself on the same URLs reaches his visit
    pages, api = signed_in_both_ways(record["patient"])
    visit = record["appointment"]
    assert str(visit.pk) in api.get("/api/v1/portal/appointments/").content.decode()
    assert pages.get(f"/portal/visits/{visit.pk}/cancel/").status_code == 200
