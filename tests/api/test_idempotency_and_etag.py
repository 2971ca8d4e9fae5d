"""API.md, General: `Idempotency-Key` on POST and `ETag`/`If-Match` on details."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.idempotency import purge_idempotency_keys
from clinic.models import IdempotencyKey, Patient
from referrals.models import Referral
from sessions_log.models import SessionNote
from tests.api.test_permission_matrix import _note_body

pytestmark = pytest.mark.django_db

ANN = {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-01-02"}


def _post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_repeating_a_note_with_its_key_answers_the_first_note_again(api, world, therapist):
    # given a note sent with a key
    client = api.as_(therapist)
    first = _post(client, "/api/v1/session-notes/", _note_body(world), "tablet-1")

    # when the tablet, unsure it arrived, sends it again
    again = _post(client, "/api/v1/session-notes/", _note_body(world), "tablet-1")

    # then the same 201 and the same note; one note exists
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert SessionNote.objects.filter(appointment=world["started_visit"]).count() == 1


def test_the_same_key_with_another_body_is_a_422(api, front_desk):
    client = api.as_(front_desk)
    assert _post(client, "/api/v1/patients/", ANN, "k").status_code == 201
    response = _post(client, "/api/v1/patients/", {**ANN, "first_name": "Bo"}, "k")
    assert response.status_code == 422
    assert Patient.objects.filter(last_name="Lee").count() == 1


def test_keys_are_per_user(api, front_desk, doctor):
    assert _post(api.as_(front_desk), "/api/v1/patients/", ANN, "k").status_code == 201
    # the same body from another user: a namesake, confirmed (else a 409 duplicate)
    namesake = {**ANN, "confirm_new": True}
    assert _post(api.as_(doctor), "/api/v1/patients/", namesake, "k").status_code == 201
    assert Patient.objects.filter(last_name="Lee").count() == 2


def test_a_refused_request_keeps_no_key_so_a_corrected_retry_goes_through(api, front_desk):
    client = api.as_(front_desk)
    refused = _post(client, "/api/v1/patients/", {**ANN, "date_of_birth": "soon"}, "k")
    assert refused.status_code == 400
    assert _post(client, "/api/v1/patients/", ANN, "k").status_code == 201


def test_a_key_older_than_a_day_is_forgotten_and_purged(api, front_desk):
    client = api.as_(front_desk)
    _post(client, "/api/v1/patients/", ANN, "k")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))

    # a day later the same key is a new request
    bo = {**ANN, "first_name": "Bo", "confirm_new": True}  # Ann's namesake, confirmed
    assert _post(client, "/api/v1/patients/", bo, "k").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert purge_idempotency_keys() == 1
    assert not IdempotencyKey.objects.exists()


def test_an_overlong_key_is_a_400(api, front_desk):
    response = _post(api.as_(front_desk), "/api/v1/patients/", ANN, "k" * 300)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()


def test_an_action_replays_too(api, world, doctor):
    url = f"/api/v1/referrals/{world['draft_referral'].pk}/sign/"
    first = _post(api.as_(doctor), url, None, "sign-1")
    again = _post(api.as_(doctor), url, None, "sign-1")
    assert first.status_code == again.status_code == 200


# --- ETag and If-Match ---------------------------------------------------------------


def test_a_detail_carries_its_version_as_etag(api, world, doctor):
    response = api.as_(doctor).get(f"/api/v1/referrals/{world['referral'].pk}/")
    assert response["ETag"] == f'"{world["referral"].version}"'


def test_a_stale_if_match_is_a_412_and_changes_nothing(api, world, doctor):
    # given Dana read her draft, then changed it elsewhere
    url = f"/api/v1/referrals/{world['draft_referral'].pk}/"
    client = api.as_(doctor)
    tag = client.get(url)["ETag"]
    fresh = client.patch(url, {"precautions": "first"}, format="json", HTTP_IF_MATCH=tag)
    assert fresh.status_code == 200 and fresh["ETag"] != tag

    # when she saves again with the tag she read first
    stale = client.patch(url, {"precautions": "second"}, format="json", HTTP_IF_MATCH=tag)

    # then a 412, and the record keeps the first change
    assert stale.status_code == 412
    assert Referral.objects.get(pk=world["draft_referral"].pk).precautions == "first"


@pytest.mark.parametrize("header", ['"999"', "garbage", 'W/"0"'])
def test_any_if_match_that_is_not_the_current_version_is_a_412(api, front_desk, patient, header):
    url = f"/api/v1/patients/{patient.pk}/"
    response = api.as_(front_desk).patch(
        url, {"phone": "(212) 555-0101"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    patient.refresh_from_db()
    assert patient.phone != "+12125550101"


def test_if_match_is_optional_and_star_matches(api, front_desk, patient):
    url = f"/api/v1/patients/{patient.pk}/"
    client = api.as_(front_desk)
    assert client.patch(url, {"phone": "+12125550101"}, format="json").status_code == 200
    star = client.patch(url, {"phone": "+12125550102"}, format="json", HTTP_IF_MATCH="*")
    assert star.status_code == 200
    response = client.put(
        url, {**ANN, "phone": "+12125550103"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 200 and response["ETag"] == '"4"'


@pytest.mark.parametrize(
    "path, key, body",
    [
        ("appointments/{}/", "visit", None),
        ("session-notes/{}/", "note", {"pain_after": 1}),
        ("treatment-plans/{}/", "draft_plan", {"planned_visits": 3}),
    ],
)
def test_every_patchable_record_honours_if_match(
    api, world, front_desk, therapist, path, key, body
):
    from tests.api.conftest import at_local

    user = front_desk if key == "visit" else therapist
    body = body or {"start": at_local(1, 12).isoformat(), "end": at_local(1, 12, 30).isoformat()}
    url = "/api/v1/" + path.format(world[key].pk)
    client = api.as_(user)
    tag = client.get(url)["ETag"]
    assert client.patch(url, body, format="json", HTTP_IF_MATCH='"12345"').status_code == 412
    assert client.patch(url, body, format="json", HTTP_IF_MATCH=tag).status_code == 200
