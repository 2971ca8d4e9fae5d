"""API.md, Tokens and limits: a token ends after API_TOKEN_HOURS, is stored as a
digest only, and dies with a sign-out, a password change, deactivation, a second
factor or the manager's revocation; a dead token is a 401."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient
from zeal import zeal_ignore

from clinic.models import AuditEvent
from tests.security.test_totp import code_for

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"  # the factories' password
TOKEN_URL = "/api/v1/auth/token/"


def sign_in(user) -> tuple[str, dict]:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": GOOD})
    assert response.status_code == 200, response.content
    return response.json()["token"], response.json()


def me_with(token: str) -> int:
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def post_with(token: str, url: str) -> int:
    return APIClient().post(url, HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_a_token_comes_with_the_time_it_ends(therapist):
    # when Theo signs in
    before = timezone.now()
    token, body = sign_in(therapist)
    after = timezone.now()
    # then the answer names the end, API_TOKEN_HOURS (10) from now, and the token works
    assert set(body) == {"token", "expires_at"}
    expires_at = parse_datetime(body["expires_at"])
    assert before + timedelta(hours=10) <= expires_at <= after + timedelta(hours=10)
    assert me_with(token) == 200


def test_api_token_hours_sets_the_lifetime(therapist, settings):
    settings.API_TOKEN_TTL = timedelta(hours=2)
    before = timezone.now()
    _, body = sign_in(therapist)
    assert parse_datetime(body["expires_at"]) <= before + timedelta(hours=2, seconds=5)


def test_only_a_digest_of_the_token_is_stored(therapist):
    token, _ = sign_in(therapist)
    row = AuthToken.objects.get(user=therapist)
    stored = [str(getattr(row, field.attname)) for field in AuthToken._meta.concrete_fields]
    assert not any(token in value for value in stored)
    assert len(row.digest) == 128  # SHA-512, hex


def test_an_expired_token_is_a_401(therapist):
    # given Theo's token, whose time ran out a minute ago
    token, _ = sign_in(therapist)
    AuthToken.objects.filter(user=therapist).update(expiry=timezone.now() - timedelta(minutes=1))
    # then it opens nothing
    assert me_with(token) == 401


def test_signing_out_revokes_the_token_presented_and_no_other(therapist):
    # given Theo signed in on two tablets
    first, _ = sign_in(therapist)
    second, _ = sign_in(therapist)
    # when he signs out on the first
    assert post_with(first, "/api/v1/auth/logout/") == 204
    # then the first token is dead, the second still works, and the event is audited
    assert me_with(first) == 401
    assert me_with(second) == 200
    assert AuditEvent.objects.filter(actor=therapist, action="token.revoked").count() == 1
    assert AuditEvent.objects.filter(actor=therapist, action="token.issued").count() == 2


def test_signing_out_everywhere_revokes_every_token_of_the_caller_only(therapist, front_desk):
    first, _ = sign_in(therapist)
    second, _ = sign_in(therapist)
    franks, _ = sign_in(front_desk)
    assert post_with(first, "/api/v1/auth/logout-all/") == 204
    assert (me_with(first), me_with(second), me_with(franks)) == (401, 401, 200)
    event = AuditEvent.objects.get(action="token.revoked")
    assert (event.actor, event.target_id, event.detail) == (
        therapist,
        str(therapist.pk),
        "2 by sign-out everywhere",
    )


def test_signing_out_needs_a_signed_in_caller():
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401
    assert APIClient().post("/api/v1/auth/logout-all/").status_code == 401


def test_a_password_change_revokes_every_token(therapist):
    token, _ = sign_in(therapist)
    therapist.set_password("a-new-long-passphrase")
    therapist.save()
    assert me_with(token) == 401
    assert AuditEvent.objects.filter(action="token.revoked", detail__contains="password").exists()


def test_the_managers_password_reset_in_the_admin_revokes_every_token(therapist, manager):
    # given Theo's token and the manager in the admin
    token, _ = sign_in(therapist)
    browser = Client()
    browser.force_login(manager)
    # when she sets a new password for him (Django's own admin page loads the user
    # twice, once for the session and once as the object: not an N+1 of ours)
    with zeal_ignore():
        response = browser.post(
            f"/admin/clinic/user/{therapist.pk}/password/",
            {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
        )
    # then his old token is dead
    assert response.status_code == 302
    assert me_with(token) == 401


def test_deactivation_revokes_every_token_for_good(therapist, manager):
    # given Theo's token
    token, _ = sign_in(therapist)
    browser = Client()
    browser.force_login(manager)
    # when the manager deactivates him, and later activates him again
    browser.post(
        "/admin/clinic/user/",
        {"action": "deactivate", "_selected_action": [str(therapist.pk)]},
    )
    therapist.refresh_from_db()
    assert therapist.is_active is False
    therapist.is_active = True
    therapist.save()
    # then the old token stays dead
    assert me_with(token) == 401
    assert AuditEvent.objects.filter(
        actor=manager, action="token.revoked", detail="1 by deactivation"
    ).exists()


def test_enrolling_a_second_factor_revokes_every_token(doctor):
    # given Dana's token, issued on her password alone
    token, _ = sign_in(doctor)
    browser = Client()
    browser.force_login(doctor)
    browser.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=doctor)
    # when she turns on two-factor sign-in
    assert browser.post("/account/two-factor/", {"code": code_for(device)}).status_code == 302
    # then that token no longer skips the factor
    assert me_with(token) == 401


def test_the_manager_revokes_a_token_in_the_admin(therapist, manager):
    token, _ = sign_in(therapist)
    row = AuthToken.objects.get(user=therapist)
    browser = Client()
    browser.force_login(manager)
    listing = browser.get("/admin/knox/authtoken/")
    assert listing.status_code == 200 and "Theo" in listing.content.decode()
    assert token[:15] not in listing.content.decode()
    browser.post(
        "/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert me_with(token) == 401
    assert AuditEvent.objects.filter(
        actor=manager, action="token.revoked", detail="1 by the manager"
    ).exists()


def test_the_admin_mints_no_tokens(manager):
    browser = Client()
    browser.force_login(manager)
    assert browser.get("/admin/knox/authtoken/add/").status_code == 403


def test_a_token_header_that_is_not_text_is_a_401(therapist):
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION="Token \xff\xfe")
    assert response.status_code == 401
