"""Optional TOTP second factor for doctors and managers (django-otp): enrolment,
the second sign-in step, its throttle and lockout, the token endpoint, the admin reset."""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"  # the factories' password
TOKEN_URL = "/api/v1/auth/token/"
ENROL_URL = "/account/two-factor/"
VERIFY_URL = "/account/verify/"


def code_for(device, steps_ahead=0) -> str:
    """The code the phone shows now (or `steps_ahead` 30-second steps later: a
    code is accepted once, so a second use in the same step needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device) -> str:
    right = {code_for(device, n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def signed_in_with_password(user, ip="10.0.0.5") -> Client:
    browser = Client(REMOTE_ADDR=ip)
    response = browser.post("/", {"username": user.username, "password": GOOD})
    assert response.status_code == 302, "the password step succeeds"
    return browser


# --- enrolment -------------------------------------------------------------------------


def test_a_doctor_sees_a_secret_and_a_qr_code_to_scan_and_a_reload_keeps_it(doctor, client):
    # given a doctor without a second factor
    client.force_login(doctor)
    # when they open the enrolment page twice
    first = client.get(ENROL_URL)
    second = client.get(ENROL_URL)
    # then one pending device is created and its secret shown, as text and as a QR image
    assert first.status_code == 200
    device = TOTPDevice.objects.get(user=doctor)
    assert device.confirmed is False
    body = first.content.decode()
    assert "data:image/svg+xml;base64," in body
    assert "otpauth://totp/" in body
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", body).group(1)
    assert secret in second.content.decode()
    assert TOTPDevice.objects.filter(user=doctor).count() == 1


def test_confirming_with_the_current_code_turns_it_on_and_verifies_this_session(doctor, client):
    # given a doctor who scanned the code
    client.force_login(doctor)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=doctor)
    # when they confirm with the code their app shows
    response = client.post(ENROL_URL, {"code": code_for(device)})
    # then the device is confirmed, audited, and this session is not asked again
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.filter(actor=doctor, action="two_factor.enabled").exists()
    assert client.get("/my-patients/").status_code == 200


def test_a_wrong_code_does_not_confirm_the_device(doctor, client):
    client.force_login(doctor)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=doctor)
    # when the doctor types a wrong code
    response = client.post(ENROL_URL, {"code": wrong_code_for(device)})
    # then the page says so and the device stays unconfirmed
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False


def test_a_manager_may_enrol(manager, client):
    client.force_login(manager)
    assert client.get(ENROL_URL).status_code == 200


@pytest.mark.parametrize("who", ["therapist", "front_desk"])
def test_other_roles_may_not_use_the_enrolment_page(who, request, client):
    # given a therapist or the front desk
    client.force_login(request.getfixturevalue(who))
    # when they open or post to the enrolment page
    # then it is refused and no device is made
    assert client.get(ENROL_URL).status_code == 403
    assert client.post(ENROL_URL, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_the_nav_links_the_page_for_doctors_only_not_for_therapists(doctor, therapist):
    as_doctor, as_therapist = Client(), Client()
    as_doctor.force_login(doctor)
    as_therapist.force_login(therapist)
    assert "Two-factor sign-in" in as_doctor.get("/my-patients/").content.decode()
    assert "Two-factor sign-in" not in as_therapist.get("/today/").content.decode()


def test_turning_it_off_needs_a_current_code(doctor, client):
    # given a doctor with two-factor on, verified in this session
    device = enrolled(doctor)
    client.force_login(doctor)
    client.post(VERIFY_URL, {"code": code_for(device)})
    # when they try to turn it off with a wrong code, then with the next right one
    refused = client.post(ENROL_URL, {"code": wrong_code_for(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    accepted = client.post(ENROL_URL, {"code": code_for(device, steps_ahead=1)})
    # then only the right code removes the device
    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    assert AuditEvent.objects.filter(actor=doctor, action="two_factor.disabled").exists()


# --- the second sign-in step ---------------------------------------------------------


def test_a_user_without_a_device_signs_in_exactly_as_before(doctor):
    # given a doctor without a second factor
    browser = Client()
    # when they sign in with their password
    response = browser.post("/", {"username": "dana", "password": GOOD})
    # then they land on their home page, never on the verify page
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    assert browser.get("/my-patients/").status_code == 200


def test_after_the_password_every_page_asks_for_the_code_first(doctor):
    # given a doctor with a confirmed device who gave only the password
    enrolled(doctor)
    browser = signed_in_with_password(doctor)
    # when they open a page, the admin or the API with their session
    page = browser.get("/my-patients/")
    admin = browser.get("/admin/")
    api = browser.get("/api/v1/me/")
    # then pages send them to the verify page (keeping where they were going)
    assert page.status_code == 302
    assert page["Location"] == f"{VERIFY_URL}?next=/my-patients/"
    assert admin["Location"].startswith(VERIFY_URL)
    # and the API refuses the half-signed-in session
    assert api.status_code == 403
    assert api.json()["code"] == "otp_required"


def test_the_right_code_lets_the_user_through_to_where_they_were_going(doctor):
    device = enrolled(doctor)
    browser = signed_in_with_password(doctor)
    assert browser.get(VERIFY_URL).status_code == 200
    # when the code is entered
    response = browser.post(VERIFY_URL, {"code": code_for(device), "next": "/my-patients/"})
    # then the pages open
    assert response.status_code == 302
    assert response["Location"] == "/my-patients/"
    assert browser.get("/my-patients/").status_code == 200


def test_a_wrong_code_is_refused_and_the_throttle_refuses_even_the_right_one_right_after(doctor):
    device = enrolled(doctor)
    browser = signed_in_with_password(doctor)
    # when a wrong code is entered
    wrong = browser.post(VERIFY_URL, {"code": wrong_code_for(device)})
    # then it is refused and the pages stay closed
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    assert browser.get("/my-patients/").status_code == 302
    # and a guess straight after is throttled, right or not
    throttled = browser.post(VERIFY_URL, {"code": code_for(device)})
    assert throttled.status_code == 400
    assert "Too many wrong codes" in throttled.content.decode()
    assert browser.get("/my-patients/").status_code == 302


def test_wrong_codes_count_toward_the_sign_in_lockout(doctor):
    # given a doctor with a device who gave the password
    device = enrolled(doctor)
    browser = signed_in_with_password(doctor, ip="10.0.0.8")
    # when five wrong codes follow
    responses = [browser.post(VERIFY_URL, {"code": wrong_code_for(device)}) for _ in range(5)]
    # then the username+address pair is locked like after five wrong passwords,
    # and the half-signed-in session is over
    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.filter(username="dana", ip_address="10.0.0.8").exists()
    assert browser.get("/my-patients/")["Location"].startswith("/?next=")
    again = Client(REMOTE_ADDR="10.0.0.8").post("/", {"username": "dana", "password": GOOD})
    assert again.status_code == 429


def test_the_verify_page_never_redirects_off_site(doctor):
    device = enrolled(doctor)
    browser = signed_in_with_password(doctor)
    response = browser.post(
        VERIFY_URL, {"code": code_for(device), "next": "https://evil.example/phish"}
    )
    assert response["Location"] == "/home/"


def test_a_device_reset_meanwhile_lets_the_waiting_user_through(doctor):
    # given a doctor waiting at the verify page whose device the manager then reset
    enrolled(doctor)
    browser = signed_in_with_password(doctor)
    TOTPDevice.objects.filter(user=doctor).delete()
    # when they open the verify page
    response = browser.get(f"{VERIFY_URL}?next=/my-patients/")
    # then there is nothing to ask: they go on
    assert response["Location"] == "/my-patients/"
    assert browser.get("/my-patients/").status_code == 200


def test_an_unconfirmed_device_does_not_ask_for_a_code(doctor):
    TOTPDevice.objects.create(user=doctor, name="phone", confirmed=False)
    browser = signed_in_with_password(doctor)
    assert browser.get("/my-patients/").status_code == 200


# --- the token endpoint ------------------------------------------------------------------


def token(body, ip="10.0.0.5"):
    return Client(REMOTE_ADDR=ip).post(TOKEN_URL, body, content_type="application/json")


def test_an_enrolled_doctor_needs_the_code_for_a_token(doctor):
    device = enrolled(doctor)
    # when the doctor asks with the password only
    response = token({"username": "dana", "password": GOOD})
    # then it is a 400 naming otp
    assert response.status_code == 400
    assert "otp" in response.json()
    # and with the code it works
    ok = token({"username": "dana", "password": GOOD, "otp": code_for(device)})
    assert ok.status_code == 200
    assert ok.json()["token"]


def test_a_wrong_or_malformed_code_is_a_400_naming_otp(doctor):
    device = enrolled(doctor)
    wrong = token({"username": "dana", "password": GOOD, "otp": wrong_code_for(device)})
    malformed = token({"username": "dana", "password": GOOD, "otp": "12ab"})
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["otp"]
    assert malformed.status_code == 400
    assert list(malformed.json()) == ["otp"]


def test_a_wrong_password_never_reveals_whether_the_account_has_two_factor(doctor):
    enrolled(doctor)
    response = token({"username": "dana", "password": "wrong"})
    assert response.status_code == 400
    assert "otp" not in response.json()


def test_a_therapist_without_a_device_gets_a_token_as_before():
    UserFactory(username="theo", role="therapist")
    assert token({"username": "theo", "password": GOOD}).status_code == 200


# --- the admin ---------------------------------------------------------------------------


def test_the_manager_sees_and_resets_a_doctors_device_but_never_its_secret(doctor, manager):
    # given a doctor with a device, and the manager in the admin
    device = enrolled(doctor)
    admin = Client()
    admin.force_login(manager)
    listing = admin.get("/admin/otp_totp/totpdevice/")
    detail = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    # then the manager sees the device but not its key
    assert listing.status_code == 200
    assert str(doctor) in listing.content.decode()
    assert detail.status_code == 200
    assert device.key not in detail.content.decode()
    assert admin.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    # when the manager deletes it (a lost phone)
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    # then it is gone, audited, and the doctor signs in with the password alone
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    assert AuditEvent.objects.filter(actor=manager, action="two_factor.reset").exists()
    assert signed_in_with_password(doctor).get("/my-patients/").status_code == 200


def test_an_enrolled_manager_gives_the_code_before_the_admin(manager):
    device = enrolled(manager)
    browser = signed_in_with_password(manager)
    assert browser.get("/admin/")["Location"].startswith(VERIFY_URL)
    browser.post(VERIFY_URL, {"code": code_for(device)})
    assert browser.get("/admin/").status_code == 200


def test_a_therapist_may_not_see_the_devices_in_the_admin(therapist, doctor):
    enrolled(doctor)
    browser = Client()
    browser.force_login(therapist)
    assert browser.get("/admin/otp_totp/totpdevice/").status_code in (302, 403)
