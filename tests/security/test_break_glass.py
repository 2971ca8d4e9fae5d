"""Earlier episodes and break-the-glass (API.md, Roles): the episodes of a
patient are listed as a summary; a clinician who must read more gives a
reason and reads the whole record, read-only, for BREAK_GLASS_MINUTES; the
manager reviews every use."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import AuditEvent, BreakGlass
from tests.factories import ReferralFactory, SessionNoteFactory

pytestmark = pytest.mark.django_db
V = "/api/v1/"
REASON = "Patient in the waiting room with chest pain; need the history."


@pytest.fixture
def earlier(plan):
    """Dana's episode of Pat (Theo's plan, a note); Otto will need to read it."""
    return {"patient": plan.patient, "referral": plan.referral, "plan": plan,
            "note": SessionNoteFactory(appointment__plan=plan)}  # fmt: skip


def _glass(client, patient, reason=REASON):
    return client.post(f"{V}patients/{patient.pk}/break-glass/", {"reason": reason}, format="json")


def test_the_episodes_list_every_referral_as_a_summary(api, other_doctor, doctor, earlier):
    # given Otto's own (signed) referral of Pat beside Dana's
    own = ReferralFactory(patient=earlier["patient"], doctor=other_doctor)

    # when Otto lists Pat's episodes
    response = api.as_(other_doctor).get(f"{V}patients/{earlier['patient'].pk}/episodes/")

    # then both are there, only his in scope, and no clinical content
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert rows[str(own.pk)]["in_scope"] is True
    assert rows[str(earlier["referral"].pk)]["in_scope"] is False
    assert rows[str(earlier["referral"].pk)]["doctor"] == str(doctor.pk)
    assert set(rows[str(own.pk)]) == {"id", "doctor", "status", "signed_at", "valid_until",
                                      "in_scope"}  # fmt: skip


def test_another_doctors_draft_is_no_episode(api, other_doctor, doctor, earlier):
    ReferralFactory(patient=earlier["patient"], doctor=doctor, draft=True)
    rows = api.as_(other_doctor).get(f"{V}patients/{earlier['patient'].pk}/episodes/").json()
    assert [r["status"] for r in rows] == ["signed"]


@pytest.mark.parametrize("who, code", [("front_desk", 403), ("other_therapist", 404)])
def test_the_episodes_are_not_for_the_front_desk_nor_a_stranger(api, request, earlier, who, code):
    user = request.getfixturevalue(who)
    response = api.as_(user).get(f"{V}patients/{earlier['patient'].pk}/episodes/")
    assert response.status_code == code


def test_breaking_the_glass_opens_the_whole_record_read_only(api, other_doctor, earlier):
    # given Otto, outside Dana's episode
    client = api.as_(other_doctor)
    note_url = f"{V}session-notes/{earlier['note'].pk}/"
    assert client.get(note_url).status_code == 404

    # when he breaks the glass with a reason
    response = _glass(client, earlier["patient"])

    # then he reads the whole record until it expires, and changes nothing
    assert response.status_code == 201
    expires = timezone.datetime.fromisoformat(response.json()["expires_at"])
    assert timedelta(minutes=239) < expires - timezone.now() <= timedelta(minutes=240)
    assert client.get(note_url).status_code == 200
    assert client.get(f"{V}referrals/{earlier['referral'].pk}/").status_code == 200
    assert client.get(f"{V}treatment-plans/{earlier['plan'].pk}/progress/").status_code == 200
    fhir = client.get(f"{V}patients/{earlier['patient'].pk}/fhir/").json()
    assert str(earlier["plan"].pk) in {e["resource"]["id"] for e in fhir["entry"]}
    complete = client.post(f"{V}referrals/{earlier['referral'].pk}/complete/")
    approve = client.post(f"{V}treatment-plans/{earlier['plan'].pk}/discontinue/",
                          {"reason": "Moved away."}, format="json")  # fmt: skip
    assert complete.status_code == 404 and approve.status_code == 404
    assert client.get(f"{V}patients/{earlier['patient'].pk}/episodes/").json()[0]["in_scope"]


def test_the_glass_closes_when_it_expires(api, other_doctor, earlier, settings):
    client = api.as_(other_doctor)
    _glass(client, earlier["patient"])
    # given the time is up
    BreakGlass.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # then the record is closed again
    assert client.get(f"{V}session-notes/{earlier['note'].pk}/").status_code == 404


def test_the_glass_lasts_break_glass_minutes(api, other_doctor, earlier, settings):
    settings.BREAK_GLASS_MINUTES = 30
    expires = _glass(api.as_(other_doctor), earlier["patient"]).json()["expires_at"]
    left = timezone.datetime.fromisoformat(expires) - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_a_short_reason_is_a_400_naming_it(api, other_doctor, earlier):
    response = _glass(api.as_(other_doctor), earlier["patient"], reason="  because ")
    assert response.status_code == 400 and "reason" in response.json()
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("who", ["front_desk", "manager"])
def test_only_clinicians_break_the_glass(api, request, earlier, who):
    response = _glass(api.as_(request.getfixturevalue(who)), earlier["patient"])
    assert response.status_code == 403
    assert not BreakGlass.objects.exists()


def test_each_use_is_audited_with_its_reason_and_listed_for_the_manager(
    api, other_doctor, manager, earlier
):
    # given Otto broke the glass and read a note under it
    client = api.as_(other_doctor)
    _glass(client, earlier["patient"])
    client.get(f"{V}session-notes/{earlier['note'].pk}/")

    # then the audit trail has the use with its reason, and the read
    use = AuditEvent.objects.get(action="access.break_glass")
    assert (use.actor, use.patient, use.detail) == (other_doctor, earlier["patient"], REASON)
    assert AuditEvent.objects.filter(actor=other_doctor, action="note.read").exists()

    # and the manager lists it; nobody else may
    listed = api.as_(manager).get(f"{V}break-glass/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["actor"], row["patient"], row["reason"]) == (
        str(other_doctor.pk), str(earlier["patient"].pk), REASON)  # fmt: skip
    assert set(row) == {"id", "actor", "patient", "reason", "at", "expires_at"}
    assert api.as_(other_doctor).get(f"{V}break-glass/").status_code == 403


def test_the_manager_sees_the_uses_in_the_admin(client, api, other_doctor, manager, earlier):
    _glass(api.as_(other_doctor), earlier["patient"])
    client.force_login(manager)
    body = client.get("/admin/clinic/breakglass/").content.decode()
    assert "chest pain" in body


def test_a_therapist_breaks_the_glass_only_for_their_own_patient(api, other_therapist, earlier):
    # Pat is not in Tess's scope: the patient is "not found"
    assert _glass(api.as_(other_therapist), earlier["patient"]).status_code == 404
